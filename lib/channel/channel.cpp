#include "channel/channel.hpp"

#include <algorithm>
#include <cstring>
#include <atomic>
#include <string>

#include "error/error.hpp"
#include "parallel/parallel.hpp"

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
  ratchet(label);
  ++qm31_draws_;
  return QM31::from_limbs(limbs);
}

std::vector<QM31> Channel::draw_qm31s(std::string_view label, size_t n) {
  std::vector<QM31> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(draw_qm31(label));
  return out;
}

std::vector<size_t> Channel::draw_indices(std::string_view label, size_t count, unsigned log_size) {
  if (log_size > 32) throw BadInput("draw_indices: domain of 2^" + std::to_string(log_size) + " is larger than 2^32");
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
  ratchet(label);
  return out;
}

void Channel::ratchet(std::string_view label) {
  state_ = Blake2s().update(state_).update("ratchet").update_u64(label.size()).update(label).finalize();
}

namespace {

// The PoW message is state || "pow" 0 || nonce (u64 LE): 11 little-endian words, one compression.
constexpr size_t kPowWords = 11;

void pow_message(const hash::Digest& state, uint64_t nonce, uint32_t* words) {
  std::memcpy(words, state.data(), 32);
  std::memcpy(words + 8, "pow", 4);
  words[9] = uint32_t(nonce);
  words[10] = uint32_t(nonce >> 32);
}

unsigned leading_zero_bits(const hash::Digest& d) {
  unsigned zeros = 0;
  for (uint8_t byte : d) {
    if (byte != 0) return zeros + unsigned(__builtin_clz(uint32_t(byte)) - 24);
    zeros += 8;
  }
  return zeros;
}

void check_bits(unsigned bits) {
  if (bits > Channel::kMaxPowBits)
    throw BadInput("proof of work of " + std::to_string(bits) + " bits (at most " +
                   std::to_string(Channel::kMaxPowBits) + ")");
}

}  // namespace

bool Channel::pow_ok(unsigned bits, uint64_t nonce) const {
  uint32_t words[kPowWords];
  pow_message(state_, nonce, words);
  hash::Digest d;
  hash::blake2s_many(hash::blake2s_initial_state(), words, kPowWords, kPowWords, 1, &d, simd::Backend::scalar);
  return leading_zero_bits(d) >= bits;
}

uint64_t Channel::grind(unsigned bits) {
  check_bits(bits);
  // Batches of nonces in increasing order, each searched by all threads; the smallest valid nonce
  // of the first batch that has one is the result: the smallest valid nonce overall, whatever
  // the thread count.
  const hash::State h0 = hash::blake2s_initial_state();
  constexpr size_t kBatch = size_t(1) << 16, kChunk = 1024;
  for (uint64_t base = 0;; base += kBatch) {
    std::atomic<uint64_t> best{UINT64_MAX};
    parallel::for_range(kBatch / kChunk, 1, [&](size_t b, size_t e) {
      std::vector<uint32_t> words(kChunk * kPowWords);
      std::vector<hash::Digest> digests(kChunk);
      for (size_t c = b; c < e; ++c) {
        const uint64_t first = base + c * kChunk;
        if (first >= best.load()) return;  // a smaller nonce is already known
        for (size_t i = 0; i < kChunk; ++i) pow_message(state_, first + i, words.data() + i * kPowWords);
        hash::blake2s_many(h0, words.data(), kPowWords, kPowWords, kChunk, digests.data());
        for (size_t i = 0; i < kChunk; ++i) {
          if (leading_zero_bits(digests[i]) < bits) continue;
          uint64_t nonce = first + i, cur = best.load();
          while (nonce < cur && !best.compare_exchange_weak(cur, nonce)) {
          }
          break;
        }
      }
    });
    if (best.load() != UINT64_MAX) {
      absorb_u64("pow/nonce", best.load());
      return best.load();
    }
  }
}

bool Channel::check_pow(unsigned bits, uint64_t nonce) {
  check_bits(bits);
  if (!pow_ok(bits, nonce)) return false;
  absorb_u64("pow/nonce", nonce);
  return true;
}

}  // namespace zkm31
