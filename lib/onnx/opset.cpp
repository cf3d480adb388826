// Models of opsets 18–21 (torch's dynamo exporter writes 18) rewritten into the opset-17 forms that
// the Debian libonnx (1.12) checks and infers shapes for. What changed for the ops the importer takes:
//   18  Reduce{Mean,Max,Min,Prod,SumSquare,L1,L2,LogSum,LogSumExp}: axes attribute → input (as
//       ReduceSum at 13); Split: num_outputs attribute (equal chunks, which Split-13 does without
//       it); Pad: an optional axes input; Resize: antialias, axes, keep_aspect_ratio_policy.
//   19  AveragePool: dilations; Cast: saturate (float8 only); Resize: half_pixel_symmetric.
//   20  Gelu (a new op): written as the Div/Erf/Add/Mul (or Tanh) pattern the importer fuses.
//   21  type additions only (int4, float8) for the ops used here.
// A form with no opset-17 equivalent here is refused with not supported.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "error/error.hpp"
#include "onnx/loader.hpp"

namespace zkm31::onnx_import {
namespace {

constexpr int64_t kTargetOpset = 17, kTargetIr = 8;

std::vector<int64_t> int64s(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::INT64) return {};
  if (t.int64_data_size()) return {t.int64_data().begin(), t.int64_data().end()};
  std::vector<int64_t> v(t.raw_data().size() / sizeof(int64_t));
  if (!v.empty()) std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(int64_t));
  return v;
}

onnx::AttributeProto* find(onnx::NodeProto& n, const std::string& key) {
  for (auto& a : *n.mutable_attribute())
    if (a.name() == key) return &a;
  return nullptr;
}

void erase_attr(onnx::NodeProto& n, const std::string& key) {
  auto* attrs = n.mutable_attribute();
  for (int i = 0; i < attrs->size(); ++i)
    if (attrs->Get(i).name() == key) {
      attrs->DeleteSubrange(i, 1);
      return;
    }
}

void set_ints(onnx::NodeProto& n, const std::string& key, const std::vector<int64_t>& v) {
  erase_attr(n, key);
  auto* a = n.add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

std::string node_label(const onnx::NodeProto& n) { return "node '" + n.name() + "' (" + n.op_type() + ")"; }

void add_scalar(onnx::GraphProto& g, const std::string& name, float v) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_float_data(v);
}

onnx::NodeProto make(const std::string& op, const std::string& name, std::vector<std::string> in, std::string out) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (auto& s : in) n.add_input(s);
  n.add_output(out);
  return n;
}

// Gelu(x) as torch exports it: x·(1 + erf(x/√2))·0.5, or with approximate = tanh
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
std::vector<onnx::NodeProto> gelu_nodes(const onnx::NodeProto& n, onnx::GraphProto& g) {
  const std::string x = n.input(0), y = n.output(0), p = n.name().empty() ? y : n.name();
  const onnx::AttributeProto* a = nullptr;
  for (const auto& at : n.attribute())
    if (at.name() == "approximate") a = &at;
  const std::string approximate = a ? a->s() : "none";
  std::vector<onnx::NodeProto> out;
  if (approximate == "none") {
    add_scalar(g, p + "/sqrt2", float(std::sqrt(2.0)));
    add_scalar(g, p + "/one", 1.0f);
    add_scalar(g, p + "/half", 0.5f);
    out.push_back(make("Div", p + "/Div", {x, p + "/sqrt2"}, p + "/div"));
    out.push_back(make("Erf", p + "/Erf", {p + "/div"}, p + "/erf"));
    out.push_back(make("Add", p + "/Add", {p + "/erf", p + "/one"}, p + "/add"));
    out.push_back(make("Mul", p + "/Mul", {x, p + "/add"}, p + "/mul"));
    out.push_back(make("Mul", p + "/Mul_1", {p + "/mul", p + "/half"}, y));
  } else if (approximate == "tanh") {
    add_scalar(g, p + "/c3", 0.044715f);
    add_scalar(g, p + "/k", float(std::sqrt(2.0 / M_PI)));
    add_scalar(g, p + "/one", 1.0f);
    add_scalar(g, p + "/half", 0.5f);
    add_scalar(g, p + "/three", 3.0f);
    out.push_back(make("Mul", p + "/Mul", {x, p + "/half"}, p + "/hx"));
    out.push_back(make("Pow", p + "/Pow", {x, p + "/three"}, p + "/x3"));
    out.push_back(make("Mul", p + "/Mul_1", {p + "/x3", p + "/c3"}, p + "/cx3"));
    out.push_back(make("Add", p + "/Add", {x, p + "/cx3"}, p + "/inner"));
    out.push_back(make("Mul", p + "/Mul_2", {p + "/inner", p + "/k"}, p + "/scaled"));
    out.push_back(make("Tanh", p + "/Tanh", {p + "/scaled"}, p + "/tanh"));
    out.push_back(make("Add", p + "/Add_1", {p + "/tanh", p + "/one"}, p + "/onep"));
    out.push_back(make("Mul", p + "/Mul_3", {p + "/hx", p + "/onep"}, y));
  } else {
    throw NotSupported(node_label(n) + ": Gelu approximate '" + approximate + "'");
  }
  return out;
}

}  // namespace

void downgrade_opset(onnx::ModelProto& model) {
  int64_t opset = 0;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if (opset <= kTargetOpset) return;
  if (opset > 21) throw NotSupported("ONNX opset " + std::to_string(opset) + " (this build reads opsets up to 21)");
  onnx::GraphProto& g = *model.mutable_graph();
  // Constant int64 tensors by name: initializers and Constant nodes (axes inputs).
  std::map<std::string, std::vector<int64_t>> ints;
  for (const auto& t : g.initializer()) ints[t.name()] = int64s(t);
  for (const auto& n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1)
      for (const auto& a : n.attribute())
        if (a.name() == "value") ints[n.output(0)] = int64s(a.t());
  static const std::vector<std::string> reduces = {"ReduceMean", "ReduceMax",  "ReduceMin",    "ReduceProd",     "ReduceSumSquare",
                                                   "ReduceL1",   "ReduceL2",   "ReduceLogSum", "ReduceLogSumExp"};
  std::vector<onnx::NodeProto> nodes;
  for (onnx::NodeProto n : g.node()) {
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      nodes.push_back(std::move(n));
      continue;
    }
    if (std::find(reduces.begin(), reduces.end(), op) != reduces.end()) {
      const auto* noop = find(n, "noop_with_empty_axes");
      const bool has_axes = n.input_size() > 1 && !n.input(1).empty();
      if (has_axes) {
        auto it = ints.find(n.input(1));
        if (it == ints.end()) throw NotSupported(node_label(n) + ": axes that are not a constant");
        set_ints(n, "axes", it->second);
        n.mutable_input()->DeleteSubrange(1, n.input_size() - 1);
      } else if (noop && noop->i()) {  // no axes and noop: the identity
        onnx::NodeProto id = make("Identity", n.name(), {n.input(0)}, n.output(0));
        nodes.push_back(std::move(id));
        continue;
      }
      erase_attr(n, "noop_with_empty_axes");
    } else if (op == "Split") {
      erase_attr(n, "num_outputs");  // equal chunks: what Split-13 does without split sizes
    } else if (op == "Pad" && n.input_size() > 3 && !n.input(3).empty()) {
      throw NotSupported(node_label(n) + ": Pad with an axes input");
    } else if (op == "Resize") {
      if (const auto* a = find(n, "antialias"); a && a->i()) throw NotSupported(node_label(n) + ": Resize with antialias");
      if (find(n, "axes")) throw NotSupported(node_label(n) + ": Resize with axes");
      if (const auto* a = find(n, "keep_aspect_ratio_policy"); a && a->s() != "stretch")
        throw NotSupported(node_label(n) + ": Resize keep_aspect_ratio_policy " + a->s());
      if (const auto* a = find(n, "coordinate_transformation_mode"); a && a->s() == "half_pixel_symmetric")
        throw NotSupported(node_label(n) + ": Resize coordinate_transformation_mode half_pixel_symmetric");
      for (const char* k : {"antialias", "keep_aspect_ratio_policy"}) erase_attr(n, k);
    } else if (op == "AveragePool") {
      if (const auto* a = find(n, "dilations"); a && std::any_of(a->ints().begin(), a->ints().end(), [](int64_t d) { return d != 1; }))
        throw NotSupported(node_label(n) + ": AveragePool with dilations");
      erase_attr(n, "dilations");
    } else if (op == "Cast" || op == "CastLike") {
      erase_attr(n, "saturate");
    } else if (op == "Gelu") {
      for (auto& m : gelu_nodes(n, g)) nodes.push_back(std::move(m));
      continue;
    }
    nodes.push_back(std::move(n));
  }
  g.clear_node();
  for (auto& n : nodes) *g.add_node() = std::move(n);
  for (auto& o : *model.mutable_opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(kTargetOpset);
  model.set_ir_version(std::min<int64_t>(model.ir_version(), kTargetIr));
}

}  // namespace zkm31::onnx_import
