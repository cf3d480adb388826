#pragma once
// Little-endian bytes of M31 vectors, the one byte order of keys, digests and notes on disk.
#include <array>
#include <cstdint>

#include "field/m31.hpp"

namespace zkm31::vm31 {

template <size_t N>
std::array<uint8_t, 4 * N> le_bytes(const std::array<M31, N>& x) {
  std::array<uint8_t, 4 * N> out;
  for (size_t i = 0; i < N; ++i)
    for (size_t b = 0; b < 4; ++b) out[4 * i + b] = uint8_t(x[i].v >> (8 * b));
  return out;
}

inline uint32_t read_le32(const uint8_t* p) {
  return p[0] | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace zkm31::vm31
