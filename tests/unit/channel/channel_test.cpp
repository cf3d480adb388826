#include "channel/channel.hpp"

#include <gtest/gtest.h>

#include <set>

#include "error/error.hpp"
#include "parallel/parallel.hpp"

using namespace zkm31;

namespace {

Channel seeded() {
  Channel ch("test/v1");
  ch.absorb_u64("seed", 42);
  return ch;
}

// Three challenges drawn after the given channel state, as one comparable list.
std::vector<QM31> next_draws(Channel ch) { return ch.draw_qm31s("x", 3); }

bool limbs_canonical(QM31 x) {
  for (M31 l : x.limbs())
    if (l.v >= kP) return false;
  return true;
}

}  // namespace

TEST(Channel, Deterministic) {
  Channel a = seeded(), b = seeded();
  EXPECT_EQ(a.state(), b.state());
  EXPECT_EQ(a.draw_qm31("alpha"), b.draw_qm31("alpha"));
  EXPECT_EQ(a.draw_indices("q", 10, 20), b.draw_indices("q", 10, 20));
  EXPECT_EQ(a.state(), b.state());
}

TEST(Channel, ProtocolLabelSeparates) {
  EXPECT_NE(Channel("a").state(), Channel("b").state());
  EXPECT_NE(next_draws(Channel("a")), next_draws(Channel("b")));
}

TEST(Channel, DrawLabelsSeparate) {
  Channel a = seeded(), b = seeded();
  EXPECT_NE(a.draw_qm31("alpha"), b.draw_qm31("beta"));
  // The state after a draw depends on its label too.
  EXPECT_NE(a.state(), b.state());
  EXPECT_NE(next_draws(a), next_draws(b));
}

TEST(Channel, AbsorbLabelsSeparate) {
  Channel a = seeded(), b = seeded();
  std::vector<uint8_t> data = {1, 2, 3};
  a.absorb_bytes("left", data);
  b.absorb_bytes("right", data);
  EXPECT_NE(next_draws(a), next_draws(b));
}

TEST(Channel, LengthPrefixesSeparateSplits) {
  // ("ab", "c") and ("a", "bc") as label/data must not collide.
  Channel a = seeded(), b = seeded();
  std::vector<uint8_t> c = {'c'}, bc = {'b', 'c'};
  a.absorb_bytes("ab", c);
  b.absorb_bytes("a", bc);
  EXPECT_NE(a.state(), b.state());
}

TEST(Channel, SuccessiveDrawsDiffer) {
  Channel ch = seeded();
  std::set<std::array<uint32_t, 4>> seen;
  for (int i = 0; i < 50; ++i) {
    auto l = ch.draw_qm31("same-label").limbs();
    seen.insert({l[0].v, l[1].v, l[2].v, l[3].v});
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Channel, DrawsDifferAfterEachAbsorb) {
  Channel ch = seeded();
  std::vector<std::vector<QM31>> draws;
  draws.push_back(next_draws(ch));
  ch.absorb_u64("n", 1);
  draws.push_back(next_draws(ch));
  ch.absorb_m31s("m", std::vector<M31>{M31(5), M31(6)});
  draws.push_back(next_draws(ch));
  ch.absorb_qm31("q", QM31(M31(1), M31(2), M31(3), M31(4)));
  draws.push_back(next_draws(ch));
  ch.absorb_digest("d", hash::Digest{});
  draws.push_back(next_draws(ch));
  ch.absorb_bytes("empty", {});
  draws.push_back(next_draws(ch));
  for (size_t i = 0; i < draws.size(); ++i)
    for (size_t j = i + 1; j < draws.size(); ++j) EXPECT_NE(draws[i], draws[j]) << i << " vs " << j;
}

TEST(Channel, DifferentDataChangesEveryLaterChallenge) {
  Channel a = seeded(), b = seeded();
  a.absorb_m31s("data", std::vector<M31>{M31(1), M31(2), M31(3)});
  b.absorb_m31s("data", std::vector<M31>{M31(1), M31(2), M31(4)});
  for (int round = 0; round < 5; ++round) {
    EXPECT_NE(a.draw_qm31("r"), b.draw_qm31("r"));
    EXPECT_NE(a.draw_indices("i", 4, 30), b.draw_indices("i", 4, 30));
    a.absorb_u64("same", round);  // identical later absorbs do not bring them back together
    b.absorb_u64("same", round);
  }
}

TEST(Channel, QM31LimbsAreCanonical) {
  Channel ch = seeded();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limbs_canonical(ch.draw_qm31("c")));
}

TEST(Channel, IndicesInRangeAndSpread) {
  Channel ch = seeded();
  for (unsigned log : {0u, 1u, 5u, 17u, 31u, 32u}) {
    auto idx = ch.draw_indices("q", 200, log);
    ASSERT_EQ(idx.size(), 200u);
    for (size_t i : idx) ASSERT_LT(i, size_t(1) << log) << log;
    if (log >= 17) {
      EXPECT_GT(std::set<size_t>(idx.begin(), idx.end()).size(), 190u);
    }
  }
  EXPECT_TRUE(ch.draw_indices("none", 0, 10).empty());
  EXPECT_THROW(ch.draw_indices("q", 1, 33), BadInput);
}

TEST(Channel, PowGrindAndCheck) {
  Channel prover = seeded(), verifier = seeded();
  uint64_t nonce = prover.grind(12);
  EXPECT_TRUE(verifier.check_pow(12, nonce));
  EXPECT_EQ(prover.state(), verifier.state());  // both absorbed the nonce
  EXPECT_EQ(prover.draw_qm31("after"), verifier.draw_qm31("after"));
}

TEST(Channel, PowGrindReturnsTheSmallestNonce) {
  Channel ch = seeded();
  uint64_t nonce = Channel(seeded()).grind(10);
  for (uint64_t smaller = 0; smaller < nonce; ++smaller) {
    Channel probe = seeded();
    ASSERT_FALSE(probe.check_pow(10, smaller)) << smaller;
  }
  EXPECT_TRUE(ch.check_pow(10, nonce));
}

TEST(Channel, PowIndependentOfThreadCount) {
  std::vector<uint64_t> nonces;
  for (size_t threads : {1, 2, 3}) {
    parallel::set_thread_count(threads);
    nonces.push_back(Channel(seeded()).grind(14));
  }
  parallel::set_thread_count(0);
  EXPECT_EQ(nonces[0], nonces[1]);
  EXPECT_EQ(nonces[0], nonces[2]);
}

TEST(Channel, PowCheckRejectsWrongNonceAndLeavesStateUnchanged) {
  Channel prover = seeded();
  uint64_t nonce = prover.grind(16);
  // A nonce for a different transcript state, and neighbours of the right one, fail
  // (each fails by chance with probability 1 - 2^-16).
  Channel other("test/v1");
  other.absorb_u64("seed", 43);
  uint64_t foreign = other.grind(16);
  for (uint64_t bad : {nonce + 1, nonce ^ 0x100, foreign}) {
    if (bad == nonce) continue;
    Channel verifier = seeded();
    hash::Digest before = verifier.state();
    EXPECT_FALSE(verifier.check_pow(16, bad)) << bad;
    EXPECT_EQ(verifier.state(), before);
  }
}

TEST(Channel, PowZeroBitsAndLimits) {
  EXPECT_EQ(Channel(seeded()).grind(0), 0u);
  Channel ch = seeded();
  EXPECT_TRUE(ch.check_pow(0, 12345));
  EXPECT_THROW(Channel(seeded()).grind(Channel::kMaxPowBits + 1), BadInput);
  EXPECT_THROW(Channel(seeded()).check_pow(200, 0), BadInput);
}
