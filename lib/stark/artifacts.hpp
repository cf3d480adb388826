#pragma once
// The STARK's artifacts (DESIGN.md §2 envelopes):
//   air-trace v1   {components: [{name, version, log_size, public_input (M31 bin), columns: [M31 bin…]}]}
//   stark-proof v2 {statement: [{name, version, log_size, public_input}], public_input (every component's,
//                   concatenated: the calldata's IO commitment), public_output (empty), proof: Proof}
#include <cstdint>
#include <span>
#include <vector>

#include "air/registry.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {

inline constexpr const char* kAirTraceKind = "air-trace";
inline constexpr const char* kProofKind = "stark-proof";
inline constexpr uint32_t kAirTraceVersion = 1, kProofVersion = 2;

std::vector<uint8_t> write_air_trace(const air::Instance& instance);
// BadInput naming the problem (envelope, missing field, a column of the wrong length, an unknown component).
air::Instance read_air_trace(std::span<const uint8_t> bytes);

std::vector<uint8_t> write_proof(const air::Components& components, const Proof& proof);
struct ProofArtifact {
  air::Components components;
  Proof proof;
};
// BadInput on anything malformed, including the proof's own fields.
ProofArtifact read_proof(std::span<const uint8_t> bytes);

}  // namespace zkm31::stark
