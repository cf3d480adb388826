#include <gtest/gtest.h>

#include <random>

#include "air/eval.hpp"
#include "air/fibonacci.hpp"
#include "air/range.hpp"
#include "artifact/body.hpp"
#include "circle/fft.hpp"
#include "error/error.hpp"
#include "poly/bitrev.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"
#include "stark/testing.hpp"

using namespace zkm31;

namespace {

// 96 conjectured bits with cheap grinding: 76 queries at rate 1/2 + 20 bits.
const stark::Config kFast{1, 76, 20, 3, 3, 0};

air::Components fib(unsigned n, M31 result) { return {std::make_shared<air::Fibonacci>(n, result)}; }

struct Fixture {
  air::Components cs;
  std::vector<air::Columns> traces;
  stark::Proof proof;
};

Fixture honest(unsigned n = 5, uint64_t seed = 1) {
  Fixture f;
  f.traces = {air::Fibonacci::trace(n, M31(3), M31(7))};
  f.cs = fib(n, air::Fibonacci::result(f.traces[0]));
  stark::Randomness rnd(seed);
  f.proof = stark::prove(f.cs, f.traces, kFast, rnd);
  return f;
}

stark::Proof roundtrip(const stark::Proof& p) {
  artifact::BodyWriter w(1);
  w.key("proof");
  p.write(w);
  const auto h = artifact::parse_body(w.bytes(), "test");
  return stark::Proof::read(artifact::MapView(h.get(), "test").map("proof"));
}

}  // namespace

TEST(Air, TracePointsAreTheCanonicCosetInCyclicOrder) {
  for (unsigned n : {3u, 5u}) {
    const auto d = circle::canonic_domain(n);
    const auto step = circle::subgroup_gen(n);
    for (size_t i = 0; i < (size_t(1) << n); ++i) {
      EXPECT_EQ(air::trace_point(n, i), d[air::natural_index(n, i)]);
      EXPECT_EQ(air::trace_point(n, i) + step, air::trace_point(n, (i + 1) % (size_t(1) << n)));
    }
  }
}

TEST(Air, SelectorsVanishWhereTheySay) {
  const unsigned n = 4;
  const size_t rows = size_t(1) << n;
  // On the trace domain the closed forms are 0/0 at ±P_r; check them just off it, via a larger domain's
  // points, against their defining zeros instead: vanishing on C_n, only_row nonzero at P_r's limit.
  for (size_t i = 0; i < rows; ++i) {
    const auto p = air::trace_point(n, i);
    EXPECT_EQ(air::vanishing(n, p), M31());
    EXPECT_EQ(air::except_row(n, rows - 1, p) == M31(), i == rows - 1);
  }
  const auto outside = circle::domain_point(n + 2, 5);
  EXPECT_NE(air::vanishing(n, outside), M31());
  EXPECT_NE(air::only_row(n, 0, outside), M31());
  // only_row(r) is a polynomial of degree ≤ 2^(n−1) that vanishes on C_n \ {P_r}: interpolate it on
  // D_(n+1) and check the top coefficients are zero and the interpolant is zero on the other rows.
  std::vector<M31> vals;
  for (const auto& p : circle::canonic_domain(n + 2)) vals.push_back(air::only_row(n, 3, p));
  const auto coeffs = circle::interpolate(vals);
  for (size_t b = size_t(1) << (n + 1); b < coeffs.size(); ++b) ASSERT_EQ(coeffs[b], M31()) << b;
  for (size_t i = 0; i < rows; ++i)
    EXPECT_EQ(circle::eval_circle_poly(coeffs, air::trace_point(n, i)) == M31(), i != 3) << i;
}

TEST(Stark, NextIndexStepsOneTraceRow) {
  const unsigned L = 8;
  const auto d = circle::canonic_domain(L);
  for (unsigned n : {3u, 5u, 8u})
    for (size_t j = 0; j < d.size(); ++j) ASSERT_EQ(d[stark::next_index(L, n, j)], d[j] + circle::subgroup_gen(n));
}

// The composition is evaluated on residue classes of D_q (circle::ResidueDomain); one trace row further
// stays in the class, at next_index of the class's own size-2^e order.
TEST(Stark, NextIndexWithinAResidueClass) {
  const unsigned q = 9;
  const auto d = circle::canonic_domain(q);
  for (auto [n, e] : {std::pair{3u, 4u}, {3u, 7u}, {5u, 6u}, {8u, 9u}}) {
    const size_t classes = size_t(1) << (q - e);
    for (size_t r = 0; r < classes; ++r)
      for (size_t k = 0; k < (size_t(1) << e); ++k)
        ASSERT_EQ(d[r + classes * stark::next_index(e, n, k)], d[r + classes * k] + circle::subgroup_gen(n));
  }
}

TEST(Stark, EvalAtMatchesTheFft) {
  std::mt19937 rng(5);
  std::vector<M31> c(64);
  for (auto& x : c) x = M31(rng() % kP);
  const auto p = circle::domain_point(9, 77);
  const QM31 got = stark::eval_at(poly::bitrev_permute<M31>(c), {QM31(p.x), QM31(p.y)});
  EXPECT_EQ(got, QM31(circle::eval_circle_poly(c, p)));
}

TEST(Stark, HonestProofVerifies) {
  const Fixture f = honest();
  // The trace on its own domain D_12 (2^11 coefficients: h = 10), the composition on D_13 with rows of
  // 4 positions (the trace's quotient enters FRI at layer 2, its first tree): two trees.
  const stark::Layout l = stark::layout_of(f.cs, kFast, false);
  ASSERT_EQ(l.domains.size(), 2u);
  EXPECT_EQ(l.h, 10u);
  EXPECT_EQ(l.w, 2u);
  EXPECT_EQ(l.domains[1].log_size, 12u);
  EXPECT_EQ(l.domains[1].inject, 2u);
  EXPECT_EQ(l.start[0], 2u);
  EXPECT_EQ(f.proof.roots.size(), 2u);
  EXPECT_NO_THROW(stark::verify(f.cs, f.proof));
  EXPECT_NO_THROW(stark::verify(f.cs, roundtrip(f.proof)));
}

TEST(Stark, SeveralSizes) {
  for (unsigned n : {3u, 9u, 11u}) {
    const Fixture f = honest(n, n);
    EXPECT_NO_THROW(stark::verify(f.cs, f.proof)) << n;
  }
}

TEST(Stark, TwoComponentsOfDifferentSizes) {
  air::Columns a = air::Fibonacci::trace(4, M31(1), M31(1)), b = air::Fibonacci::trace(7, M31(2), M31(9));
  air::Components cs = {std::make_shared<air::Fibonacci>(4, air::Fibonacci::result(a)),
                        std::make_shared<air::Fibonacci>(7, air::Fibonacci::result(b))};
  stark::Randomness rnd(2);
  const stark::Proof p = stark::prove(cs, {a, b}, kFast, rnd);
  EXPECT_NO_THROW(stark::verify(cs, p));
  air::Components swapped = {cs[0], std::make_shared<air::Fibonacci>(7, air::Fibonacci::result(a))};
  EXPECT_THROW(stark::verify(swapped, p), Rejected);
}

// Fibonacci traces of 2^12, 2^10 and 2^5 rows: coefficient spaces 2^13 (= the composition's, on D_L),
// 2^11 and 2^10, so three domains, two of whose quotients enter FRI late. Tampering with any tree's
// opened rows or with the layers the smaller quotients enter is rejected.
TEST(Stark, ComponentsOnThreeDomains) {
  std::vector<air::Columns> traces;
  air::Components cs;
  for (unsigned n : {12u, 10u, 5u}) {
    traces.push_back(air::Fibonacci::trace(n, M31(n), M31(1)));
    cs.push_back(std::make_shared<air::Fibonacci>(n, air::Fibonacci::result(traces.back())));
  }
  const stark::Layout l = stark::layout_of(cs, kFast, false);
  ASSERT_EQ(l.domains.size(), 3u);
  EXPECT_EQ(l.domains[0].log_size, l.L);
  EXPECT_EQ(l.domains[1].log_size, 12u);
  EXPECT_EQ(l.domains[2].log_size, 11u);
  EXPECT_EQ(l.domains[1].inject, 3u);
  EXPECT_EQ(l.domains[2].inject, 4u);
  stark::Randomness rnd(6);
  const stark::Proof p = stark::prove(cs, traces, kFast, rnd);
  ASSERT_NO_THROW(stark::verify(cs, p));
  ASSERT_EQ(p.rows.size(), 4u);  // three main trees, the composition
  for (size_t t = 0; t < p.rows.size(); ++t)
    for (size_t at : {size_t(0), p.rows[t].size() / 2 + 1}) {
      stark::Proof bad = p;
      bad.rows[t][at] += M31(1);
      EXPECT_THROW(stark::verify(cs, bad), Rejected) << "tree " << t << " value " << at;
    }
  size_t entered = 0;
  for (size_t g = 0; g < l.start.size(); ++g) {
    if (l.injected_at(l.start[g]) == 0) continue;
    ++entered;
    stark::Proof bad = p;
    for (QM31& x : bad.fri_rows[g]) x += QM31::one();
    EXPECT_THROW(stark::verify(cs, bad), Rejected) << "layer " << l.start[g];
  }
  EXPECT_EQ(entered, 2u);
  // The components in another order are another statement.
  EXPECT_THROW(stark::verify({cs[1], cs[0], cs[2]}, p), Rejected);
}

// A final layer larger than the trace's line: FRI folds until the trace's quotient enters at the last
// layer, which is also layer w, so no FRI tree at all — the final coefficients carry the whole check.
TEST(Stark, QuotientEnteringAtTheLastLayer) {
  const stark::Config cfg{1, 4, 0, 2, 8, 0};
  const air::Columns t = air::Fibonacci::trace(3, M31(3), M31(7));
  const auto cs = fib(3, air::Fibonacci::result(t));
  const stark::Layout l = stark::layout_of(cs, cfg, false);
  ASSERT_EQ(l.domains.size(), 2u);
  EXPECT_EQ(l.domains[1].inject, l.folds);
  EXPECT_EQ(l.w, l.folds);
  EXPECT_TRUE(l.start.empty());
  stark::Randomness rnd(12);
  const stark::Proof p = stark::prove(cs, {t}, cfg, rnd);
  ASSERT_NO_THROW(stark::verify(cs, p, 0));
  for (size_t i = 0; i < p.final_coefficients.size(); i += 7) {
    stark::Proof bad = p;
    bad.final_coefficients[i] += QM31::one();
    EXPECT_THROW(stark::verify(cs, bad, 0), Rejected) << i;
  }
  stark::Proof bad = p;
  bad.rows[0][1] += M31(1);
  EXPECT_THROW(stark::verify(cs, bad, 0), Rejected);
}

TEST(Stark, ProverRefusesABadWitness) {
  air::Columns t = air::Fibonacci::trace(5, M31(3), M31(7));
  const auto cs = fib(5, air::Fibonacci::result(t));
  t[0][9] += M31(1);
  EXPECT_THROW(stark::prove(cs, {t}, kFast), BadInput);
  EXPECT_THROW(stark::prove(cs, {air::Columns{t[0]}}, kFast), BadInput);
}

// A witness that breaks one constraint in one row, proven without the prover's check: rejected.
TEST(Stark, BrokenConstraintInOneRowIsRejected) {
  const unsigned n = 5;
  for (size_t row : {0u, 13u, 30u, 31u}) {
    air::Columns t = air::Fibonacci::trace(n, M31(3), M31(7));
    const auto cs = fib(n, air::Fibonacci::result(t));
    t[row == 31 ? 1 : 0][row] += M31(1);
    stark::Randomness rnd(row);
    EXPECT_THROW(stark::verify(cs, stark::testing::prove_unchecked(cs, {t}, kFast, rnd)), Rejected) << row;
    const stark::Proof p = stark::testing::prove_unchecked(cs, {t}, kFast, rnd, true);
    try {
      stark::verify(cs, p);
      ADD_FAILURE() << "row " << row << " accepted";
    } catch (const Rejected& e) {
      // The composition is no polynomial: FRI's fold chain, not a shape check, catches it.
      EXPECT_NE(std::string(e.what()).find("FRI"), std::string::npos) << e.what();
    }
  }
}

TEST(Stark, ChangedPublicInputIsRejected) {
  const Fixture f = honest();
  EXPECT_THROW(stark::verify(fib(5, air::Fibonacci::result(f.traces[0]) + M31(1)), f.proof), Rejected);
  EXPECT_THROW(stark::verify(fib(6, air::Fibonacci::result(f.traces[0])), f.proof), Rejected);
}

TEST(Stark, ConfigBelowTheFloorIsRejected) {
  air::Columns t = air::Fibonacci::trace(5, M31(3), M31(7));
  const auto cs = fib(5, air::Fibonacci::result(t));
  stark::Randomness rnd(4);
  const stark::Proof p = stark::prove(cs, {t}, stark::Config{1, 40, 10, 3, 3, 0}, rnd);
  EXPECT_THROW(stark::verify(cs, p), Rejected);
  EXPECT_NO_THROW(stark::verify(cs, p, 50));
  stark::Proof lied = p;
  lied.config.queries = 90;  // claims more security than it was made with
  EXPECT_THROW(stark::verify(cs, lied), Rejected);
}

TEST(Stark, EveryFieldTamperedIsRejected) {
  const Fixture f = honest();
  std::vector<std::function<void(stark::Proof&)>> tampers = {
      [](auto& p) { p.roots[0][3] ^= 1; },
      [](auto& p) { p.roots[1][31] ^= 1; },
      [](auto& p) { p.roots.push_back(p.roots[0]); },
      [](auto& p) { p.claimed_sums[0] += QM31::one(); },
      [](auto& p) { p.sampled[0] += QM31::one(); },
      [](auto& p) { p.sampled[3] += QM31::one(); },
      [](auto& p) { p.sampled.back() += QM31::one(); },
      [](auto& p) { p.sampled.pop_back(); },
      [](auto& p) { p.fri_roots[0][1] ^= 1; },
      [](auto& p) { p.final_coefficients[0] += QM31::one(); },
      [](auto& p) { p.final_coefficients.push_back(QM31()); },
      [](auto& p) { p.pow_nonce += 1; },
      [](auto& p) { p.rows[0][0] += M31(1); },
      [](auto& p) { p.rows[0][4] += M31(1); },  // a salt
      [](auto& p) { p.rows[0][3] += M31(1); },  // the pair's second position
      [](auto& p) { p.rows[1][0] += M31(1); },
      [](auto& p) { p.rows[1][5] += M31(1); },  // the mask
      [](auto& p) { p.rows[1][13] += M31(1); },  // the mask at the row's second position
      [](auto& p) { p.rows[1][29] += M31(1); },  // the mask at the row's fourth position
      [](auto& p) { p.paths[0].siblings[0][0] ^= 1; },
      [](auto& p) { p.paths[1].siblings.pop_back(); },
      [](auto& p) { p.fri_rows[0][0] += QM31::one(); },
      [](auto& p) { p.fri_rows.back().back() += QM31::one(); },
      [](auto& p) { p.fri_paths[0].siblings[0][7] ^= 1; },
      [](auto& p) { p.config.pow_bits = 19, p.config.queries = 77; },
      [](auto& p) { p.config.fold_step = 2; },
      [](auto& p) { p.config.final_log = 4; },
      [](auto& p) { p.config.first_fold = 1; },
  };
  for (size_t i = 0; i < tampers.size(); ++i) {
    stark::Proof p = f.proof;
    tampers[i](p);
    EXPECT_THROW(stark::verify(f.cs, p), Rejected) << "tamper " << i;
  }
}

TEST(Stark, MalformedSerializationIsRejected) {
  const Fixture f = honest();
  artifact::BodyWriter w(1);
  w.key("proof");
  f.proof.write(w);
  std::vector<uint8_t> bytes(w.bytes().begin(), w.bytes().end());
  const auto read = [&](std::span<const uint8_t> b) {
    const auto h = artifact::parse_body(b, "test");
    return stark::Proof::read(artifact::MapView(h.get(), "test").map("proof"));
  };
  EXPECT_NO_THROW(read(bytes));
  // A residue ≥ p inside the sampled values (bin of LE u32): find it by its encoding.
  std::vector<uint8_t> bad = bytes;
  const uint32_t v = f.proof.sampled[0].limbs()[0].v;
  for (size_t i = 0; i + 4 <= bad.size(); ++i)
    if (std::memcmp(&bad[i], &v, 4) == 0) {
      bad[i + 3] = 0xff;
      break;
    }
  EXPECT_ANY_THROW(read(bad));
  bytes.push_back(0);
  EXPECT_ANY_THROW(read(bytes));
}

namespace {

struct Limbs {
  air::Components cs;
  std::vector<air::Columns> traces;
};

Limbs limbs(unsigned n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<M31> xs(size_t(1) << n);
  for (auto& x : xs) x = M31(uint32_t(rng() % kP));
  Limbs l;
  l.traces.push_back(air::Decompose31::trace(n, xs));
  l.traces.push_back(air::RangeCheck::trace(16, air::Decompose31::looked_up(l.traces[0])));
  l.cs = {std::make_shared<air::Decompose31>(n), std::make_shared<air::RangeCheck>(16)};
  return l;
}

}  // namespace

TEST(Stark, RangeCheckedLimbsVerify) {
  const Limbs l = limbs(6, 1);
  stark::Randomness rnd(8);
  const stark::Proof p = stark::prove(l.cs, l.traces, kFast, rnd);
  EXPECT_NO_THROW(stark::verify(l.cs, p));
  EXPECT_NE(p.claimed_sums[0], QM31());
  EXPECT_EQ(p.claimed_sums[0] + p.claimed_sums[1], QM31());
  stark::Proof forged = p;  // sums that still cancel but are not the columns'
  forged.claimed_sums[0] += QM31::one(), forged.claimed_sums[1] -= QM31::one();
  EXPECT_THROW(stark::verify(l.cs, forged), Rejected);
}

TEST(Stark, LogUpMultiplicityOffByOneIsRejected) {
  Limbs l = limbs(6, 2);
  l.traces[1][1][l.traces[0][1][5].v] += M31(1);
  EXPECT_THROW(stark::prove(l.cs, l.traces, kFast), BadInput);
  stark::Randomness rnd(9);
  EXPECT_THROW(stark::verify(l.cs, stark::testing::prove_unchecked(l.cs, l.traces, kFast, rnd)), Rejected);
}

TEST(Stark, ValueOutsideTheTableIsRejected) {
  Limbs l = limbs(6, 3);
  // Row 7 as lo = 2^16 + lo', hi − 1: the sum constraint still holds, lo is no 16-bit value.
  auto& t = l.traces[0];
  ASSERT_NE(t[2][7].v, 0u);
  t[1][7] += M31(1u << 16), t[2][7] -= M31(1);
  l.traces[1] = air::RangeCheck::trace(16, std::vector<uint32_t>());  // honest multiplicities are impossible
  EXPECT_NO_THROW(air::check_trace(*l.cs[0], t));
  EXPECT_THROW(stark::prove(l.cs, l.traces, kFast), BadInput);
  stark::Randomness rnd(10);
  EXPECT_THROW(stark::verify(l.cs, stark::testing::prove_unchecked(l.cs, l.traces, kFast, rnd)), Rejected);
}

// 10 000 random mutations of a proof's fields (what a forger can send once the envelope's checksum is
// fixed): one M31 limb, one digest byte, the nonce, or the config — none is accepted.
TEST(Stark, RandomMutationsAreAllRejected) {
  const Fixture f = honest(3, 77);
  std::mt19937_64 rng(2024);
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  auto bump_qm31 = [&](std::vector<QM31>& v) {
    if (v.empty()) return false;
    QM31& x = v[pick(v.size())];
    auto l = x.limbs();
    l[pick(4)] += M31(1 + uint32_t(rng() % (kP - 1)));
    x = QM31::from_limbs(l);
    return true;
  };
  auto bump_m31 = [&](std::vector<M31>& v) {
    if (v.empty()) return false;
    v[pick(v.size())] += M31(1 + uint32_t(rng() % (kP - 1)));
    return true;
  };
  auto flip = [&](std::vector<hash::Digest>& v) {
    if (v.empty()) return false;
    v[pick(v.size())][pick(32)] ^= uint8_t(1 + rng() % 255);
    return true;
  };
  size_t accepted = 0, done = 0;
  while (done < 10000) {
    stark::Proof p = f.proof;
    bool changed = false;
    switch (pick(11)) {
      case 0: p.roots[pick(p.roots.size())][pick(32)] ^= uint8_t(1 + rng() % 255), changed = true; break;
      case 1: changed = bump_qm31(p.claimed_sums); break;
      case 2: changed = bump_qm31(p.sampled); break;
      case 3: changed = flip(p.fri_roots); break;
      case 4: changed = bump_qm31(p.final_coefficients); break;
      case 5: p.pow_nonce ^= uint64_t(1) << pick(64), changed = true; break;
      case 6: changed = bump_m31(p.rows[pick(p.rows.size())]); break;
      case 7: changed = flip(p.paths[pick(p.paths.size())].siblings); break;
      case 8: changed = !p.fri_rows.empty() && bump_qm31(p.fri_rows[pick(p.fri_rows.size())]); break;
      case 9: changed = !p.fri_paths.empty() && flip(p.fri_paths[pick(p.fri_paths.size())].siblings); break;
      case 10: {
        uint32_t* fields[5] = {&p.config.log_blowup, &p.config.queries, &p.config.pow_bits, &p.config.fold_step,
                               &p.config.final_log};
        *fields[pick(5)] += 1 + uint32_t(pick(3));
        changed = true;
        break;
      }
    }
    if (!changed) continue;
    ++done;
    try {
      stark::verify(f.cs, p);
      ++accepted;
    } catch (const Rejected&) {
    }
  }
  EXPECT_EQ(accepted, 0u);
}
