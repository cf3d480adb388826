#include <gtest/gtest.h>

#include <random>

#include "air/poseidon2.hpp"
#include "error/error.hpp"
#include "stark/stark.hpp"
#include "stark/testing.hpp"

using namespace zkm31;

namespace {

std::vector<poseidon2::State> random_states(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<poseidon2::State> out(n);
  for (auto& s : out)
    for (auto& x : s) x = M31(uint32_t(rng() % kP));
  return out;
}

// Cheap parameters for the many negative proofs (the verifier's floor lowered to match).
const stark::Config kCheap{1, 20, 0, 3, 3, 0};

}  // namespace

TEST(Poseidon2Air, TraceHoldsThePermutation) {
  const auto in = random_states(16, 1);
  const air::Columns t = air::Poseidon2::trace(4, in);
  ASSERT_EQ(t.size(), air::Poseidon2::kColumns);
  const size_t out = air::Poseidon2::kColumns - 1 - air::Poseidon2::kW;
  for (size_t row = 0; row < in.size(); ++row) {
    const poseidon2::State expect = poseidon2::permuted(in[row]);
    for (size_t i = 0; i < air::Poseidon2::kW; ++i) ASSERT_EQ(t[out + i][row], expect[i]);
  }
  EXPECT_NO_THROW(air::check_trace(air::Poseidon2(4), t));
}

TEST(Poseidon2Air, ProofVerifies) {
  const air::Components cs = {std::make_shared<air::Poseidon2>(5)};
  stark::Randomness rnd(3);
  const stark::Proof p = stark::prove(cs, {air::Poseidon2::trace(5, random_states(32, 2))}, stark::Config{1, 76, 20, 3, 3, 0}, rnd);
  EXPECT_NO_THROW(stark::verify(cs, p));
}

// Every column after the input feeds exactly one constraint first: changing it in one row breaks that
// constraint (the witness check names it), and a proof of the broken trace is rejected.
TEST(Poseidon2Air, EveryConstraintBrokenInOneRowIsRejected) {
  const unsigned n = 3;
  const air::Columns good = air::Poseidon2::trace(n, random_states(8, 4));
  const air::Components cs = {std::make_shared<air::Poseidon2>(n)};
  const size_t constraints = cs[0]->constraints();
  for (size_t k = 0; k < constraints; ++k) {
    air::Columns bad = good;
    const size_t row = k % 8;
    bad[air::Poseidon2::kW + k][row] += M31(1);
    try {
      air::check_trace(*cs[0], bad);
      ADD_FAILURE() << "constraint " << k << " not broken";
    } catch (const BadInput& e) {
      EXPECT_EQ(std::string(e.what()),
                "component poseidon2: constraint " + std::to_string(k) + " fails at row " + std::to_string(row));
    }
    stark::Randomness rnd(k);
    EXPECT_THROW(stark::verify(cs, stark::testing::prove_unchecked(cs, {bad}, kCheap, rnd), 0), Rejected) << k;
  }
  // A changed input breaks the first full round.
  air::Columns bad = good;
  bad[5][2] += M31(1);
  stark::Randomness rnd(1);
  EXPECT_THROW(stark::verify(cs, stark::testing::prove_unchecked(cs, {bad}, kCheap, rnd), 0), Rejected);
}

TEST(Poseidon2Air, MultiplicityWithoutAConsumerIsRejected) {
  const unsigned n = 3;
  std::vector<uint32_t> mult(8);
  mult[6] = 1;  // claims one lookup of row 6 that no component makes
  const air::Columns t = air::Poseidon2::trace(n, random_states(8, 5), mult);
  const air::Components cs = {std::make_shared<air::Poseidon2>(n)};
  EXPECT_THROW(stark::prove(cs, {t}, kCheap), BadInput);
  stark::Randomness rnd(6);
  EXPECT_THROW(stark::verify(cs, stark::testing::prove_unchecked(cs, {t}, kCheap, rnd), 0), Rejected);
}
