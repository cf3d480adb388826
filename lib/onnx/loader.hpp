#pragma once
// ONNX front end: parse (libonnx protobuf), check, infer shapes, collect initializers and fold every
// node whose inputs are constants (shape arithmetic included) into constants.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "model/graph.hpp"

namespace onnx {
class NodeProto;
class ModelProto;
}  // namespace onnx

namespace zkm31::onnx_import {

using model::Shape;

// A constant tensor (initializer, Constant node or folded value) as doubles.
struct Const {
  Shape shape;
  std::vector<double> data;
  bool integer = false;  // int/bool typed (indices, shapes, masks)
};

// A live (non-constant) node with its attributes read.
struct LiveNode {
  std::string op, name;
  std::vector<std::string> inputs, outputs;  // empty string = omitted optional input
  const onnx::NodeProto* proto = nullptr;
};

// A model of opset 18–21 rewritten into the opset-17 forms the checker and shape inference know
// (lib/onnx/opset.cpp lists the changes); NotSupported for a form with no such equivalent.
void downgrade_opset(onnx::ModelProto& model);

// Shapes given for graph inputs: name → (shape, where it came from, e.g. "--shape x=1,8,16").
using FixedShapes = std::map<std::string, std::pair<Shape, std::string>>;

struct OnnxModel {
  std::shared_ptr<onnx::ModelProto> proto;  // owns the NodeProtos that LiveNode points into
  std::string name;
  int64_t opset = 0;  // version of the default ("ai.onnx") operator set
  std::vector<std::pair<std::string, Shape>> inputs;  // graph inputs that are not initializers
  std::vector<std::string> outputs;
  std::map<std::string, Const> consts;
  std::map<std::string, Shape> shapes;          // static shapes of every value (inputs + inferred)
  std::vector<LiveNode> nodes;                  // topological order
  std::map<std::string, std::vector<size_t>> consumers;  // value name → live node indices
  std::set<std::string> graph_outputs;
  std::map<std::string, int64_t> token_ids;  // integer graph inputs → rows of the table they index
  std::set<std::string> mask_inputs;         // other integer graph inputs: attention masks (ops/input_mask.cpp)
  std::vector<std::string> notices;  // one line each, for the user (e.g. a defaulted batch dimension)

  const Const* constant(const std::string& name) const;
  const Shape& shape(const std::string& name) const;  // throws BadInput when unknown
};

// Parses and prepares a model: input shapes from `fixed` (a symbolic leading batch dimension
// defaults to 1), then shape inference and constant folding until every live value is static.
// Throws BadInput for a malformed/unparseable file, a free input dimension nothing fixes, a given
// shape that contradicts the model, a missing initializer, and NotSupported listing every
// unsupported node.
OnnxModel load_onnx(std::span<const uint8_t> bytes, const FixedShapes& fixed = {});

// True when the lowering handles op on live (non-constant) inputs (ops/registry.cpp).
bool has_lowering(const std::string& op);

// "d0,d1,…" (the --shape syntax).
std::string dims_str(const Shape& s);

// Attribute accessors (default when absent).
int64_t attr_int(const LiveNode& n, const std::string& key, int64_t def);
double attr_float(const LiveNode& n, const std::string& key, double def);
std::vector<int64_t> attr_ints(const LiveNode& n, const std::string& key);
std::string attr_string(const LiveNode& n, const std::string& key, const std::string& def);

}  // namespace zkm31::onnx_import
