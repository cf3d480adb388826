// embed places a tensor's real entries in its padded layout row by row; it must agree with
// padded_index entry by entry, including shapes whose dimensions are not powers of two.
#include <gtest/gtest.h>

#include "gkr/circuit.hpp"
#include "gkr/witness.hpp"

using namespace zkm31;
using namespace zkm31::gkr;

namespace {

Vec padded(model::Shape dims) {
  Vec v;
  for (int64_t d : dims) {
    unsigned l = 0;
    while ((int64_t(1) << l) < d) ++l;
    v.log_dims.push_back(l);
    v.n_vars += l;
  }
  v.dims = std::move(dims);
  return v;
}

}  // namespace

TEST(Embed, MatchesPaddedIndexEntryByEntry) {
  for (const model::Shape& dims : {model::Shape{7}, model::Shape{3, 5}, model::Shape{2, 3, 5}, model::Shape{4, 8},
                                   model::Shape{1, 6, 1}}) {
    const Vec v = padded(dims);
    const size_t n = size_t(model::numel(dims));
    std::vector<M31> real(n);
    for (size_t i = 0; i < n; ++i) real[i] = M31(uint32_t(i + 1));
    const std::vector<M31> out = embed(v, real);
    ASSERT_EQ(out.size(), v.size());
    std::vector<M31> expected(v.size());
    for (size_t i = 0; i < n; ++i) expected[padded_index(v, i)] = real[i];
    EXPECT_EQ(out, expected) << "dims of rank " << dims.size() << ", " << n << " entries";
  }
}
