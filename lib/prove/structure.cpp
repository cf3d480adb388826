#include "prove/structure.hpp"

#include "artifact/body.hpp"
#include "error/error.hpp"

namespace zkm31::prove {

std::vector<uint8_t> graph_structure(const model::Graph& g) {
  return model::encode_graph_body(g, model::WeightValues::absent);
}

model::Graph parse_graph_structure(std::span<const uint8_t> body) {
  model::Graph g = model::decode_graph_body(body, model::WeightValues::absent);
  // A hostile proof must not make the verifier work on unbounded weight vectors: 2^32 weights are 16
  // full chunks of 2^28 (each tensor is held to one chunk when the commitments are laid out).
  int64_t total = 0;
  for (const auto& w : g.weights) total += model::numel(g.tensors[w.tensor].shape);
  if (total > kMaxProofWeights) throw NotSupported("proof graph with more than 2^32 weights");
  return g;
}

}  // namespace zkm31::prove
