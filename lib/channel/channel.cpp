#include "channel/channel.hpp"

#include <stdexcept>

namespace zkm31 {

using hash::Blake2s;

Channel::Channel(std::string_view protocol_label) {
  state_ = Blake2s().update("zkm31/channel/v1").update_u64(protocol_label.size()).update(protocol_label).finalize();
}

void Channel::absorb_bytes(std::string_view label, std::span<const uint8_t> data) {
  Blake2s h;
  h.update(state_).update("absorb").update_u64(label.size()).update(label).update_u64(data.size()).update(data);
  state_ = h.finalize();
}

void Channel::absorb_u64(std::string_view label, uint64_t x) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(x >> (8 * i));
  absorb_bytes(label, b);
}

void Channel::absorb_m31s(std::string_view label, std::span<const M31> xs) {
  std::vector<uint8_t> b(xs.size() * 4);
  for (size_t i = 0; i < xs.size(); ++i)
    for (int k = 0; k < 4; ++k) b[4 * i + k] = uint8_t(xs[i].v >> (8 * k));
  absorb_bytes(label, b);
}

void Channel::absorb_qm31s(std::string_view label, std::span<const QM31> xs) {
  std::vector<M31> limbs;
  limbs.reserve(xs.size() * 4);
  for (const auto& x : xs)
    for (M31 l : x.limbs()) limbs.push_back(l);
  absorb_m31s(label, limbs);
}

hash::Digest Channel::squeeze(std::string_view label, uint64_t counter) const {
  Blake2s h;
  h.update(state_).update("draw").update_u64(label.size()).update(label).update_u64(counter);
  return h.finalize();
}

QM31 Channel::draw_qm31(std::string_view label) {
  // Each 32-byte block yields eight 31-bit candidates; a candidate equal to p is rejected.
  std::array<M31, 4> limbs;
  size_t filled = 0;
  for (uint64_t counter = 0; filled < 4; ++counter) {
    hash::Digest d = squeeze(label, counter);
    for (int k = 0; k < 8 && filled < 4; ++k) {
      uint32_t w = uint32_t(d[4 * k]) | uint32_t(d[4 * k + 1]) << 8 | uint32_t(d[4 * k + 2]) << 16 |
                   uint32_t(d[4 * k + 3]) << 24;
      w &= kP;
      if (w != kP) limbs[filled++] = M31(w);
    }
  }
  state_ = Blake2s().update(state_).update("ratchet").update_u64(++draws_).finalize();
  return QM31::from_limbs(limbs);
}

std::vector<QM31> Channel::draw_qm31s(std::string_view label, size_t n) {
  std::vector<QM31> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(draw_qm31(label));
  return out;
}

std::vector<size_t> Channel::draw_indices(std::string_view label, size_t count, unsigned log_size) {
  if (log_size > 32) throw std::invalid_argument("draw_indices: domain larger than 2^32");
  std::vector<size_t> out;
  out.reserve(count);
  const uint64_t mask = log_size == 32 ? 0xffffffffull : ((1ull << log_size) - 1);
  for (uint64_t counter = 0; out.size() < count; ++counter) {
    hash::Digest d = squeeze(label, counter);
    for (int k = 0; k < 8 && out.size() < count; ++k) {
      uint32_t w = uint32_t(d[4 * k]) | uint32_t(d[4 * k + 1]) << 8 | uint32_t(d[4 * k + 2]) << 16 |
                   uint32_t(d[4 * k + 3]) << 24;
      out.push_back(size_t(w & mask));  // power-of-two domain: masking is uniform
    }
  }
  state_ = Blake2s().update(state_).update("ratchet").update_u64(++draws_).finalize();
  return out;
}

bool Channel::pow_ok(unsigned bits, uint64_t nonce) const {
  hash::Digest d = Blake2s().update(state_).update("pow").update_u64(nonce).finalize();
  unsigned zeros = 0;
  for (uint8_t byte : d) {
    if (byte == 0) {
      zeros += 8;
      continue;
    }
    zeros += unsigned(__builtin_clz(uint32_t(byte)) - 24);
    break;
  }
  return zeros >= bits;
}

uint64_t Channel::grind(unsigned bits) {
  uint64_t nonce = 0;
  while (!pow_ok(bits, nonce)) ++nonce;
  absorb_u64("pow/nonce", nonce);
  return nonce;
}

bool Channel::check_pow(unsigned bits, uint64_t nonce) {
  if (!pow_ok(bits, nonce)) return false;
  absorb_u64("pow/nonce", nonce);
  return true;
}

}  // namespace zkm31
