#include "poseidon2/sponge.hpp"

#include <string>

#include "error/error.hpp"

namespace zkm31::poseidon2 {

Digest hash(M31 tag, std::span<const M31> message) {
  if (message.size() >= kP) throw BadInput("poseidon2 sponge: message of " + std::to_string(message.size()) + " elements");
  State state{};
  state[kRate] = tag;
  state[kRate + 1] = M31(uint32_t(message.size()));
  size_t at = 0;
  do {
    for (size_t i = 0; i < kRate; ++i) state[i] = at + i < message.size() ? message[at + i] : M31();
    permute(state);
    at += kRate;
  } while (at < message.size());
  Digest out;
  std::copy(state.begin(), state.begin() + kRate, out.begin());
  return out;
}

Compression::Compression(M31 tag) : offset_(hash(tag, {})) {}

Digest Compression::operator()(const Digest& left, const Digest& right) const {
  State state;
  std::copy(left.begin(), left.end(), state.begin());
  std::copy(right.begin(), right.end(), state.begin() + kRate);
  permute(state);
  Digest out;
  for (size_t i = 0; i < kRate; ++i) out[i] = state[i] + offset_[i];
  return out;
}

Digest compress(M31 tag, const Digest& left, const Digest& right) { return Compression(tag)(left, right); }

}  // namespace zkm31::poseidon2
