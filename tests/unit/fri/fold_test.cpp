#include <gtest/gtest.h>

#include <random>

#include "circle/circle.hpp"
#include "circle/fft.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "poly/multilinear.hpp"

using namespace zkm31;

namespace {
std::mt19937_64 rng(3);
M31 rand_m31() { return M31(uint32_t(rng() % kP)); }
QM31 rand_qm31() { return QM31(rand_m31(), rand_m31(), rand_m31(), rand_m31()); }
QM31 q(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return QM31(M31(a), M31(b), M31(c), M31(d)); }
}  // namespace

// Stwo fold_circle_into_line / fold_line on coefficients 1..16 over CanonicCoset(4), as reproduced by
// reference/basefold/basefold_circle.py (check_circle); Stwo lists layers bit-reversed, we natural.
TEST(Fold, StwoVectors) {
  std::vector<M31> c;
  for (uint32_t i = 1; i <= 16; ++i) c.push_back(M31(i));
  auto ev = circle::evaluate(c, 4);
  EXPECT_EQ(ev[0].v, 319344278u);  // bit-reversed slots 0, 1, 2 = natural 0, 8, 4
  EXPECT_EQ(ev[8].v, 1682075683u);
  EXPECT_EQ(ev[4].v, 1487741836u);
  auto g = fri::fold_circle(ev, q(1, 2, 3, 4));
  ASSERT_EQ(g.size(), 8u);
  EXPECT_EQ(g[0], q(1924295226, 1993234177, 1916109442, 1838984707));
  EXPECT_EQ(g[7], q(1112157038, 480006733, 1793751923, 960013466));
  auto h = fri::fold_line(g, q(5, 6, 7, 8));
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0], q(1652063164, 1102710798, 409877296, 2061944301));
  EXPECT_EQ(h[3], q(1053026918, 1214673794, 951120704, 1805506022));
  EXPECT_THROW(fri::fold_line(std::vector<QM31>(3), QM31()), BadInput);
}

// NOTES.md §1: folding the codeword of Möbius(e) with s_0..s_{i−1} gives 2^i·Enc(c^{(i)}) at every
// position of every layer, and the last layer is the constant 2^n·MLE(e)(s).
TEST(Fold, EveryLayerIsScaledEncodingOfFoldedMessage) {
  for (unsigned n = 1; n <= 7; ++n)
    for (unsigned blow = 1; blow <= 2; ++blow) {
      const unsigned m = n + blow;
      std::vector<M31> e(size_t(1) << n);
      for (auto& x : e) x = rand_m31();
      std::vector<M31> c = e;
      poly::mobius(c);
      auto cw = circle::evaluate(c, m);
      std::vector<QM31> s(n), cc(c.size());
      for (auto& x : s) x = rand_qm31();
      for (size_t i = 0; i < c.size(); ++i) cc[i] = QM31(c[i]);
      std::vector<QM31> layer;
      for (unsigned i = 0; i < n; ++i) {
        layer = i == 0 ? fri::fold_circle(cw, s[0]) : fri::fold_line(layer, s[i]);
        std::vector<QM31> next(cc.size() / 2);
        for (size_t b = 0; b < next.size(); ++b) next[b] = cc[2 * b] + s[i] * cc[2 * b + 1];
        cc = next;
        const M31 scale = M31(2).pow(i + 1);
        ASSERT_EQ(layer.size(), size_t(1) << (m - i - 1));
        for (size_t j = 0; j < layer.size(); ++j) {
          M31 x = circle::domain_point(m - i, j % (size_t(1) << (m - i - 1))).x;
          if (j >= layer.size() / 2 && layer.size() > 1) x = -circle::domain_point(m - i, j - layer.size() / 2).x;
          ASSERT_EQ(layer[j], circle::eval_line_poly(cc, x) * scale) << n << " " << blow << " " << i << " " << j;
        }
        if (i + 1 < n) {
          for (size_t j = 0; j < layer.size() / 2; ++j) EXPECT_EQ(fri::twiddle(m, i + 1, j), circle::xs(m - i)[j]);
        }
      }
      const QM31 expect = poly::evaluate(e, s) * M31(2).pow(n);
      for (const auto& v : layer) EXPECT_EQ(v, expect);
      for (size_t j = 0; j < cw.size() / 2; ++j) {
        EXPECT_EQ(fri::twiddle(m, 0, j), circle::ys(m)[j]);
        EXPECT_EQ(fri::fold_pair(QM31(cw[j]), QM31(cw[j + cw.size() / 2]), s[0], circle::inv_ys(m)[j]),
                  fri::fold_circle(cw, s[0])[j]);
      }
    }
}

// Layer i of the folded codeword is 2^i·Enc_i(Möbius(table bound at s_0..s_{i−1})) (the PCS prover
// encodes its committed layers this way), and fold_row folds a coset row k levels at once.
TEST(Fold, LayersAreEncodingsOfTheBoundTableAndRowsFold) {
  const unsigned n = 7, m = 8;
  std::vector<M31> e(size_t(1) << n);
  for (auto& x : e) x = rand_m31();
  std::vector<M31> c = e;
  poly::mobius(c);
  const std::vector<M31> cw = circle::evaluate(c, m);
  std::vector<QM31> s(5);
  for (auto& x : s) x = rand_qm31();
  std::vector<std::vector<QM31>> layers = {fri::fold_circle(cw, s[0])};
  for (size_t i = 1; i < s.size(); ++i) layers.push_back(fri::fold_line(layers.back(), s[i]));
  std::vector<QM31> bound = poly::fix_low(std::span<const M31>(e), s[0]);
  for (unsigned i = 1; i <= s.size(); ++i) {
    if (i > 1) bound = poly::fix_low(std::span<const QM31>(bound), s[i - 1]);
    std::vector<QM31> msg = bound;
    poly::mobius(std::span<QM31>(msg));
    const std::vector<QM31>& layer = layers[i - 1];
    ASSERT_EQ(layer.size(), size_t(1) << (m - i));
    for (size_t j = 0; j < layer.size(); j += 7)
      ASSERT_EQ(layer[j], circle::eval_line_poly(msg, circle::domain_point(m - i + 1, j).x) * M31(1u << i)) << i << " " << j;
  }
  // Layer 3 as coset rows of width 4 (positions j + t·rows) folds into layer 5.
  const size_t rows = layers[2].size() / 4;
  for (size_t j : {size_t(0), size_t(5), rows - 1}) {
    std::vector<QM31> row;
    for (size_t t = 0; t < 4; ++t) row.push_back(layers[2][j + t * rows]);
    EXPECT_EQ(fri::fold_row(row, j, m - 5, m, 3, std::span(s).subspan(3, 2)), layers[4][j]);
  }
  std::vector<QM31> three(3);
  EXPECT_THROW(fri::fold_row(three, 0, m - 5, m, 3, std::span(s).subspan(3, 2)), BadInput);
}

// lib/stark's FRI takes a smaller domain's quotient in at the line layer of its size: after the circle
// fold and t line folds of a codeword on D_m, position j sits at x(D_(m−t)[j]) — the x of a doubled
// point, canonic domains being closed under doubling — which is where the smaller codeword's circle
// fold puts its position j. So the sum of the two is again a low-degree line codeword: folding it down
// leaves a constant.
TEST(Fold, SmallerCodewordEntersAtTheLayerOfItsSize) {
  for (unsigned m = 3; m <= 9; ++m)
    for (unsigned t = 0; t + 2 <= m; ++t)
      for (size_t j = 0; j < (size_t(1) << (m - 1)); j += 3) {
        M31 x = circle::domain_point(m, j).x;
        for (unsigned i = 0; i < t; ++i) x = circle::pi(x);
        ASSERT_EQ(x, circle::domain_point(m - t, j & ((size_t(1) << (m - t - 1)) - 1)).x) << m << " " << t << " " << j;
      }
  const unsigned blowup = 1, q = 8;
  for (unsigned e = 2; e <= q; ++e) {
    std::vector<M31> big(size_t(1) << q), small(size_t(1) << e);
    for (auto& x : big) x = rand_m31();
    for (auto& x : small) x = rand_m31();
    std::vector<QM31> layer = fri::fold_circle(circle::evaluate(big, q + blowup), rand_qm31());
    for (unsigned f = 0; f < q - e; ++f) layer = fri::fold_line(layer, rand_qm31());
    const std::vector<QM31> entering = fri::fold_circle(circle::evaluate(small, e + blowup), rand_qm31());
    ASSERT_EQ(layer.size(), entering.size());
    const QM31 mu = rand_qm31();
    for (size_t j = 0; j < layer.size(); ++j) layer[j] += mu * entering[j];
    for (unsigned f = 1; f < e; ++f) layer = fri::fold_line(layer, rand_qm31());
    ASSERT_EQ(layer.size(), size_t(1) << blowup);
    for (const QM31& v : layer) EXPECT_EQ(v, layer[0]) << e;
    // Without the shared positions (the smaller codeword reversed) the sum is no low-degree codeword.
    std::vector<QM31> wrong = fri::fold_circle(circle::evaluate(big, q + blowup), rand_qm31());
    for (unsigned f = 0; f < q - e; ++f) wrong = fri::fold_line(wrong, rand_qm31());
    for (size_t j = 0; j < wrong.size(); ++j) wrong[j] += mu * entering[wrong.size() - 1 - j];
    for (unsigned f = 1; f < e; ++f) wrong = fri::fold_line(wrong, rand_qm31());
    if (e > 2) {
      EXPECT_NE(wrong[0], wrong[1]) << e;
    }
  }
}
