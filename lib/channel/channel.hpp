#pragma once
// Fiat–Shamir transcript over BLAKE2s. Prover and verifier run the same sequence of calls.
// Every absorb is labelled and length-prefixed; every draw is labelled and ratchets the state,
// so no challenge can be drawn twice and sub-protocols are domain-separated by their labels.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "field/field.hpp"
#include "hash/blake2s.hpp"

namespace zkm31 {

class Channel {
 public:
  explicit Channel(std::string_view protocol_label);

  void absorb_bytes(std::string_view label, std::span<const uint8_t> data);
  void absorb_u64(std::string_view label, uint64_t x);
  void absorb_m31s(std::string_view label, std::span<const M31> xs);
  void absorb_qm31s(std::string_view label, std::span<const QM31> xs);
  void absorb_qm31(std::string_view label, QM31 x) { absorb_qm31s(label, std::span<const QM31>(&x, 1)); }
  void absorb_digest(std::string_view label, const hash::Digest& d) { absorb_bytes(label, d); }

  // Uniform QM31 by rejection sampling of 31-bit limbs.
  QM31 draw_qm31(std::string_view label);
  std::vector<QM31> draw_qm31s(std::string_view label, size_t n);
  // `count` indices uniform in [0, 2^log_size) (with repetition); log_size > 32 is BadInput.
  std::vector<size_t> draw_indices(std::string_view label, size_t count, unsigned log_size);

  // Proof of work: a nonce such that BLAKE2s(state || "pow\0" || nonce as u64 LE) has `bits`
  // leading zero bits (first byte first, most significant bit first). grind searches on all
  // threads and returns the smallest such nonce (the same for any thread count); check_pow tests
  // one nonce in O(1) (verifier). Both absorb a valid nonce; a wrong one leaves the state as it
  // was. bits > kMaxPowBits is BadInput.
  static constexpr unsigned kMaxPowBits = 48;
  uint64_t grind(unsigned bits);
  bool check_pow(unsigned bits, uint64_t nonce);

  const hash::Digest& state() const { return state_; }
  // QM31 challenges drawn so far: the verifier's provable-soundness bound charges each one
  // (prove::Security).
  uint64_t qm31_draws() const { return qm31_draws_; }

 private:
  hash::Digest squeeze(std::string_view label, uint64_t counter) const;
  bool pow_ok(unsigned bits, uint64_t nonce) const;
  // After a draw: the state moves on, bound to the label drawn.
  void ratchet(std::string_view label);
  hash::Digest state_;
  uint64_t qm31_draws_ = 0;
};

}  // namespace zkm31
