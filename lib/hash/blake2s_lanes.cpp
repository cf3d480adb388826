// Multi-lane BLAKE2s: the same compression over 1 (scalar), 8 (AVX2) or 16 (AVX-512) messages.
// Used for whole Merkle layers, where every message has the same length.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "field/simd.hpp"
#include "hash/blake2s.hpp"

namespace zkm31::hash {
namespace {

constexpr uint32_t kBlake2sIV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
constexpr uint8_t kBlake2sSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

namespace scalar {
using V = uint32_t;
constexpr int kLanes = 1;
inline V vset1(uint32_t x) { return x; }
inline V vadd(V a, V b) { return a + b; }
inline V vxor(V a, V b) { return a ^ b; }
template <int n>
inline V vrotr(V x) { return (x >> n) | (x << (32 - n)); }
inline V lane_index(size_t) { return 0; }
inline V vgather(const uint32_t* p, V) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}
inline void vstore(uint32_t* dst, V x) { *dst = x; }
#include "hash/blake2s_kernel.inc"
}  // namespace scalar

ZKM31_TARGET_BEGIN(avx2)
namespace avx2 {
using V = __m256i;
constexpr int kLanes = 8;
inline V vset1(uint32_t x) { return _mm256_set1_epi32(int(x)); }
inline V vadd(V a, V b) { return _mm256_add_epi32(a, b); }
inline V vxor(V a, V b) { return _mm256_xor_si256(a, b); }
template <int n>
inline V vrotr(V x) {
  if constexpr (n == 16)
    return _mm256_shuffle_epi8(x, _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1,
                                                   6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  else if constexpr (n == 8)
    return _mm256_shuffle_epi8(x, _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0,
                                                   5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
  else
    return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}
inline V lane_index(size_t stride) {
  int s = int(stride);
  return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(s));
}
inline V vgather(const uint32_t* p, V idx) {
  return _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), reinterpret_cast<const int*>(p), idx,
                                     _mm256_set1_epi32(-1), 4);
}
inline void vstore(uint32_t* dst, V x) { _mm256_store_si256(reinterpret_cast<__m256i*>(dst), x); }
#include "hash/blake2s_kernel.inc"
}  // namespace avx2
ZKM31_TARGET_END

ZKM31_TARGET_BEGIN(avx512f)
namespace avx512 {
using V = __m512i;
constexpr int kLanes = 16;
inline V vset1(uint32_t x) { return _mm512_set1_epi32(int(x)); }
inline V vadd(V a, V b) { return _mm512_add_epi32(a, b); }
inline V vxor(V a, V b) { return _mm512_xor_si512(a, b); }
template <int n>
inline V vrotr(V x) { return _mm512_ror_epi32(x, n); }
inline V lane_index(size_t stride) {
  return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            _mm512_set1_epi32(int(stride)));
}
inline V vgather(const uint32_t* p, V idx) {
  return _mm512_i32gather_epi32(idx, p, 4);
}
inline void vstore(uint32_t* dst, V x) { _mm512_store_si512(dst, x); }
#include "hash/blake2s_kernel.inc"
}  // namespace avx512
ZKM31_TARGET_END

template <void (*kernel)(const State&, const uint32_t*, size_t, size_t, Digest*), int lanes>
size_t run_batches(const State& h0, const uint32_t* words, size_t stride, size_t len_words, size_t n, Digest* out) {
  // Gather offsets are 32-bit: very long rows fall back to the scalar loop.
  if (stride * lanes + len_words >= (size_t(1) << 31)) return 0;
  size_t done = 0;
  for (; done + lanes <= n; done += lanes) kernel(h0, words + done * stride, stride, len_words, out + done);
  return done;
}

}  // namespace

State blake2s_initial_state(const std::array<uint8_t, 8>& personal) {
  State h;
  for (int i = 0; i < 8; ++i) h[i] = kBlake2sIV[i];
  h[0] ^= 0x01010020u;  // digest length 32, no key, fanout 1, depth 1
  for (int i = 0; i < 4; ++i) {
    h[6] ^= uint32_t(personal[i]) << (8 * i);
    h[7] ^= uint32_t(personal[4 + i]) << (8 * i);
  }
  return h;
}

void blake2s_compress(State& h, const std::array<uint32_t, 16>& m, uint64_t t, bool last) {
  scalar::compress_lanes(h.data(), m.data(), t, last);
}

void blake2s_many(const State& h0, const uint32_t* words, size_t stride, size_t len_words, size_t n, Digest* out,
                  simd::Backend backend) {
  size_t done = 0;
  if (backend == simd::Backend::avx512)
    done = run_batches<avx512::hash_lanes, avx512::kLanes>(h0, words, stride, len_words, n, out);
  else if (backend == simd::Backend::avx2)
    done = run_batches<avx2::hash_lanes, avx2::kLanes>(h0, words, stride, len_words, n, out);
  for (; done < n; ++done) scalar::hash_lanes(h0, words + done * stride, stride, len_words, out + done);
}

void blake2s_many(const State& h0, const uint32_t* words, size_t stride, size_t len_words, size_t n, Digest* out) {
  blake2s_many(h0, words, stride, len_words, n, out, simd::active());
}

}  // namespace zkm31::hash
