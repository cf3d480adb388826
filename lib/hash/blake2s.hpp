#pragma once
// BLAKE2s-256 (RFC 7693) through libb2.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "field/field.hpp"
#include "field/simd.hpp"

namespace zkm31::hash {

using Digest = std::array<uint8_t, 32>;

Digest blake2s(std::span<const uint8_t> data);

// Incremental hashing of several pieces.
class Blake2s {
 public:
  Blake2s();
  ~Blake2s();
  Blake2s(const Blake2s&) = delete;
  Blake2s& operator=(const Blake2s&) = delete;
  Blake2s& update(std::span<const uint8_t> data);
  Blake2s& update(std::string_view text);
  Blake2s& update_u32(uint32_t x);  // little-endian
  Blake2s& update_u64(uint64_t x);  // little-endian
  Digest finalize();

 private:
  alignas(64) uint8_t state_[256];  // storage for libb2's blake2s_state, kept out of this header
};

// Raw BLAKE2s building blocks (blake2s_lanes.cpp, own implementation of RFC 7693), for hashing many
// equal-length messages at once with AVX2 / AVX-512 lanes.
using State = std::array<uint32_t, 8>;

// h after the parameter block for an unkeyed 32-byte digest with the given 8-byte personalization
// (all zeros = plain BLAKE2s-256). Personalization separates domains at no extra compression.
State blake2s_initial_state(const std::array<uint8_t, 8>& personal = {});
// The compression F(h, m, t, f) of RFC 7693 §3.2; `last` sets the final-block flag.
void blake2s_compress(State& h, const std::array<uint32_t, 16>& m, uint64_t t, bool last);
// Digest of each of n messages of len_words little-endian 32-bit words; message i starts at
// words + i·stride. The backend defaults to simd::active().
void blake2s_many(const State& h0, const uint32_t* words, size_t stride, size_t len_words, size_t n, Digest* out);
void blake2s_many(const State& h0, const uint32_t* words, size_t stride, size_t len_words, size_t n, Digest* out,
                  simd::Backend backend);

}  // namespace zkm31::hash
