#pragma once
// The forward passes over a graph (DESIGN.md §4):
//  - the integer pass: bit-exact and deterministic on every machine and thread count;
//  - the float32 reference pass: the same nodes on real values with the original float weights
//    (see "Float track" in graph.hpp), which reproduces the float model.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/graph.hpp"
#include "model/trace.hpp"

namespace zkm31::model {

// One named float input tensor (the {"name","shape","data"} JSON of shared/models/*.input.json).
struct InputTensor {
  std::string name;
  Shape shape;
  std::vector<float> data;
};

// Parses one input object or an array of them. Throws BadInput on malformed JSON or fields.
std::vector<InputTensor> parse_inputs_json(const std::string& text);

// Orders the given inputs as g.inputs (by name, or by position when the names do not match any
// graph input) and checks their shapes. Throws BadInput naming the input.
std::vector<InputTensor> match_inputs(const Graph& g, std::vector<InputTensor> inputs);

// Integer input: clamp(floor(x/scale + 1/2), lo, hi) for the input tensor's scale and interval.
std::vector<int32_t> quantize_input(const Tensor& t, const std::vector<float>& x);

// Integer pass: values for every tensor id (inputs, activations, constants; empty for weights).
std::vector<std::vector<int32_t>> forward_int(const Graph& g, const std::vector<std::vector<int32_t>>& inputs);

// Float pass: values for every tensor id (inputs, activations, constants; empty for weights).
std::vector<std::vector<float>> forward_float(const Graph& g, const std::vector<std::vector<float>>& inputs);

// The float pass over several input sets at once (calibration): each tensor's values in every set go to
// `seen` as soon as they are computed (inputs and constants first), and are freed after their last use.
// A matmul by a weight runs once over the rows of all sets, so that the weights stream through the
// cache once rather than once per set; every value is the one forward_float computes.
using SeenInSets = std::function<void(uint32_t tensor, const std::vector<const std::vector<float>*>& per_set)>;
void forward_float_sets(const Graph& g, const std::vector<std::vector<std::vector<float>>>& sets, const SeenInSets& seen);

// Error of one node output: its dequantized integer values against the float track.
struct LayerReport {
  std::string node, tensor;  // the node (named after its ONNX node) and the tensor it produces
  std::string op;            // the node's op, "input" for a graph input (its quantization)
  Shape shape;
  int bits = 0;
  double scale = 0, max_abs = 0, rel_l2 = 0;  // ‖q − f‖∞ and ‖q − f‖₂ / ‖f‖₂ over the finite float values
  int64_t clamped = 0;  // float values beyond the tensor's interval (its calibrated range was exceeded)
};

// Both passes; the trace holds the integer values (as M31) and the float outputs, and takes the graph
// (pass it moved to keep a large model once). `layers` (optional) receives the error of every graph input, then of every node output that has one scale
// and new values (index-map ops that only move elements, and per-channel accumulators, are left
// out), in node order.
Trace run_forward(Graph g, const std::vector<InputTensor>& inputs, std::vector<LayerReport>* layers = nullptr);

// Warnings for people: one line per graph input with values outside its interval (quantize_input
// clamps them), one line for the layers whose float values exceed their interval; both name the
// graph's calibration note (the graph was calibrated on inputs of a narrower range).
std::vector<std::string> range_warnings(const Graph& g, const std::vector<LayerReport>& layers);

// The layer errors as a table for people: one row per layer, the worst relative L2 marked.
std::string layer_table(const std::vector<LayerReport>& layers);

// Re-runs the integer pass from the trace's inputs and throws BadInput at the first tensor that differs.
void check_trace(const Trace& t);

// Output comparison for reports: dequantized integer output vs float output.
struct OutputReport {
  std::string name;
  Shape shape;
  std::vector<float> float_values, quantized;  // quantized = int · scale
  double max_abs = 0, rel_l2 = 0;              // ‖q − f‖∞ and ‖q − f‖₂ / ‖f‖₂
};
std::vector<OutputReport> compare_outputs(const Trace& t);

// Exact integer matmul kernel used by the pass: Y[M,N] = A[M,K]·B[K,N] (+ bias[N]), int32
// accumulation (exact because the importer proved |Y| ≤ (p−1)/2 for every partial sum's bound).
void matmul_int(const int32_t* A, const int32_t* B, const int32_t* bias, int32_t* Y, int64_t M, int64_t K, int64_t N);

}  // namespace zkm31::model
