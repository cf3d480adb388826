// The observable part of zero knowledge (lib/stark/README.md): what a proof opens of a trace column is
// independent of the witness.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <random>

#include "air/fibonacci.hpp"
#include "air/poseidon2.hpp"
#include "artifact/body.hpp"
#include "circle/circle.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"

using namespace zkm31;

namespace {

// T_b(P) = y^{b_0}·x^{b_1}·π(x)^{b_2}⋯ (the circle FFT basis).
template <typename F>
std::vector<F> basis_at(unsigned log_count, circle::Point<F> p) {
  std::vector<F> factor = {p.y, p.x};
  while (factor.size() < log_count) factor.push_back(factor.back() * factor.back() * M31(2) - F::one());
  std::vector<F> out(size_t(1) << log_count);
  for (size_t b = 0; b < out.size(); ++b) {
    F v = F::one();
    for (unsigned k = 0; k < log_count; ++k)
      if (b >> k & 1) v = v * factor[k];
    out[b] = v;
  }
  return out;
}

// Rank over M31 by Gaussian elimination.
size_t rank(std::vector<std::vector<M31>> m) {
  size_t r = 0;
  for (size_t c = 0; c < (m.empty() ? 0 : m[0].size()) && r < m.size(); ++c) {
    size_t piv = r;
    while (piv < m.size() && m[piv][c] == M31()) ++piv;
    if (piv == m.size()) continue;
    std::swap(m[r], m[piv]);
    const M31 inv = m[r][c].inverse();
    for (size_t i = 0; i < m.size(); ++i) {
      if (i == r || m[i][c] == M31()) continue;
      const M31 f = m[i][c] * inv;
      for (size_t k = c; k < m[i].size(); ++k) m[i][k] -= f * m[r][k];
    }
    ++r;
  }
  return r;
}

// Solves A·x = y (A square, invertible) over M31.
std::vector<M31> solve(std::vector<std::vector<M31>> a, std::vector<M31> y) {
  const size_t n = a.size();
  for (size_t c = 0; c < n; ++c) {
    size_t piv = c;
    while (a[piv][c] == M31()) ++piv;
    std::swap(a[c], a[piv]), std::swap(y[c], y[piv]);
    const M31 inv = a[c][c].inverse();
    for (size_t i = 0; i < n; ++i) {
      if (i == c || a[i][c] == M31()) continue;
      const M31 f = a[i][c] * inv;
      for (size_t k = c; k < n; ++k) a[i][k] -= f * a[c][k];
      y[i] -= f * y[c];
    }
  }
  for (size_t i = 0; i < n; ++i) y[i] *= a[i][i].inverse();
  return y;
}

}  // namespace

// The counting argument itself, at the default 70 queries (rate 1/2) and at 35 (rate 1/4, as
// `--log-blowup 2 --queries 35` and the vm31 proofs use), for a trace column on a domain of its own and
// for one on D_L: the random part v_n·r of a column (r with 2^h coefficients) takes independent uniform
// values at every point whose value a proof reveals or depends on — per query the pair the column's own
// tree opens (p, p + 2^(m−1) of its D_m), the positions of D_L the composition's tree opens and one
// trace row after each (the composition there reads them), and the 4 M31 limbs of each of z and z + one
// row — when
// these ≤ (2 + 2·2^w)·queries + 8 functionals have full rank (w: the composition tree's positions per
// row, layout.hpp; 2^w of them where a smaller domain's quotient enters FRI at layer w ≤ 3).
TEST(Zk, RandomisationCoversEveryOpening) {
  const stark::Config rate_half{}, rate_quarter{2, 35, 26, 4, 6, 0};
  std::set<unsigned> widths;
  // Degree-2 Fibonacci traces (w = 1 or 2) and a degree-5 Poseidon2 one (w = 3; at 35 queries only: the
  // rank of its 18·70 + 8 functionals at 70 would take seconds).
  for (const auto& [cfg, n, degree5] : {std::tuple{rate_half, 5u, false}, {rate_half, 10u, false}, {rate_half, 16u, false},
                                        {rate_quarter, 5u, false}, {rate_quarter, 10u, false}, {rate_quarter, 16u, false},
                                        {rate_quarter, 10u, true}}) {
    air::Components cs = {std::make_shared<air::Fibonacci>(n, M31())};
    if (degree5) cs = {std::make_shared<air::Poseidon2>(n)};
    const stark::Layout l = stark::layout_of(cs, cfg, false);
    widths.insert(l.w);
    const unsigned h = l.h, m = l.domains[l.domain_of[0]].log_size;
    EXPECT_EQ(h, stark::zk_log_size(cfg, l.w));
    std::mt19937_64 rng(11);
    std::vector<std::vector<M31>> rows;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    auto add_point = [&](circle::CirclePoint p) {
      if (!seen.insert({p.x.v, p.y.v}).second) return;  // the same functional again
      const M31 v = air::vanishing(n, p);
      auto b = basis_at(h, p);
      for (auto& x : b) x *= v;
      rows.push_back(b);
    };
    for (uint32_t q = 0; q < cfg.queries; ++q) {
      const size_t j = rng() % (size_t(1) << (l.L - 1)), first = j & ((size_t(1) << (l.L - l.w)) - 1);
      for (size_t t = 0; t < (size_t(1) << l.w); ++t) {  // the composition tree's row
        const size_t pos = first + (t << (l.L - l.w));
        add_point(circle::domain_point(l.L, pos));
        add_point(circle::domain_point(l.L, stark::next_index(l.L, n, pos)));
      }
      const size_t p = j & ((size_t(1) << (m - 1)) - 1);  // the column's own pair
      for (size_t pos : {p, p + (size_t(1) << (m - 1))}) add_point(circle::domain_point(m, pos));
    }
    Channel ch("zk-test");
    const stark::Ood ood = stark::draw_ood(ch);
    ASSERT_TRUE(ood.ok);
    for (const auto& p : {ood.z, stark::shifted(ood.z, n)}) {
      const QM31 v = air::vanishing(n, p);
      std::array<std::vector<M31>, 4> limb_rows;
      for (const QM31& t : basis_at(h, p))
        for (size_t k = 0; k < 4; ++k) limb_rows[k].push_back((t * v).limbs()[k]);
      for (auto& r : limb_rows) rows.push_back(r);
    }
    ASSERT_LE(rows.size(), (2 + (size_t(2) << l.w)) * cfg.queries + 8);
    ASSERT_LE(rows.size(), (size_t(1) << h) - 1);
    EXPECT_EQ(rank(rows), rows.size()) << cfg.queries << " queries at rate 2^-" << cfg.log_blowup << ", n = " << n
                                       << ", trace on D_" << m << " of D_" << l.L << ", w = " << l.w;
  }
  EXPECT_EQ(widths, (std::set<unsigned>{1, 2, 3}));
}

namespace {

// Two witnesses with the same public result: (a0, b0) and (a0 + δ·F, b0 − δ·G) where result = G·a0 + F·b0.
struct Pair {
  air::Columns a, b;
  M31 result;
};
Pair two_witnesses(unsigned n) {
  const M31 g = air::Fibonacci::result(air::Fibonacci::trace(n, M31(1), M31(0)));
  const M31 f = air::Fibonacci::result(air::Fibonacci::trace(n, M31(0), M31(1)));
  Pair p{air::Fibonacci::trace(n, M31(12345), M31(678910)), {}, {}};
  const M31 delta(99991);
  p.b = air::Fibonacci::trace(n, M31(12345) + delta * f, M31(678910) - delta * g);
  p.result = air::Fibonacci::result(p.a);
  EXPECT_EQ(air::Fibonacci::result(p.b), p.result);
  EXPECT_NE(p.a[0][0], p.b[0][0]);
  return p;
}

}  // namespace

// Many proofs of one public statement from two witnesses: the opened values of the trace columns, the
// sampled out-of-domain values and the composition openings are distributed alike (a chi-square
// two-sample test on 16 buckets of the low 4 bits per value kind), and a fixed linear functional of the
// opened trace values — the interpolation a verifier would run on a non-hiding proof to read row 0 back
// — never returns the witness.
TEST(Zk, TwoWitnessesGiveTheSameDistribution) {
  const unsigned n = 3;
  const Pair w = two_witnesses(n);
  const air::Components cs = {std::make_shared<air::Fibonacci>(n, w.result)};
  const stark::Config cfg{1, 8, 0, 2, 1, 0};
  const stark::Layout l = stark::layout_of(cs, cfg, false);
  const unsigned m = l.domains[l.domain_of[0]].log_size;  // the trace's domain
  const size_t runs = 300;
  // kind → witness → bucket counts
  std::map<std::string, std::array<std::array<double, 16>, 2>> hist;
  size_t recovered = 0;
  for (size_t run = 0; run < runs; ++run)
    for (size_t which = 0; which < 2; ++which) {
      stark::Randomness rnd(1000 * run + which);
      const stark::Proof p = stark::prove(cs, {which ? w.b : w.a}, cfg, rnd);
      ASSERT_NO_THROW(stark::verify(cs, p, 0));
      const size_t width = l.trees[0].row_len(), cols = 2 * l.trees[0].columns;
      for (size_t r = 0; r < p.rows[0].size() / width; ++r)
        for (size_t c = 0; c < cols; ++c) hist["trace rows"][which][p.rows[0][r * width + c].v & 15]++;
      for (size_t i = 0; i + 4 < p.sampled.size(); ++i)
        for (M31 v : p.sampled[i].limbs()) hist["sampled trace"][which][v.v & 15]++;
      for (size_t i = p.sampled.size() - 4; i < p.sampled.size(); ++i)
        for (M31 v : p.sampled[i].limbs()) hist["sampled composition"][which][v.v & 15]++;
      const std::vector<M31>& comp = p.rows[l.composition_tree];
      const stark::TreeShape& cshape = l.trees[l.composition_tree];
      for (size_t r = 0; r < comp.size() / cshape.row_len(); ++r)
        for (size_t c = 0; c < (cshape.columns << cshape.log_width); ++c)
          hist["composition rows"][which][comp[r * cshape.row_len() + c].v & 15]++;
      for (const auto& layer : p.fri_rows)
        for (const QM31& x : layer)
          for (M31 v : x.limbs()) hist["fri rows"][which][v.v & 15]++;
      // The attacker's interpolation: the trace polynomial of a non-hiding proof has 2^n coefficients;
      // solve for them from the first 2^n opened positions of column a and evaluate at row 0.
      const size_t count = size_t(1) << n;
      std::vector<size_t> pos;
      {
        // The opened positions are the verifier's queries: replay its transcript to get them.
        // (One main tree, on a domain of its own; no interaction tree.)
        ASSERT_EQ(l.trees.size(), 2u);
        ASSERT_EQ(l.domains.size(), 2u);
        Channel ch("zkm31/stark");
        stark::absorb_statement(ch, cs, cfg, l);
        ch.absorb_digest("stark/main", p.roots[0]);
        ch.draw_qm31("stark/lookup_z"), ch.draw_qm31("stark/lookup_alpha");
        ch.absorb_qm31s("stark/claimed", p.claimed_sums);
        ch.draw_qm31s("stark/alpha", cs.size());
        ch.absorb_digest("stark/composition", p.roots[1]);
        stark::draw_ood(ch);
        ch.absorb_qm31s("stark/sampled", p.sampled);
        ch.draw_qm31("stark/gamma");
        for (unsigned a = 0; a < l.w; ++a) ch.draw_qm31("stark/fri");
        auto injection = [&](unsigned a) {
          if (l.injected_at(a)) ch.draw_qm31("stark/inject_fold"), ch.draw_qm31("stark/inject");
        };
        for (size_t g = 0; g < l.start.size(); ++g) {
          injection(l.start[g]);
          ch.absorb_digest("stark/fri_root", p.fri_roots[g]);
          for (unsigned t = 0; t < l.k[g]; ++t) ch.draw_qm31("stark/fri");
        }
        injection(l.folds);
        ch.absorb_qm31s("stark/final", p.final_coefficients);
        ASSERT_TRUE(ch.check_pow(cfg.pow_bits, p.pow_nonce));
        pos = stark::opened_rows(ch.draw_indices("stark/queries", cfg.queries, l.L - 1), m - 1);
      }
      // Column a at the opened rows' two positions each.
      std::vector<std::vector<M31>> a;
      std::vector<M31> y;
      for (size_t i = 0; i < pos.size() && a.size() < count; ++i)
        for (size_t side = 0; side < 2 && a.size() < count; ++side) {
          a.push_back(basis_at<M31>(n, circle::domain_point(m, pos[i] + side * (size_t(1) << (m - 1)))));
          y.push_back(p.rows[0][i * width + side * l.trees[0].columns]);
        }
      ASSERT_EQ(a.size(), count);
      if (rank(a) < count) continue;
      const std::vector<M31> coeffs = solve(a, y);
      M31 guess;
      const auto t0 = basis_at<M31>(n, air::trace_point(n, 0));
      for (size_t b = 0; b < count; ++b) guess += coeffs[b] * t0[b];
      hist["interpolated row 0"][which][guess.v & 15]++;
      recovered += guess == (which ? w.b : w.a)[0][0];
    }
  EXPECT_EQ(recovered, 0u);
  for (const auto& [kind, h] : hist) {
    // Two-sample chi-square, 15 degrees of freedom: 37.7 is the 0.999 quantile.
    double n0 = 0, n1 = 0, chi = 0;
    for (size_t b = 0; b < 16; ++b) n0 += h[0][b], n1 += h[1][b];
    for (size_t b = 0; b < 16; ++b) {
      const double s = h[0][b] + h[1][b];
      if (s == 0) continue;
      const double d = h[0][b] * std::sqrt(n1 / n0) - h[1][b] * std::sqrt(n0 / n1);
      chi += d * d / s;
    }
    EXPECT_LT(chi, 37.7) << kind << " (" << n0 << " values per witness)";
    EXPECT_GT(n0, 100) << kind;
  }
}

// No value of the witness appears verbatim (as its 4 little-endian bytes) anywhere in the proof.
TEST(Zk, NoWitnessValueInTheProofBytes) {
  const unsigned n = 6;
  const air::Columns t = air::Fibonacci::trace(n, M31(0x5a5a5a5a), M31(0x3c3c3c3c));
  const air::Components cs = {std::make_shared<air::Fibonacci>(n, air::Fibonacci::result(t))};
  const stark::Proof p = stark::prove(cs, {t}, stark::Config{1, 76, 20, 3, 3, 0});
  artifact::BodyWriter w(1);
  w.key("proof");
  p.write(w);
  const auto bytes = w.bytes();
  size_t found = 0;
  for (const auto& col : t)
    for (M31 v : col) {
      if (v == air::Fibonacci::result(t)) continue;  // the public input
      for (size_t i = 0; i + 4 <= bytes.size(); ++i) found += std::memcmp(&bytes[i], &v.v, 4) == 0;
    }
  EXPECT_EQ(found, 0u);
}
