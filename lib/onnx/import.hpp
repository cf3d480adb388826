#pragma once
// ONNX → integer graph (DESIGN.md §4): fix the input shapes (--shape, else the calibration
// inputs' shapes, else a symbolic leading batch dimension of 1), infer shapes and fold constants
// until every value is static, fuse PyTorch's decomposed patterns (Linear, LayerNorm,
// GELU/SiLU/sigmoid/tanh regions, masked Softmax), quantize.
//
// Quantization
// - Weights: symmetric, one scale per output channel (max|W[:,n]|/(2^(w−1)−1)), w the widest in
//   [8, weight_bits] for which K·|x|max·|w|max (+ bias) stays inside the product budget; biases
//   int32 at in_scale·w_scale[n], added in the matmul. Token-embedding tables: the residual width.
// - Activations: signed `act_bits`-bit integers (default 11: 10 bits cost 1.3–2 % on the HF test
//   checkpoints), one symmetric scale per tensor = absmax/(2^(b−1)−1) over the calibration inputs
//   (a ReLU-fed tensor uses its positive max). A matmul whose K·|x|max·|w|max would leave the
//   product budget takes x narrower (activation × activation: the wider operand) rather than wrap.
// - Wide tensors: Add/Sub outputs (the residual stream) and function-table outputs are
//   `residual_bits` wide (default act_bits + 2): a 10-bit residual stream loses precision at every
//   block (tests/data/pre_ln_stack, 12 blocks: 2.0 % relative L2 at 10 bits, 0.93 % at 12). An
//   Add/Sub takes them as they are, a Linear too when K·|x|max·127 (+ bias) stays inside the
//   product budget; every other consumer requantizes them to the activation width first. A Linear
//   that feeds an Add (a residual branch's last projection) and the softmax scores keep 2× headroom
//   over their calibrated range: one value beyond it, clamped, cost llama's test checkpoint 8 %.
// - Calibration: the float track of the graph is run on the calibration inputs. Default when none
//   are given: 64 inputs of i.i.d. N(0, 1) values (fixed seed 0x5eed), the distribution of the
//   reference inputs of gpt_block, with a notice saying so; pass --calibrate with real samples for
//   anything else (the digits models use 64 training images, tests/data/digits_calib_*.json;
//   ln_mlp, whose log-mel-like inputs lie around −6: 26 % relative L2 at the default, 0.54 % with
//   its samples). graph-forward warns when an input value lies outside its quantized range.
//   absmax is kept as the scale: a percentile clips the residual stream (reference/quantization).
// - Requant: y = clamp(floor((x·M + B + 2^(s−1))/2^s)) with M chosen as wide as the bound
//   |x|max·M + … < 2^29 allows; when that leaves fewer than 12 bits for M, a rounding pre-shift
//   (M = 1) first drops accumulator bits far below the output LSB (3 guard bits are kept).
// - Tables: sigmoid/tanh/silu/gelu over the a-bit input codes; softmax: exp over 2^10 steps of
//   [0, 16·ln2], a reciprocal over the range-reduced sum; LayerNorm: rsqrt over a calibrated
//   16-bit variance code. All are built by integer-only code (model/tables.hpp).
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/forward.hpp"
#include "model/graph.hpp"

namespace zkm31::onnx_import {

struct ImportOptions {
  int act_bits = 11;                                       // activation width (2..16)
  int residual_bits = 0;                                   // Add/Sub outputs (residual stream); 0: act_bits + 2, at most 16
  int weight_bits = 12;                                    // widest matmul weights (8..16; narrower where K·|x|·|w| would not fit)
  std::vector<std::vector<model::InputTensor>> calibration;  // each entry: one set of graph inputs
  int default_samples = 64;                                // N(0,1) inputs when calibration is empty
  std::map<std::string, model::Shape> shapes;              // --shape NAME=d0,d1,…: fixed input shapes
  std::function<void(const std::string&)> notice;          // one-line notices (e.g. a defaulted batch dim)
  // Called once the bytes are parsed and no longer read: a caller may free them then (a large model's
  // file is otherwise held beside its parsed tensors).
  std::function<void()> parsed;
};

// The width of the residual stream for these options.
int residual_bits(const ImportOptions& opt);

// Parses a --shape value "NAME=d0,d1,…" (positive dimensions). Throws BadInput.
std::pair<std::string, model::Shape> parse_shape_flag(const std::string& text);

// Imports and quantizes a model. Throws BadInput / NotSupported (exit 2) naming the node.
model::Graph import_onnx(std::span<const uint8_t> onnx_bytes, const ImportOptions& opt);

// Calibration inputs from a JSON file's text: an array of input sets; each set is one input object
// {"name","shape","data"} or an array of them (the graph-forward input format). A single input
// object (a graph-forward input file) is one set.
std::vector<std::vector<model::InputTensor>> parse_calibration_json(const std::string& text);

}  // namespace zkm31::onnx_import
