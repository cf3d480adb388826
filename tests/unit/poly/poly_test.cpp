#include <gtest/gtest.h>

#include <random>

#include "error/error.hpp"
#include "field/simd.hpp"
#include "poly/fastmul.hpp"
#include "poly/multilinear.hpp"

using namespace zkm31;

namespace {

std::mt19937_64 rng(7);
M31 rand_m31() { return M31(uint32_t(rng() % kP)); }
QM31 rand_qm31() { return QM31(rand_m31(), rand_m31(), rand_m31(), rand_m31()); }
std::vector<QM31> rand_point(size_t n) {
  std::vector<QM31> r(n);
  for (auto& x : r) x = rand_qm31();
  return r;
}

// The definition: Σ_b v[b] Π_k (b_k ? r_k : 1 − r_k).
template <typename F>
QM31 naive_mle(const std::vector<F>& v, const std::vector<QM31>& r) {
  QM31 acc;
  for (size_t b = 0; b < v.size(); ++b) {
    QM31 w = QM31::one();
    for (size_t k = 0; k < r.size(); ++k) w *= (b >> k & 1) ? r[k] : QM31::one() - r[k];
    acc += w * v[b];
  }
  return acc;
}

}  // namespace

TEST(Poly, EqTableMatchesDefinition) {
  for (size_t n : {0, 1, 3, 6}) {
    auto r = rand_point(n);
    QM31 scale = rand_qm31();
    auto t = poly::eq_table(r, scale);
    ASSERT_EQ(t.size(), size_t(1) << n);
    for (size_t b = 0; b < t.size(); ++b) {
      std::vector<QM31> bits(n);
      for (size_t k = 0; k < n; ++k) bits[k] = (b >> k & 1) ? QM31::one() : QM31();
      EXPECT_EQ(t[b], scale * poly::eq_eval(r, bits));
    }
  }
}

TEST(Poly, EqTableLargeParallelAgreesWithEval) {
  auto r = rand_point(16);
  auto t = poly::eq_table(r);
  auto s = rand_point(16);
  EXPECT_EQ(poly::evaluate(t, s), poly::eq_eval(r, s));
  std::vector<QM31> acc(t.size());
  poly::add_eq_table(r, QM31(M31(3)), acc);
  EXPECT_EQ(acc[12345], t[12345] * M31(3));
}

TEST(Poly, EvaluateMatchesNaive) {
  for (size_t n : {0, 1, 2, 5, 8, 11, 13}) {  // 11, 13: large M31 tables take the weighted-rows path
    std::vector<M31> v(size_t(1) << n);
    for (auto& x : v) x = rand_m31();
    auto r = rand_point(n);
    EXPECT_EQ(poly::evaluate(v, r), naive_mle(v, r)) << n;
    std::vector<QM31> vq(v.begin(), v.end());
    for (size_t i = 0; i < v.size(); ++i) vq[i] = QM31(v[i]) * rand_qm31();
    EXPECT_EQ(poly::evaluate(vq, r), naive_mle(vq, r)) << n;
  }
  EXPECT_THROW(poly::evaluate(std::vector<M31>(6), rand_point(3)), BadInput);
}

TEST(Poly, FixLowAndHighAreRestrictions) {
  const size_t n = 7;
  std::vector<M31> v(size_t(1) << n);
  for (auto& x : v) x = rand_m31();
  auto r = rand_point(n);
  auto low = poly::fix_low(v, r[0]);
  EXPECT_EQ(poly::evaluate(low, std::span(r).subspan(1)), naive_mle(v, r));
  auto high = poly::fix_high(v, std::span(r).subspan(4));
  ASSERT_EQ(high.size(), size_t(16));
  EXPECT_EQ(poly::evaluate(high, std::span(r).first(4)), naive_mle(v, r));
}

TEST(Poly, MobiusGivesMonomialCoefficients) {
  for (size_t n : {0, 1, 4, 9}) {
    std::vector<M31> v(size_t(1) << n);
    for (auto& x : v) x = rand_m31();
    std::vector<M31> c = v;
    poly::mobius(c);
    // Naive: c[b] = Σ_{a ⊆ b} (−1)^{|b|−|a|} v[a].
    for (size_t b = 0; b < std::min<size_t>(v.size(), 64); ++b) {
      M31 acc;
      for (size_t a = 0; a < v.size(); ++a)
        if ((a & b) == a) acc += (__builtin_popcountll(b ^ a) & 1) ? -v[a] : v[a];
      EXPECT_EQ(c[b], acc);
    }
    std::vector<QM31> cq(c.begin(), c.end());
    for (size_t i = 0; i < c.size(); ++i) cq[i] = QM31(c[i]);
    auto r = rand_point(n);
    EXPECT_EQ(poly::eval_monomial(cq, r), naive_mle(v, r));
    poly::zeta(cq);
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(cq[i], QM31(v[i]));
  }
}

TEST(Poly, EvalFromValues) {
  // h(X) = 5 + 3X + 7X^2 + 2X^3 sampled at 0..3.
  auto h = [](QM31 x) { return QM31(M31(5)) + x * M31(3) + x * x * M31(7) + x * x * x * M31(2); };
  std::vector<QM31> vals;
  for (uint32_t i = 0; i < 4; ++i) vals.push_back(h(QM31(M31(i))));
  QM31 x = rand_qm31();
  EXPECT_EQ(poly::eval_from_values(vals, x), h(x));
  EXPECT_THROW(poly::eval_from_values({}, x), BadInput);
  // Any degree (the weights are cached up to 64 nodes, computed beyond), at a random point and at a node.
  for (size_t n : {1, 2, 9, 64, 70}) {
    std::vector<QM31> coeffs(n);
    for (QM31& c : coeffs) c = rand_qm31();
    auto horner = [&](QM31 at) {
      QM31 acc;
      for (size_t k = n; k-- > 0;) acc = acc * at + coeffs[k];
      return acc;
    };
    std::vector<QM31> at_nodes;
    for (uint32_t i = 0; i < n; ++i) at_nodes.push_back(horner(QM31(M31(i))));
    EXPECT_EQ(poly::eval_from_values(at_nodes, x), horner(x)) << n;
    EXPECT_EQ(poly::eval_from_values(at_nodes, QM31(M31(uint32_t(n / 2)))), at_nodes[n / 2]) << n;
  }
}

TEST(Poly, FastMulMatchesFieldMul) {
  const M31 big(kP - 1);
  std::vector<QM31> xs = {QM31(big, big, big, big), QM31(), QM31::one(), QM31(M31(), big, M31(), big)};
  for (int i = 0; i < 1000; ++i) xs.push_back(rand_qm31());
  for (const auto& x : xs)
    for (size_t j = 0; j < 8; ++j) EXPECT_EQ(poly::mul(x, xs[j * 97 % xs.size()]), x * xs[j * 97 % xs.size()]);
}

TEST(Poly, MobiusLargeUsesBlockedLevels) {
  const size_t n = 15;
  std::vector<M31> v(size_t(1) << n);
  for (auto& x : v) x = rand_m31();
  std::vector<M31> c = v;
  poly::mobius(c);
  std::vector<QM31> cq(c.size());
  for (size_t i = 0; i < c.size(); ++i) cq[i] = QM31(c[i]);
  auto r = rand_point(n);
  EXPECT_EQ(poly::eval_monomial(cq, r), poly::evaluate(v, r));
}

TEST(Poly, EqCombination) {
  for (size_t n : {0, 1, 5, 10}) {
    std::vector<std::vector<QM31>> pts = {rand_point(n), rand_point(n), rand_point(n)};
    std::vector<QM31> k = {rand_qm31(), rand_qm31(), rand_qm31()};
    auto w = poly::eq_combination(pts, k);
    ASSERT_EQ(w.size(), size_t(1) << n);
    for (size_t x : {size_t(0), w.size() - 1, w.size() / 3}) {
      QM31 expect;
      for (size_t i = 0; i < 3; ++i) expect += k[i] * poly::eq_table(pts[i])[x];
      EXPECT_EQ(w[x], expect);
    }
  }
  std::vector<std::vector<QM31>> bad = {rand_point(2), rand_point(3)};
  std::vector<QM31> k2 = {QM31(), QM31()};
  EXPECT_THROW(poly::eq_combination(bad, k2), BadInput);
}

// weighted_rows / weighted_columns against their definitions, on every SIMD backend the CPU has, with
// widths that leave tails for the vector loops and values near p.
TEST(Poly, WeightedRowsAndColumnsMatchTheirDefinitions) {
  const simd::Backend before = simd::active();
  for (simd::Backend b : {simd::Backend::scalar, simd::Backend::avx2, simd::Backend::avx512}) {
    if (!simd::supported(b)) continue;
    simd::set_backend(b);
    for (size_t L : {size_t(1), size_t(7), size_t(64), size_t(300)})
      for (size_t rows : {size_t(1), size_t(5), size_t(40)}) {
        std::vector<M31> v(L * rows);
        for (size_t i = 0; i < v.size(); ++i) v[i] = i % 3 ? rand_m31() : M31(kP - 1 - uint32_t(i % 5));
        const std::vector<QM31> wl = rand_point(L), wr = rand_point(rows);
        const std::vector<QM31> by_row = poly::weighted_rows(v, wl), by_column = poly::weighted_columns(v, wr);
        ASSERT_EQ(by_row.size(), rows);
        ASSERT_EQ(by_column.size(), L);
        for (size_t j = 0; j < rows; ++j) {
          QM31 want;
          for (size_t t = 0; t < L; ++t) want += wl[t] * v[j * L + t];
          EXPECT_EQ(by_row[j], want) << simd::name(b) << " L " << L << " row " << j;
        }
        for (size_t t = 0; t < L; ++t) {
          QM31 want;
          for (size_t j = 0; j < rows; ++j) want += wr[j] * v[j * L + t];
          EXPECT_EQ(by_column[t], want) << simd::name(b) << " L " << L << " column " << t;
        }
      }
  }
  simd::set_backend(before);
  EXPECT_THROW(poly::weighted_rows(std::vector<M31>(10), rand_point(3)), BadInput);
}
