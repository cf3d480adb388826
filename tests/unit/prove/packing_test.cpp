// Packing: a claim on a member, lifted, is the same claim on the big vector; after the walk every
// pending claim is on a commitment's member, and taking them empties the ledger.
#include <gtest/gtest.h>

#include <random>

#include "../gkr/mlp_fixture.hpp"
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"
#include "prove/packing.hpp"

using namespace zkm31;

TEST(Packing, LiftedClaimsHoldOnTheBigVector) {
  auto m = fixture::make_mlp(6, 8, 3, 21);
  auto t = fixture::forward(m);
  gkr::Circuit c = gkr::compile(t.graph, gkr::Config{}).proof;
  gkr::Witness w = gkr::build_witness(c, t);
  std::mt19937 rng(3);
  auto rnd = [&] { return QM31(M31(rng() % kP), M31(rng() % kP), M31(rng() % kP), M31(rng() % kP)); };
  for (const auto* members : {&c.weights, &c.committed}) {
    prove::Packing p = prove::Packing::of(c, *members);
    std::vector<M31> big = p.pack(w.values);
    for (uint32_t v : *members) {
      std::vector<QM31> pt;
      for (unsigned k = 0; k < c.vecs[v].n_vars; ++k) pt.push_back(rnd());
      EXPECT_EQ(poly::evaluate(std::span<const M31>(w.values[v]), pt),
                poly::evaluate(std::span<const M31>(big), p.lift(v, pt)))
          << c.vecs[v].name;
    }
  }
}

TEST(Packing, WalkLeavesOnlyCommitmentClaims) {
  auto m = fixture::make_mlp(6, 8, 3, 22);
  auto t = fixture::forward(m);
  gkr::Circuit c = gkr::compile(t.graph, gkr::Config{}).proof;
  gkr::Witness w = gkr::build_witness(c, t);
  Channel ch("test/packing");
  proof::Writer wr(ch);
  gkr::Side side{&wr, nullptr};
  gkr::Ledger L = gkr::walk(c, side, &w, w.values);
  for (const auto* members : {&c.weights, &c.committed}) {
    prove::Packing p = prove::Packing::of(c, *members);
    std::vector<M31> big = p.pack(w.values);
    auto claims = prove::take_claims(L, p, "test");
    EXPECT_FALSE(claims.empty());
    for (const auto& cl : claims) EXPECT_EQ(poly::evaluate(std::span<const M31>(big), cl.point), cl.value);
  }
  EXPECT_NO_THROW(L.check_all_consumed());
}

TEST(Packing, LentMembersAreReadInsideTheBigVector) {
  auto m = fixture::make_mlp(6, 8, 3, 22);
  auto t = fixture::forward(m);
  gkr::Circuit c = gkr::compile(t.graph, gkr::Config{}).proof;
  gkr::Witness w = gkr::build_witness(c, t);
  const gkr::Witness before = w;
  prove::Packing p = prove::Packing::of(c, c.weights);
  const std::vector<M31> big = p.pack(w.values);
  p.lend(w, big);
  for (uint32_t v : c.weights) {
    EXPECT_TRUE(w.values[v].empty()) << c.vecs[v].name;  // the witness's own copy is gone
    const auto seen = w.view(v);
    EXPECT_GE(seen.data(), big.data());
    EXPECT_LT(seen.data(), big.data() + big.size());
    EXPECT_TRUE(std::equal(seen.begin(), seen.end(), before.values[v].begin(), before.values[v].end()));
  }
  // Lending values that differ from the vector's is a bug, refused.
  gkr::Witness other = before;
  std::vector<M31> wrong = big;
  wrong[0] += M31(1);
  EXPECT_THROW(p.lend(other, wrong), std::logic_error);
}
