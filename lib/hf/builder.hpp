#pragma once
// The shared pieces of lib/hf: config access, checkpoint tensors with their expected shapes, and an
// ONNX graph builder (nodes named like the exporter's, initializers, Constant nodes). Each family's
// file emits with it the node patterns torch.onnx.export (opset 17) produces for the plain-PyTorch
// reference modules of tests/data/hf_reference.py.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hf/hf.hpp"
#include "safetensors/safetensors.hpp"

namespace zkm31::hf {

using Dims = std::vector<int64_t>;

// A float tensor read from the checkpoint (row-major, as stored).
struct Weight {
  Dims shape;
  std::vector<float> data;
};

class Model {
 public:
  Model(const std::string& dir);  // reads config.json and opens the checkpoint (mapped)

  const nlohmann::json& config() const { return config_; }
  std::string text(const std::string& key) const;           // required string
  int64_t integer(const std::string& key) const;            // required positive integer
  int64_t integer(const std::string& key, int64_t def) const;
  double number(const std::string& key, double def) const;
  bool flag(const std::string& key, bool def) const;

  bool has(const std::string& name) const { return ckpt_.has(name); }
  // The tensor `name`, whose shape must be `shape` (BadInput naming both otherwise).
  Weight weight(const std::string& name, const Dims& shape) const;

 private:
  std::string dir_;
  nlohmann::json config_;
  safetensors::Checkpoint ckpt_;
};

// [a, b] → [b, a] (an nn.Linear weight [out, in] as the [in, out] operand of MatMul).
Weight transposed(const Weight& w);

// The layers [first, end) of an n-layer model from the options (BadInput when out of range).
std::pair<int64_t, int64_t> layer_range(const Options& opt, int64_t n_layers);

class Builder {
 public:
  explicit Builder(const std::string& name);

  std::string input_ids(int64_t seq);                      // int64 [1, seq]
  std::string input_hidden(int64_t seq, int64_t hidden);   // float [1, seq, hidden]
  void output(const std::string& value, const std::string& name, const Dims& shape);

  std::string init(const std::string& name, const Weight& w);
  std::string init_bools(const Dims& shape, const std::vector<bool>& values);
  std::string scalar(float v);                             // a Constant node (as the exporter emits)
  std::string ints(const std::vector<int64_t>& values);   // a 1-D int64 Constant node

  // Adds a node; returns it (outputs named after it).
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, int outputs = 1);
  std::string op(const std::string& op, const std::vector<std::string>& inputs) { return node(op, inputs)->output(0); }
  std::string transpose(const std::string& x, const std::vector<int64_t>& perm);
  static void attr(onnx::NodeProto* n, const std::string& key, int64_t v);
  static void attr(onnx::NodeProto* n, const std::string& key, const std::vector<int64_t>& v);
  static void attr(onnx::NodeProto* n, const std::string& key, float v);

  // x · W (W [in, out] as stored by Conv1D, or an nn.Linear weight [out, in] transposed) + b.
  std::string linear(const std::string& x, const std::string& name, const Weight& w_in_out, const Weight* bias);

  std::string serialize() const;

 private:
  std::string fresh(const std::string& base);
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::map<std::string, int> counts_;
};

// Each family: the ONNX model of the checkpoint.
std::string gpt2_to_onnx(const Model& m, const Options& opt);
std::string llama_to_onnx(const Model& m, const Options& opt);

}  // namespace zkm31::hf
