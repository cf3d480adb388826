#pragma once
// QM31 multiplication with one modular reduction per limb, for the hot loops (sumcheck rounds, folds,
// eq tables). Same result as QM31::operator*, about twice as fast: the 16 limb products are reduced
// only to < 2^32 and summed in 64 bits with a multiple of p added for the negative terms.
#include "field/field.hpp"

namespace zkm31::poly {

namespace detail {
// x·y folded once: ≡ x·y (mod p) and < 2^32.
ZKM31_HD uint64_t mulr(uint32_t x, uint32_t y) {
  uint64_t p = uint64_t(x) * y;
  return (p & kP) + (p >> 31);
}
}  // namespace detail

[[gnu::always_inline]] ZKM31_HD QM31 mul(const QM31& x, const QM31& y) {
  using detail::mulr;
  const uint32_t a0 = x.c0.a.v, a1 = x.c0.b.v, b0 = x.c1.a.v, b1 = x.c1.b.v;
  const uint32_t c0 = y.c0.a.v, c1 = y.c0.b.v, d0 = y.c1.a.v, d1 = y.c1.b.v;
  constexpr uint64_t off = uint64_t(kP) << 4;  // exceeds the negative terms (≤ 5·2^32)
  // AC + (2+i)·BD  and  AD + BC  with A = a0 + a1 i etc.
  const uint64_t e_pos = mulr(b0, d0), e_neg = mulr(b1, d1), f = mulr(b0, d1) + mulr(b1, d0);
  const uint64_t l0 = off + mulr(a0, c0) - mulr(a1, c1) + 2 * e_pos - 2 * e_neg - f;
  const uint64_t l1 = off + mulr(a0, c1) + mulr(a1, c0) + 2 * f + e_pos - e_neg;
  const uint64_t l2 = off + mulr(a0, d0) - mulr(a1, d1) + mulr(b0, c0) - mulr(b1, c1);
  const uint64_t l3 = mulr(a0, d1) + mulr(a1, d0) + mulr(b0, c1) + mulr(b1, c0);
  return QM31(M31::from_u64(l0), M31::from_u64(l1), M31::from_u64(l2), M31::from_u64(l3));
}

ZKM31_HD QM31 mul(const QM31& x, M31 s) { return x * s; }
ZKM31_HD QM31 mul(M31 s, const QM31& x) { return x * s; }
ZKM31_HD M31 mul(M31 a, M31 b) { return a * b; }

}  // namespace zkm31::poly
