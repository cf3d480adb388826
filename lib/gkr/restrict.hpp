#pragma once
// Partial evaluations of a vector's MLE (the prover's sumcheck tables): fix its high or its low
// coordinates at a point and keep a table over the rest.
#include <span>
#include <vector>

#include "poly/multilinear.hpp"

namespace zkm31::gkr {

// Σ_t eq(high, t)·v[j + t·L] for the low L = 2^low_bits entries.
template <class F>
std::vector<QM31> restrict_high(std::span<const F> v, unsigned low_bits, std::span<const QM31> high) {
  const size_t L = size_t(1) << low_bits;
  std::vector<QM31> e = poly::eq_table(high), out(L);
  for (size_t t = 0; t < e.size(); ++t)
    for (size_t j = 0; j < L; ++j) out[j] += e[t] * v[t * L + j];
  return out;
}

// Σ_n eq(low, n)·v[j·2^|low| + n] for each high index j.
template <class F>
std::vector<QM31> restrict_low(std::span<const F> v, std::span<const QM31> low) {
  std::vector<QM31> e = poly::eq_table(low), out(v.size() / e.size());
  for (size_t j = 0; j < out.size(); ++j) {
    QM31 acc;
    const F* row = v.data() + j * e.size();
    for (size_t n = 0; n < e.size(); ++n) acc += e[n] * row[n];
    out[j] = acc;
  }
  return out;
}

}  // namespace zkm31::gkr
