#include <sys/random.h>

#include <cstring>

#include "error/error.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {

Randomness::Randomness() {
  size_t got = 0;
  while (got < key_.size()) {
    const ssize_t r = getrandom(key_.data() + got, key_.size() - got, 0);
    if (r <= 0) throw std::runtime_error("getrandom failed: no randomness for zero knowledge");
    got += size_t(r);
  }
}

Randomness::Randomness(uint64_t seed) { std::memcpy(key_.data(), &seed, sizeof seed); }

M31 Randomness::m31() {
  for (;;) {
    if (used_ == block_.size()) {
      std::array<uint8_t, 40> in{};
      std::memcpy(in.data(), key_.data(), key_.size());
      std::memcpy(in.data() + 32, &counter_, sizeof counter_);
      ++counter_;
      const hash::Digest d = hash::blake2s(in);
      std::memcpy(block_.data(), d.data(), d.size());
      used_ = 0;
    }
    const uint32_t w = block_[used_++] & 0x7fffffffu;
    if (w != kP) return M31(w);
  }
}

void Randomness::fill(std::span<M31> out) {
  for (M31& x : out) x = m31();
}

}  // namespace zkm31::stark
