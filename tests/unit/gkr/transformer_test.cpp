// Transformer graphs whose head counts, head sizes and sequences are not powers of two (GPT-2's 12
// heads, Qwen3's 40 query / 8 KV heads, head size 80, seq 7), built by lib/synthetic: the claim walk
// proves and verifies them, with padded softmax rows, padded heads and tables without a row for 0
// (recip, rsqrt); a lie in a padded entry of such a lookup is rejected.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/forward.hpp"
#include "synthetic/transformer.hpp"
#include "walk_fixture.hpp"

using namespace zkm31;
using namespace zkm31::gkr;
using namespace zkm31::gkr::test;

namespace {

synthetic::TransformerShape gpt_like() {
  synthetic::TransformerShape s;
  s.d_model = 48, s.heads = s.kv_heads = 12, s.head_dim = 4, s.hidden = 96, s.seq = 7, s.blocks = 2;
  return s;
}

synthetic::TransformerShape qwen_like() {
  synthetic::TransformerShape s = synthetic::qwen3_14b_block();
  s.d_model = 40, s.head_dim = 80, s.hidden = 56, s.seq = 7;
  return s;
}

model::Trace trace(const synthetic::TransformerShape& s) {
  return synthetic::integer_trace(synthetic::transformer(s, 3), synthetic::random_input(s, 4));
}

}  // namespace

TEST(Transformer, GptShapedWithTwelveHeadsAndSevenPositionsVerifies) {
  const model::Trace t = trace(gpt_like());
  model::check_trace(t);
  Proved p = prove(t);
  EXPECT_NO_THROW(verify(p, p.w.values));
  size_t padding = 0;
  for (const Vec& v : p.c.vecs) padding += v.kind == VecKind::Padding;
  EXPECT_GE(padding, 2u * 3u);  // per block: rsqrt ×2 and recip at least
}

TEST(Transformer, QwenShapedWithFortyHeadsOfEightyVerifies) {
  const model::Trace t = trace(qwen_like());
  Proved p = prove(t);
  EXPECT_NO_THROW(verify(p, p.w.values));
}

TEST(Transformer, LieInAPaddedRecipEntryRejected) {
  // The softmax reciprocal's table starts far above 0: its padded rows (heads 12..15, position 7)
  // are looked up shifted to the table's first row. A prover that puts the honest row's value in a
  // padded output entry instead of 0 is rejected.
  const model::Trace t = trace(gpt_like());
  Proved p = prove(t);
  const LookupStep* recip = nullptr;
  for (const Step& s : p.c.steps)
    if (auto* l = std::get_if<LookupStep>(&s); l && l->name.find("softmax:recip") != std::string::npos) recip = l;
  ASSERT_NE(recip, nullptr);
  const Vec& yv = p.c.vecs[recip->y];
  ASSERT_LT(model::numel(yv.dims), int64_t(yv.size()));
  const auto& col = p.c.instances[recip->instance].columns.at(0);
  ASSERT_EQ(col.b.size(), 2u);
  std::vector<bool> real(yv.size(), false);
  for (int64_t r = 0; r < model::numel(yv.dims); ++r) real[padded_index(yv, size_t(r))] = true;
  const size_t padded = size_t(std::find(real.begin(), real.end(), false) - real.begin());
  Proved f = p;
  f.w.values[recip->y][padded] = M31::from_signed(col.b[1].coeff);
  count_multiplicities(f.c, f.w, false);
  prove_witness(f, CheatMode::ForgedWitness);
  EXPECT_THROW(verify(f, p.w.values), Rejected);
}
