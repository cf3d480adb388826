#pragma once
// The weight-free graph that travels in a proof: the verifier needs the architecture (shapes,
// bounds, quantization parameters) but never the weights, which the weight commitment binds.
// Its bytes are exactly what graph_digest hashes, so the verifier recomputes the digest from them.
#include <cstdint>
#include <span>
#include <vector>

#include "model/graph.hpp"

namespace zkm31::prove {

// The graph body with every weight's values and float originals left empty.
std::vector<uint8_t> graph_structure(const model::Graph& g);
inline constexpr int64_t kMaxProofWeights = int64_t(1) << 32;

// Decodes and validates a weight-free body (weights stay empty: the verifier never reads them); more
// than kMaxProofWeights weights are refused (NotSupported).
model::Graph parse_graph_structure(std::span<const uint8_t> body);

}  // namespace zkm31::prove
