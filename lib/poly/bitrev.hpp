#pragma once
// Bit-reversal permutation of power-of-two tables.
#include <cstdint>
#include <span>
#include <vector>

#include "parallel/parallel.hpp"

namespace zkm31::poly {

// The low `bits` bits of x in reverse order.
inline uint32_t bitrev(uint32_t x, unsigned bits) {
  if (bits == 0) return 0;
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = __builtin_bswap32(x);
  return x >> (32 - bits);
}

// out[bitrev(i) << shift] = in[i] (in.size() a power of two ≤ 2^32, out.size() = in.size() << shift; the
// other entries are left alone), tiled so that reads and writes both run along cache lines: with
// i = (a, b, c) split into h, n−2h and h bits, bitrev(i) = (rev c, rev b, rev a).
template <typename T>
void bitrev_permute_into(std::span<const T> in, std::span<T> out, unsigned shift) {
  const unsigned n = unsigned(__builtin_ctzll(in.size()));
  constexpr unsigned h = 4;
  if (n < 2 * h + 1) {
    for (size_t i = 0; i < in.size(); ++i) out[size_t(bitrev(uint32_t(i), n)) << shift] = in[i];
    return;
  }
  const unsigned mid = n - 2 * h;
  parallel::for_range(size_t(1) << mid, 1 << 6, [&](size_t b0, size_t e0) {
    for (size_t b = b0; b < e0; ++b) {
      const size_t rb = size_t(bitrev(uint32_t(b), mid)) << h;
      for (size_t a = 0; a < (1u << h); ++a) {
        const T* src = in.data() + (a << (n - h)) + (b << h);
        const size_t ra = bitrev(uint32_t(a), h);
        for (size_t c = 0; c < (1u << h); ++c)
          out[((size_t(bitrev(uint32_t(c), h)) << (n - h)) + rb + ra) << shift] = src[c];
      }
    }
  });
}

// out[bitrev(i)] = in[i].
template <typename T>
std::vector<T> bitrev_permute(std::span<const T> in) {
  std::vector<T> out(in.size());
  bitrev_permute_into(in, std::span<T>(out), 0);
  return out;
}

}  // namespace zkm31::poly
