#pragma once
// BLAKE2s-256 (RFC 7693) through libb2.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "field/field.hpp"

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

}  // namespace zkm31::hash
