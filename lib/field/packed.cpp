#include "field/packed.hpp"

#include <immintrin.h>

#include <array>
#include <string>
#include <type_traits>

#include "error/error.hpp"

namespace zkm31::packed {
namespace {

namespace scalar {
using V = uint32_t;
constexpr size_t kLanes = 1;
struct Q {
  V a, b, c, d;
};
inline V vload(const uint32_t* p) { return *p; }
inline void vstore(uint32_t* p, V x) { *p = x; }
inline V vset1(uint32_t x) { return x; }
inline V vadd(V a, V b) { return (M31(a) + M31(b)).v; }
inline V vsub(V a, V b) { return (M31(a) - M31(b)).v; }
inline V vmul(V a, V b) { return (M31(a) * M31(b)).v; }
inline Q load_q(const uint32_t* p) { return {p[0], p[1], p[2], p[3]}; }
inline void store_q(uint32_t* p, const Q& q) {
  p[0] = q.a;
  p[1] = q.b;
  p[2] = q.c;
  p[3] = q.d;
}
#include "field/packed_kernel.inc"
inline Q qm31_mul(const Q& x, const Q& y) { return qm31_mul_karatsuba(x, y); }
}  // namespace scalar

ZKM31_TARGET_BEGIN(avx2)
namespace avx2 {
using V = __m256i;
constexpr size_t kLanes = 8;
struct Q {
  V a, b, c, d;
};
inline V vload(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline void vstore(uint32_t* p, V x) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), x); }
inline V vset1(uint32_t x) { return _mm256_set1_epi32(int(x)); }
inline V vp() { return _mm256_set1_epi32(int(kP)); }
// Sums and differences of canonical residues, reduced with one unsigned min: t − p wraps above t
// exactly when t < p.
inline V vadd(V a, V b) {
  V t = _mm256_add_epi32(a, b);
  return _mm256_min_epu32(t, _mm256_sub_epi32(t, vp()));
}
inline V vsub(V a, V b) {
  V t = _mm256_sub_epi32(a, b);
  return _mm256_min_epu32(t, _mm256_add_epi32(t, vp()));
}
// 64-bit products of the even and the odd lanes; x = hi·2^31 + lo ≡ hi + lo (mod p).
inline V vmul(V a, V b) {
  V ev = _mm256_mul_epu32(a, b);
  V od = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
  V hi = _mm256_blend_epi32(_mm256_srli_epi64(ev, 31), _mm256_slli_epi64(od, 1), 0xAA);
  V lo = _mm256_and_si256(_mm256_blend_epi32(ev, _mm256_slli_epi64(od, 32), 0xAA), vp());
  V t = _mm256_add_epi32(lo, hi);
  return _mm256_min_epu32(t, _mm256_sub_epi32(t, vp()));
}
// Eight QM31 [a b c d] in four vectors <-> four vectors of eight limbs: group each vector's two
// values limb-wise, then transpose 4×4 blocks of 64-bit pairs.
inline Q load_q(const uint32_t* p) {
  const V group = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  V p0 = _mm256_permutevar8x32_epi32(vload(p), group), p1 = _mm256_permutevar8x32_epi32(vload(p + 8), group);
  V p2 = _mm256_permutevar8x32_epi32(vload(p + 16), group), p3 = _mm256_permutevar8x32_epi32(vload(p + 24), group);
  V t0 = _mm256_unpacklo_epi64(p0, p1), t1 = _mm256_unpackhi_epi64(p0, p1);
  V t2 = _mm256_unpacklo_epi64(p2, p3), t3 = _mm256_unpackhi_epi64(p2, p3);
  return {_mm256_permute2x128_si256(t0, t2, 0x20), _mm256_permute2x128_si256(t1, t3, 0x20),
          _mm256_permute2x128_si256(t0, t2, 0x31), _mm256_permute2x128_si256(t1, t3, 0x31)};
}
inline void store_q(uint32_t* p, const Q& q) {
  const V ungroup = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  V t0 = _mm256_permute2x128_si256(q.a, q.c, 0x20), t2 = _mm256_permute2x128_si256(q.a, q.c, 0x31);
  V t1 = _mm256_permute2x128_si256(q.b, q.d, 0x20), t3 = _mm256_permute2x128_si256(q.b, q.d, 0x31);
  vstore(p, _mm256_permutevar8x32_epi32(_mm256_unpacklo_epi64(t0, t1), ungroup));
  vstore(p + 8, _mm256_permutevar8x32_epi32(_mm256_unpackhi_epi64(t0, t1), ungroup));
  vstore(p + 16, _mm256_permutevar8x32_epi32(_mm256_unpacklo_epi64(t2, t3), ungroup));
  vstore(p + 24, _mm256_permutevar8x32_epi32(_mm256_unpackhi_epi64(t2, t3), ungroup));
}
#include "field/packed_kernel.inc"
inline Q qm31_mul(const Q& x, const Q& y) { return qm31_mul_karatsuba(x, y); }
}  // namespace avx2
ZKM31_TARGET_END

ZKM31_TARGET_BEGIN(avx512f)
namespace avx512 {
using V = __m512i;
constexpr size_t kLanes = 16;
struct Q {
  V a, b, c, d;
};
inline V vload(const uint32_t* p) { return _mm512_loadu_si512(p); }
inline void vstore(uint32_t* p, V x) { _mm512_storeu_si512(p, x); }
inline V vset1(uint32_t x) { return _mm512_set1_epi32(int(x)); }
inline V vp() { return _mm512_set1_epi32(int(kP)); }
inline V vadd(V a, V b) {
  V t = _mm512_add_epi32(a, b);
  return _mm512_min_epu32(t, _mm512_sub_epi32(t, vp()));
}
inline V vsub(V a, V b) {
  V t = _mm512_sub_epi32(a, b);
  return _mm512_min_epu32(t, _mm512_add_epi32(t, vp()));
}
// As the AVX2 version, but with the lane moves on the shuffle port: 512-bit shifts and multiplies
// share one port, which otherwise limits the throughput. (2x) >> 32 = x >> 31 for the high part.
inline __m512 f(V x) { return _mm512_castsi512_ps(x); }
inline V i(__m512 x) { return _mm512_castps_si512(x); }
inline V vmul(V a, V b) {
  constexpr __mmask16 even = 0x5555, odd = 0xAAAA;
  V ev = _mm512_mul_epu32(a, b);
  V od = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), i(_mm512_movehdup_ps(f(b))));
  V ev2 = _mm512_add_epi64(ev, ev), od2 = _mm512_add_epi64(od, od);
  V hi = i(_mm512_mask_movehdup_ps(f(od2), even, f(ev2)));
  V lo = _mm512_and_si512(i(_mm512_mask_moveldup_ps(f(ev), odd, f(od))), vp());
  V t = _mm512_add_epi32(lo, hi);
  return _mm512_min_epu32(t, _mm512_sub_epi32(t, vp()));
}
// Sixteen QM31 in four vectors <-> four vectors of sixteen limbs, by two-source permutes.
inline Q load_q(const uint32_t* p) {
  V v0 = vload(p), v1 = vload(p + 16), v2 = vload(p + 32), v3 = vload(p + 48);
  V limb[4];
  for (int k = 0; k < 4; ++k) {
    // Lanes 0..7: limb k of the eight values in (v0, v1) or (v2, v3).
    const V sel = _mm512_add_epi32(_mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28),
                                   _mm512_set1_epi32(k));
    V lo = _mm512_permutex2var_epi32(v0, sel, v1), hi = _mm512_permutex2var_epi32(v2, sel, v3);
    limb[k] = _mm512_inserti64x4(lo, _mm512_castsi512_si256(hi), 1);
  }
  return {limb[0], limb[1], limb[2], limb[3]};
}
inline void store_q(uint32_t* p, const Q& q) {
  // Interleave limbs (a, b) and (c, d) lane by lane, then pairs of 64 bits.
  const V lo8 = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const V hi8 = _mm512_add_epi32(lo8, _mm512_set1_epi32(8));
  V ab_lo = _mm512_permutex2var_epi32(q.a, lo8, q.b), cd_lo = _mm512_permutex2var_epi32(q.c, lo8, q.d);
  V ab_hi = _mm512_permutex2var_epi32(q.a, hi8, q.b), cd_hi = _mm512_permutex2var_epi32(q.c, hi8, q.d);
  const V first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  vstore(p, _mm512_permutex2var_epi64(ab_lo, first, cd_lo));
  vstore(p + 16, _mm512_permutex2var_epi64(ab_lo, second, cd_lo));
  vstore(p + 32, _mm512_permutex2var_epi64(ab_hi, first, cd_hi));
  vstore(p + 48, _mm512_permutex2var_epi64(ab_hi, second, cd_hi));
}
#include "field/packed_kernel.inc"

// QM31 product with one reduction per limb: each limb is a sum of four products of 31-bit values
// (< 4·2^62 < 2^64), accumulated in 64-bit lanes, separately for the even and the odd 32-bit lanes.
// With x = (a + bi) + (c + di)u, y = (e + fi) + (g + hi)u and (g + hi)(2 + i) = g2 + h2·i:
//   r0 = ae − bf + c·g2 − d·h2    r1 = af + be + c·h2 + d·g2
//   r2 = ag − bh + ce − df        r3 = ah + bg + cf + de
// Negative terms use p − y ∈ [1, p].
inline V p64() { return _mm512_set1_epi64(kP); }
inline V reduce64(V s) {  // s < 2^64 → s mod p
  s = _mm512_add_epi64(_mm512_and_si512(s, p64()), _mm512_srli_epi64(s, 31));  // < 2^33 + 2^31
  s = _mm512_add_epi64(_mm512_and_si512(s, p64()), _mm512_srli_epi64(s, 31));  // ≤ p + 4
  return _mm512_min_epu64(s, _mm512_sub_epi64(s, p64()));
}
inline V odd(V x) { return _mm512_srli_epi64(x, 32); }
inline V dot4(V x0, V y0, V x1, V y1, V x2, V y2, V x3, V y3) {
  return _mm512_add_epi64(_mm512_add_epi64(_mm512_mul_epu32(x0, y0), _mm512_mul_epu32(x1, y1)),
                          _mm512_add_epi64(_mm512_mul_epu32(x2, y2), _mm512_mul_epu32(x3, y3)));
}
// x0·y0 + x1·y1 + x2·y2 + x3·y3 mod p in every 32-bit lane.
inline V dot4_mod_p(V x0, V y0, V x1, V y1, V x2, V y2, V x3, V y3) {
  V ev = reduce64(dot4(x0, y0, x1, y1, x2, y2, x3, y3));
  V od = reduce64(dot4(odd(x0), odd(y0), odd(x1), odd(y1), odd(x2), odd(y2), odd(x3), odd(y3)));
  return i(_mm512_mask_moveldup_ps(f(ev), __mmask16(0xAAAA), f(od)));
}
inline Q qm31_mul(const Q& x, const Q& y) {
  const V e = y.a, fv = y.b, g = y.c, h = y.d;
  const V g2 = vsub(vadd(g, g), h), h2 = vadd(vadd(h, h), g);
  const V nf = _mm512_sub_epi32(vp(), fv), nh = _mm512_sub_epi32(vp(), h), nh2 = _mm512_sub_epi32(vp(), h2);
  return {dot4_mod_p(x.a, e, x.b, nf, x.c, g2, x.d, nh2), dot4_mod_p(x.a, fv, x.b, e, x.c, h2, x.d, g2),
          dot4_mod_p(x.a, g, x.b, nh, x.c, e, x.d, nf), dot4_mod_p(x.a, h, x.b, g, x.c, fv, x.d, e)};
}
}  // namespace avx512
ZKM31_TARGET_END

const uint32_t* words(std::span<const M31> x) { return reinterpret_cast<const uint32_t*>(x.data()); }
uint32_t* words(std::span<M31> x) { return reinterpret_cast<uint32_t*>(x.data()); }
const uint32_t* words(std::span<const QM31> x) { return reinterpret_cast<const uint32_t*>(x.data()); }
uint32_t* words(std::span<QM31> x) { return reinterpret_cast<uint32_t*>(x.data()); }

void same_length(size_t a, size_t b, size_t c, const char* op) {
  if (a != b || a != c)
    throw BadInput(std::string("packed ") + op + ": span lengths " + std::to_string(a) + ", " + std::to_string(b) +
                   ", " + std::to_string(c) + " differ");
}

template <typename Y>
using Kernel = size_t (*)(const uint32_t*, Y, uint32_t*, size_t);

// Runs the active backend's kernel on the longest multiple of its lane count, then the scalar
// kernel on the rest. `step` = words per element; y is a second input stream (pointer, advanced
// with the elements) or a broadcast scalar.
template <typename Y>
void run(Kernel<Y> k512, Kernel<Y> k256, Kernel<Y> k1, size_t step, const uint32_t* x, Y y, uint32_t* out,
         size_t n) {
  size_t done = 0;
  switch (simd::active()) {
    case simd::Backend::avx512: done = k512(x, y, out, n); break;
    case simd::Backend::avx2: done = k256(x, y, out, n); break;
    case simd::Backend::scalar: break;
  }
  if constexpr (std::is_pointer_v<Y>) y += step * done;
  k1(x + step * done, y, out + step * done, n - done);
}

}  // namespace

static_assert(sizeof(M31) == 4 && sizeof(QM31) == 16, "packed kernels view elements as u32 words");

void add(std::span<const M31> a, std::span<const M31> b, std::span<M31> out) {
  same_length(a.size(), b.size(), out.size(), "add");
  run<const uint32_t*>(avx512::add_m31, avx2::add_m31, scalar::add_m31, 1, words(a), words(b), words(out), a.size());
}

void sub(std::span<const M31> a, std::span<const M31> b, std::span<M31> out) {
  same_length(a.size(), b.size(), out.size(), "sub");
  run<const uint32_t*>(avx512::sub_m31, avx2::sub_m31, scalar::sub_m31, 1, words(a), words(b), words(out), a.size());
}

void mul(std::span<const M31> a, std::span<const M31> b, std::span<M31> out) {
  same_length(a.size(), b.size(), out.size(), "mul");
  run<const uint32_t*>(avx512::mul_m31, avx2::mul_m31, scalar::mul_m31, 1, words(a), words(b), words(out), a.size());
}

void mul_scalar(std::span<const M31> a, M31 s, std::span<M31> out) {
  same_length(a.size(), out.size(), out.size(), "mul_scalar");
  run<uint32_t>(avx512::mul_scalar_m31, avx2::mul_scalar_m31, scalar::mul_scalar_m31, 1, words(a), s.v, words(out), a.size());
}

void mul(std::span<const QM31> a, std::span<const QM31> b, std::span<QM31> out) {
  same_length(a.size(), b.size(), out.size(), "mul");
  run<const uint32_t*>(avx512::mul_qm31, avx2::mul_qm31, scalar::mul_qm31, 4, words(a), words(b), words(out), a.size());
}

void mul_add(std::span<const QM31> a, std::span<const QM31> b, std::span<QM31> acc) {
  same_length(a.size(), b.size(), acc.size(), "mul_add");
  run<const uint32_t*>(avx512::mul_add_qm31, avx2::mul_add_qm31, scalar::mul_add_qm31, 4, words(a), words(b), words(acc), a.size());
}

void mul_add_scalar(std::span<const QM31> a, QM31 s, std::span<QM31> acc) {
  same_length(a.size(), acc.size(), acc.size(), "mul_add_scalar");
  const std::array<uint32_t, 4> limbs = {s.c0.a.v, s.c0.b.v, s.c1.a.v, s.c1.b.v};
  run<std::array<uint32_t, 4>>(avx512::mul_add_scalar_qm31, avx2::mul_add_scalar_qm31, scalar::mul_add_scalar_qm31, 4,
                               words(a), limbs, words(acc), a.size());
}

}  // namespace zkm31::packed
