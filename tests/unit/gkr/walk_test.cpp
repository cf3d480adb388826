// The claim walk on a small MLP: an honest run verifies with an empty ledger once the committed
// vectors' claims are checked (here by direct evaluation, standing in for the PCS); each lie of a
// dishonest prover and each tampered trace element is rejected. The weight certificate's walk proves
// the weights' bounds alone and rejects a weight outside its interval.
#include <gtest/gtest.h>

#include "error/error.hpp"
#include "mlp_fixture.hpp"
#include "walk_fixture.hpp"

using namespace zkm31;
using namespace zkm31::gkr;
using namespace zkm31::gkr::test;

TEST(Walk, HonestMlpVerifies) {
  for (bool per_channel : {true, false}) {
    auto m = fixture::make_mlp(6, 8, 3, 7, per_channel);
    auto t = fixture::forward(m);
    Proved p = prove(t);
    EXPECT_NO_THROW(verify(p, p.w.values)) << per_channel;
  }
}

TEST(Walk, ClampBothSidesAndNegativeRounding) {
  auto m = fixture::make_mlp(16, 4, 2, 3);
  m.x.assign(16, 127);
  auto t = fixture::forward(m);
  EXPECT_EQ(t.values[6][0].to_signed(), -128);  // q1[0] saturated low
  EXPECT_EQ(t.values[6][1].to_signed(), 127);   // q1[1] saturated high
  Proved p = prove(t);
  EXPECT_NO_THROW(verify(p, p.w.values));
}

TEST(Walk, LyingProverRejected) {
  auto m = fixture::make_mlp(6, 8, 3, 11);
  auto t = fixture::forward(m);
  const Proved honest = prove(t);
  for (CheatMode c : {CheatMode::SkipLookup, CheatMode::AlterRound, CheatMode::ReuseChallenge, CheatMode::WrongFinal,
                      CheatMode::WrongRequant}) {
    Proved p = prove(t, c);
    EXPECT_THROW(verify(p, honest.w.values), Rejected) << int(c);
  }
}

TEST(Walk, TamperedTraceRefusedOrRejected) {
  auto m = fixture::make_mlp(6, 8, 3, 5);
  const auto t0 = fixture::forward(m);
  const Proved honest = prove(t0);
  // Each intermediate tensor (a1, q1, h1, a2) and the output z, one element changed.
  for (size_t tensor : {5, 6, 7, 8, 9}) {
    auto t = t0;
    t.values[tensor][1] += M31(1);
    try {
      Proved p = prove(t);
      // The prover went through: the proof must not verify against the committed witness the
      // prover used nor against the honest one.
      EXPECT_THROW(verify(p, p.w.values), Rejected) << "tensor " << tensor;
    } catch (const BadInput&) {
      // the honest prover refuses an inconsistent trace
    }
  }
}

TEST(Walk, StreamMutationsRejected) {
  auto m = fixture::make_mlp(4, 4, 2, 9);
  auto t = fixture::forward(m);
  const Proved p = prove(t);
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    Proved q = p;
    size_t at = rng() % q.stream.size();
    q.stream[at] += QM31(M31(1 + rng() % 1000), M31(rng() % 7), M31(0), M31(0));
    EXPECT_THROW(verify(q, p.w.values), Rejected) << at;
  }
}

TEST(Walk, WideClampVerifies) {
  auto m = fixture::make_mlp(6, 8, 3, 41, true, true);
  Proved p = prove(fixture::forward(m));
  const auto* rq2 = std::get_if<RequantStep>(&p.c.steps.back());
  ASSERT_TRUE(rq2 && rq2->wide);
  EXPECT_NO_THROW(verify(p, p.w.values));
}

TEST(Walk, WeightBoundsLiveInTheCertificateOnly) {
  auto m = fixture::make_mlp(6, 8, 3, 41, true, true);
  const Compiled cc = compile(m.g, Config{});
  EXPECT_TRUE(cc.proof.weight_bounds.empty());
  for (const auto& inst : cc.proof.instances) EXPECT_EQ(inst.name.rfind("weights:", 0), std::string::npos) << inst.name;
  for (const auto& t : cc.proof.tables) EXPECT_NE(t.kind, lookup::TableKind::Interval) << t.name();
  ASSERT_EQ(cc.certificate.weight_bounds.size(), 4u);  // W1, b1, W2, b2
  EXPECT_TRUE(cc.certificate.steps.empty());
  EXPECT_EQ(cc.certificate.weights, cc.proof.weights);  // one model commitment layout
  for (uint32_t v : cc.proof.weights) EXPECT_EQ(cc.proof.vecs[v].kind, VecKind::Weight);
  // Bound limbs and multiplicities are the certificate's own commitment, never the proof's.
  ASSERT_FALSE(cc.certificate.weight_bounds[1].dlo.empty());  // b1 ±3000: limbs
  for (uint32_t v : cc.certificate.committed) {
    EXPECT_EQ(cc.certificate.vecs[v].kind, VecKind::Certificate);
    EXPECT_EQ(std::count(cc.proof.committed.begin(), cc.proof.committed.end(), v), 0);
  }
  EXPECT_EQ(cc.certificate.committed.size(), 2 * cc.certificate.weight_bounds[1].dlo.size() + cc.certificate.tables.size());
}

TEST(Walk, WeightCertificateVerifies) {
  for (bool wide : {false, true}) {
    Proved p = certify(fixture::forward(fixture::make_mlp(6, 8, 3, 44, true, wide)));
    EXPECT_NO_THROW(verify(p, p.w.values)) << wide;
  }
}

TEST(Walk, WideClampExcessWithoutSaturationRejected) {
  // Publish z − 1 for an unsaturated entry and move the difference into e⁺: the requant identity
  // and every range still hold, only e⁺·(hi − q) = 0 fails.
  auto m = fixture::make_mlp(6, 8, 3, 42, true, true);
  Proved p = prove(fixture::forward(m));
  const auto& rq2 = std::get<RequantStep>(p.c.steps.back());
  size_t i = 0;
  while (i < 3 && !(p.w.values[rq2.q][i].to_signed() > rq2.lo && p.w.values[rq2.q][i].to_signed() < rq2.hi)) ++i;
  ASSERT_LT(i, 3u) << "no unsaturated output";
  p.w.values[rq2.q][i] -= M31(1);
  p.w.values[rq2.ep[0]][i] += M31(1);
  const int64_t q = p.w.values[rq2.q][i].to_signed();
  auto set_limbs = [&](const std::vector<uint32_t>& limbs, int64_t v) {  // the bound limbs follow q
    for (size_t j = 0; j < limbs.size(); ++j) p.w.values[limbs[j]][i] = M31(uint32_t((v >> (12 * j)) & 4095));
  };
  set_limbs(rq2.dlo, q - rq2.lo);
  set_limbs(rq2.dhi, rq2.hi - q);
  count_multiplicities(p.c, p.w);
  prove_witness(p, CheatMode::ForgedWitness);
  try {
    verify(p, p.w.values);
    FAIL() << "accepted";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("clamp excess without saturation"), std::string::npos) << e.what();
  }
}

TEST(Walk, WeightOutsideItsIntervalRefusedOrRejected) {
  // b1 declared in [−3000, 3000] (range limbs), W2 in [−127, 127] (interval table); the forward pass
  // uses the out-of-interval value, so the per-proof walk alone cannot tell.
  for (auto [tensor, value] : {std::pair<size_t, int32_t>{1, 3005}, {2, 200}}) {
    auto m = fixture::make_mlp(6, 8, 3, 43, true, true);
    m.g.weights[tensor].values[0] = value;
    const std::string name = m.g.tensors[m.g.weights[tensor].tensor].name;
    auto t = fixture::forward(m);
    try {
      certify(t);
      ADD_FAILURE() << name << ": the honest prover certified it";
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find("outside its declared interval"), std::string::npos) << e.what();
    }
    Proved p = certify(t, true);
    try {
      verify(p, p.w.values);
      ADD_FAILURE() << name << ": accepted";
    } catch (const Rejected& e) {
      // Limbs are checked per tensor; a table lookup fails the LogUp sum of the whole certificate.
      const std::string expected = tensor == 1 ? "weights " + name : "LogUp sum is not zero";
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}
