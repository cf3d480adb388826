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

// Folding coset rows k levels at once equals k single folds of the natural-order layer.
TEST(Fold, RowsEqualRepeatedFolds) {
  const unsigned m = 9;
  std::vector<M31> cw(size_t(1) << m);
  for (auto& x : cw) x = rand_m31();
  std::vector<QM31> s(5);
  for (auto& x : s) x = rand_qm31();
  std::vector<std::vector<QM31>> layers = {fri::fold_circle(cw, s[0])};
  for (size_t i = 1; i < s.size(); ++i) layers.push_back(fri::fold_line(layers.back(), s[i]));
  auto rows_of = [](auto layer, unsigned k) {
    using F = typename decltype(layer)::value_type;
    const size_t w = size_t(1) << k, rows = layer.size() / w;
    std::vector<F> r(layer.size());
    for (size_t j = 0; j < rows; ++j)
      for (size_t t = 0; t < w; ++t) r[j * w + t] = layer[j + t * rows];
    return r;
  };
  // Layer 0 → layer 3, then layer 3 → layer 5.
  auto r0 = rows_of(cw, 3);
  auto l3 = fri::fold_rows(r0, m - 3, m, 0, std::span(s).first(3));
  EXPECT_EQ(l3, layers[2]);
  auto r3 = rows_of(l3, 2);
  auto l5 = fri::fold_rows(r3, m - 5, m, 3, std::span(s).subspan(3, 2));
  EXPECT_EQ(l5, layers[4]);
  for (size_t j : {size_t(0), size_t(5), size_t((1 << (m - 5)) - 1)}) {
    std::vector<QM31> row(r3.begin() + j * 4, r3.begin() + j * 4 + 4);
    EXPECT_EQ(fri::fold_row(row, j, m - 5, m, 3, std::span(s).subspan(3, 2)), layers[4][j]);
  }
  EXPECT_THROW(fri::fold_rows(r3, m - 4, m, 3, std::span(s).subspan(3, 2)), BadInput);
}
