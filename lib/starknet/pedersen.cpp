#include "starknet/pedersen.hpp"

#include <array>
#include <vector>

#include "starknet/curve.hpp"

namespace zkm31::starknet {

namespace {
// The five constant points (shift point, P0, P1, P2, P3) of the Starknet spec ("nothing up my sleeve":
// x from digits of π). Taken from @scure/starknet 1.1.0 (starknet.js 10.8.0) by
// tests/starknet/gen_vectors.mjs, which also writes them to vectors.json; the unit tests check them.
constexpr const char* kPoints[5][2] = {
    {"0x49ee3eba8c1600700ee1b87eb599f16716b0b1022947733551fde4050ca6804",
     "0x3ca0cfe4b3bc6ddf346d49d06ea0ed34e621062c0e056c1d0405d266e10268a"},
    {"0x234287dcbaffe7f969c748655fca9e58fa8120b6d56eb0c1080d17957ebe47b",
     "0x3b056f100f96fb21e889527d41f4e39940135dd7a6c94cc6ed0268ee89e5615"},
    {"0x4fa56f376c83db33f9dab2656558f3399099ec1de5e3018b7a6932dba8aa378",
     "0x3fa0984c931c9e38113e0c0e47e4401562761f92a7a23b45168f4e80ff5b54d"},
    {"0x4ba4cc166be8dec764910f75b45f74b40c690c74709e90f3aa372f0bd2d6997",
     "0x40301cf5c1751f4b971e46c4ede85fcac5c59a5ce5ae7c48151f27b24b219c"},
    {"0x54302dcb0e6cc1c6e44cca8f61a63bb2ca65048d53fb325d36ff12c49a58202",
     "0x1b77b3e37d13504b348046268d8ae25ce98ad783c25561a879dcc77e99c2426"},
};

// Doubling tables: table[i] = 2^i·base for the 248 low bits, then 2^j·base_high for the top 4 bits.
using Table = std::vector<Jacobian>;
Table make_table(const Point& low, const Point& high) {
  Table t;
  Jacobian p = to_jacobian(low);
  for (int i = 0; i < 248; ++i) t.push_back(p), p = dbl(p);
  p = to_jacobian(high);
  for (int i = 0; i < 4; ++i) t.push_back(p), p = dbl(p);
  return t;
}

struct Constants {
  Point shift;
  Table a, b;
};
const Constants& constants() {
  static const Constants c = [] {
    Point pts[5];
    for (int i = 0; i < 5; ++i) pts[i] = {Felt::parse(kPoints[i][0]), Felt::parse(kPoints[i][1]), false};
    return Constants{pts[0], make_table(pts[1], pts[2]), make_table(pts[3], pts[4])};
  }();
  return c;
}

Jacobian accumulate(Jacobian acc, const Felt& v, const Table& t) {
  const U256 x = v.value();
  for (int i = 0; i < 252; ++i)
    if (x.bit(i)) acc = add(acc, t[i]);
  return acc;
}
}  // namespace

Felt pedersen_hash(const Felt& a, const Felt& b) {
  const Constants& c = constants();
  Jacobian acc = to_jacobian(c.shift);
  acc = accumulate(acc, a, c.a);
  acc = accumulate(acc, b, c.b);
  return to_affine(acc).x;
}

Felt compute_hash_on_elements(std::span<const Felt> values) {
  Felt h = Felt::zero();
  for (const Felt& v : values) h = pedersen_hash(h, v);
  return pedersen_hash(h, Felt::from_u64(values.size()));
}

}  // namespace zkm31::starknet
