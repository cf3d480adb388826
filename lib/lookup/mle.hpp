#pragma once
// Multilinear extensions over the boolean hypercube, points listed LSB first (index bit k ↔
// coordinate k), and the small polynomial helpers the GKR sumchecks need.
#include <cstdint>
#include <span>
#include <vector>

#include "field/field.hpp"

namespace zkm31::mle {

// eq(r, x) for every x in {0,1}^n.
inline std::vector<QM31> eq_table(std::span<const QM31> r) {
  std::vector<QM31> t(size_t(1) << r.size());
  t[0] = QM31::one();
  for (size_t k = 0, len = 1; k < r.size(); ++k, len <<= 1)
    for (size_t i = 0; i < len; ++i) {
      QM31 hi = t[i] * r[k];
      t[i + len] = hi;
      t[i] = t[i] - hi;
    }
  return t;
}

inline QM31 eq_eval(std::span<const QM31> r, std::span<const QM31> s) {
  QM31 acc = QM31::one();
  for (size_t k = 0; k < r.size(); ++k) {
    QM31 rs = r[k] * s[k];
    acc *= rs + rs - r[k] - s[k] + M31::one();  // r·s + (1−r)(1−s)
  }
  return acc;
}

// Binds the lowest variable: out[j] = v[2j] + r·(v[2j+1] − v[2j]).
template <typename F>
std::vector<QM31> fold_low(std::span<const F> v, QM31 r) {
  std::vector<QM31> out(v.size() / 2);
  for (size_t j = 0; j < out.size(); ++j) out[j] = r * (v[2 * j + 1] - v[2 * j]) + v[2 * j];
  return out;
}

template <typename F>
QM31 eval(std::span<const F> v, std::span<const QM31> point) {
  if (point.empty()) return QM31() + v[0];
  std::vector<QM31> cur = fold_low(v, point[0]);
  for (size_t k = 1; k < point.size(); ++k) cur = fold_low(std::span<const QM31>(cur), point[k]);
  return cur[0];
}

// MLE of a vector zero-padded from 2^k to 2^n entries: MLE(v)(r_low) · Π_{high} (1 − r_i).
inline QM31 zero_pad_selector(std::span<const QM31> high) {
  QM31 acc = QM31::one();
  for (const QM31& r : high) acc *= QM31::one() - r;
  return acc;
}

// The polynomial of degree evals.size()−1 through (0, evals[0]), (1, evals[1]), … evaluated at x.
inline QM31 interpolate(std::span<const QM31> evals, QM31 x) {
  const size_t n = evals.size();
  QM31 acc;
  for (size_t i = 0; i < n; ++i) {
    QM31 num = QM31::one();
    int64_t den = 1;
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      num *= x - M31(uint32_t(j));
      den *= int64_t(i) - int64_t(j);
    }
    acc += evals[i] * num * M31::from_signed(den).inverse();
  }
  return acc;
}

inline M31 from_int(int64_t v) { return M31::from_signed(v); }

}  // namespace zkm31::mle
