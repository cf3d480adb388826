#pragma once
// The Poseidon2 round functions over any field type F that holds M31 (M31 itself, QM31, an AIR's
// symbolic values): what constraint code evaluates on a trace, on its extension and at an
// out-of-domain point. F needs +, −, * and construction from M31. permutation.cpp computes the same
// functions on packed words; the unit test checks they agree.
#include <array>

#include "field/m31.hpp"
#include "poseidon2/constants.hpp"

namespace zkm31::poseidon2::generic {

template <typename F>
using State = std::array<F, kWidth>;

template <typename F>
F pow5(const F& x) {
  F x2 = x * x;
  return x2 * x2 * x;
}

// M_E = circ(2·M4, M4, M4, M4) with M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]].
template <typename F>
void external_layer(State<F>& s) {
  for (size_t c = 0; c < kWidth; c += 4) {
    F t01 = s[c] + s[c + 1], t23 = s[c + 2] + s[c + 3], t0123 = t01 + t23;
    F t01123 = t0123 + s[c + 1], t01233 = t0123 + s[c + 3];
    F y0 = t01123 + t01, y1 = t01123 + s[c + 2] + s[c + 2], y2 = t01233 + t23, y3 = t01233 + s[c] + s[c];
    s[c] = y0, s[c + 1] = y1, s[c + 2] = y2, s[c + 3] = y3;
  }
  for (size_t i = 0; i < 4; ++i) {
    F col = s[i] + s[4 + i] + s[8 + i] + s[12 + i];
    for (size_t c = 0; c < kWidth; c += 4) s[c + i] = s[c + i] + col;
  }
}

// M_I = J + diag(−2, 2^0, 2^1, …): s'[i] = V[i]·s[i] + Σ s.
template <typename F>
void internal_layer(State<F>& s) {
  F sum = s[0];
  for (size_t i = 1; i < kWidth; ++i) sum = sum + s[i];
  s[0] = sum - s[0] - s[0];
  for (size_t i = 1; i < kWidth; ++i) s[i] = sum + s[i] * F(M31(uint32_t(1) << kInternalShifts[i - 1]));
}

// The same on M31 values, as the packed permutation computes it: one reduction of the sum, and each
// 2^k·x as a rotation of x's 31 bits.
inline void internal_layer(State<M31>& s) {
  uint64_t wide = 0;
  for (const M31& x : s) wide += x.v;  // < 2^35
  const M31 sum = M31::from_u64(wide);
  s[0] = sum - s[0] - s[0];
  for (size_t i = 1; i < kWidth; ++i) {
    const int k = kInternalShifts[i - 1];
    s[i] = sum + M31(((s[i].v << k) & kP) | (s[i].v >> (31 - k)));
  }
}

// Round r = 0..21 applied to the state before it (the state after the initial M_E for r = 0).
template <typename F>
State<F> round(size_t r, State<F> s) {
  if (r < kHalfFullRounds || r >= kHalfFullRounds + kPartialRounds) {
    const uint32_t* rc = r < kHalfFullRounds ? kExternalInitial[r] : kExternalFinal[r - kHalfFullRounds - kPartialRounds];
    for (size_t i = 0; i < kWidth; ++i) s[i] = pow5(s[i] + F(M31(rc[i])));
    external_layer(s);
  } else {
    s[0] = pow5(s[0] + F(M31(kInternal[r - kHalfFullRounds])));
    internal_layer(s);
  }
  return s;
}

}  // namespace zkm31::poseidon2::generic
