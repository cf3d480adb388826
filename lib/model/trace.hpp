#pragma once
// The trace artifact (kind "trace", version 2: graph body v2): everything gkr-prove needs, from stdin alone.
//
// Body (msgpack map):
//   graph          bin   the graph artifact *body* (encode_graph_body), the weights' integers included
//                        and their float originals left out (the float track has run: nothing reads them)
//   graph_digest   bin32 graph_digest(graph); read_trace recomputes it and refuses a mismatch
//   values         map   uint tensor id → bin of LE u32 M31 residues (v mod p), row-major, for every
//                        Input and Activation tensor (weights/constants live in the graph)
//   float_outputs  array one bin of LE f32 per graph output: the float32 reference track
//
// read_trace checks that every Input/Activation tensor has a value vector of the right length whose
// signed values lie in the tensor's proven interval. It does NOT re-run the forward pass (the
// prover proves it; `check_trace` in forward.hpp does re-run it, for tests and debugging).
// The weights' float originals are neither written nor read back (WeightValues::integers): the prover
// never uses them and on a large model they would double the bytes the weights take.
#include <cstdint>
#include <span>
#include <vector>

#include "field/m31.hpp"
#include "hash/blake2s.hpp"
#include "model/graph.hpp"

namespace zkm31::model {

struct Trace {
  Graph graph;
  hash::Digest digest{};
  std::vector<std::vector<M31>> values;          // index = tensor id; empty for Weight/Constant tensors
  std::vector<std::vector<float>> float_outputs;  // index = position in graph.outputs
};

inline constexpr uint32_t kTraceVersion = 2;
std::vector<uint8_t> write_trace(const Trace& t);     // full artifact
// The body alone, written into w (opened with kTraceFields): a large trace is written by
// cli::write_artifact without being copied into its envelope.
inline constexpr uint32_t kTraceFields = 4;
void encode_trace_body(const Trace& t, artifact::BodyWriter& w);
Trace read_trace(std::span<const uint8_t> artifact);  // envelope, digest and interval checks
// The values of the given tensors, concatenated (e.g. the graph's inputs: the public input).
std::vector<M31> tensor_values(const Trace& t, const std::vector<uint32_t>& ids);

}  // namespace zkm31::model
