#include "hash/blake2s.hpp"

#include <blake2.h>

#include <new>
#include <stdexcept>

namespace zkm31::hash {

static_assert(sizeof(blake2s_state) <= 256, "Blake2s::state_ too small for libb2's state");

namespace {
blake2s_state* st(uint8_t* raw) { return std::launder(reinterpret_cast<blake2s_state*>(raw)); }
}  // namespace

Digest blake2s(std::span<const uint8_t> data) {
  Digest out;
  if (::blake2s(out.data(), data.data(), nullptr, out.size(), data.size(), 0) != 0)
    throw std::runtime_error("blake2s failed");
  return out;
}

Blake2s::Blake2s() {
  new (state_) blake2s_state;
  if (blake2s_init(st(state_), 32) != 0) throw std::runtime_error("blake2s_init failed");
}

Blake2s::~Blake2s() = default;

Blake2s& Blake2s::update(std::span<const uint8_t> data) {
  blake2s_update(st(state_), data.data(), data.size());
  return *this;
}

Blake2s& Blake2s::update(std::string_view text) {
  blake2s_update(st(state_), reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return *this;
}

Blake2s& Blake2s::update_u32(uint32_t x) {
  uint8_t b[4] = {uint8_t(x), uint8_t(x >> 8), uint8_t(x >> 16), uint8_t(x >> 24)};
  return update(std::span<const uint8_t>(b, 4));
}

Blake2s& Blake2s::update_u64(uint64_t x) {
  update_u32(uint32_t(x));
  return update_u32(uint32_t(x >> 32));
}

Digest Blake2s::finalize() {
  Digest out;
  blake2s_final(st(state_), out.data(), out.size());
  return out;
}

}  // namespace zkm31::hash
