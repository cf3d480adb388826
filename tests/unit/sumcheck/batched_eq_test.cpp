// The batched eq prover sends the messages of the plain product sumcheck of W = Σ λ_i eq(r_i, ·) and
// e, for claims with free points and for claims lifted from packed members (boolean top coordinates),
// for every split k, and binds e to its value at the challenges.
#include <gtest/gtest.h>

#include <random>

#include "poly/multilinear.hpp"
#include "sumcheck/batched_eq.hpp"

using namespace zkm31;

namespace {

std::mt19937_64 rng(12);
QM31 rand_qm31() {
  return QM31(M31(uint32_t(rng() % kP)), M31(uint32_t(rng() % kP)), M31(uint32_t(rng() % kP)), M31(uint32_t(rng() % kP)));
}

}  // namespace

TEST(BatchedEq, SameMessagesAsThePlainProductSumcheck) {
  const unsigned n = 9;
  std::vector<M31> e(size_t(1) << n);
  for (M31& x : e) x = M31(uint32_t(rng() % kP));
  // Two free points, one member of 2^5 entries in slot 3 and one of 2^2 entries in slot 100.
  std::vector<std::vector<QM31>> points(4);
  for (auto& p : points)
    for (unsigned i = 0; i < n; ++i) p.push_back(rand_qm31());
  for (unsigned i = 5; i < n; ++i) points[2][i] = (3 >> (i - 5)) & 1 ? QM31::one() : QM31();
  for (unsigned i = 2; i < n; ++i) points[3][i] = (100 >> (i - 2)) & 1 ? QM31::one() : QM31();
  std::vector<QM31> lambda{rand_qm31(), rand_qm31(), rand_qm31(), rand_qm31()};
  std::vector<QM31> w(e.size());
  for (size_t i = 0; i < points.size(); ++i) poly::add_eq_table(points[i], lambda[i], w);
  std::vector<QM31> chals;
  for (unsigned i = 0; i < n; ++i) chals.push_back(rand_qm31());
  for (unsigned k : {0u, 1u, 3u, 6u, 9u}) {
    const sumcheck::TableRef tables[2] = {std::span<const QM31>(w), std::span<const M31>(e)};
    sumcheck::Prover plain(tables, {sumcheck::Term{QM31::one(), {0, 1}}});
    sumcheck::BatchedEqProver batched(e, points, lambda, k);
    for (unsigned i = 0; i < n; ++i) {
      ASSERT_EQ(batched.round_poly(), plain.round_poly()) << "k " << k << " round " << i;
      batched.bind(chals[i]);
      plain.bind(chals[i]);
      if (i + 1 >= k) ASSERT_EQ(batched.bound_e(), plain.bound_table(1)) << "k " << k << " round " << i;
    }
    EXPECT_EQ(batched.bound_e().at(0), poly::evaluate(std::span<const M31>(e), std::span<const QM31>(chals)));
  }
}

TEST(BatchedEq, EIsNotBoundBeforeTheFirstKRounds) {
  std::vector<M31> e(16, M31(3));
  const std::vector<std::vector<QM31>> points{{QM31(), QM31::one(), QM31(), QM31()}};
  sumcheck::BatchedEqProver p(e, points, std::vector<QM31>{QM31::one()}, 2);
  p.round_poly();
  p.bind(QM31::one());
  EXPECT_THROW(p.bound_e(), std::logic_error);
}
