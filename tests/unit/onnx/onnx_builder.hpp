#pragma once
// Small ONNX graphs built in the tests (protobuf classes), for the importer's edge cases.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "onnx/import.hpp"
#include "onnx/loader.hpp"

namespace zkm31::testing_onnx {

// A graph under construction: float input x with the given dims (a string that is not a number is
// a symbolic dimension), a float output y with y_dims (default: x's), and the nodes a test adds.
struct Builder {
  onnx::ModelProto m;
  onnx::GraphProto* g;

  explicit Builder(const std::vector<std::string>& x_dims, int opset = 14, const std::vector<std::string>& y_dims = {})
      : g(m.mutable_graph()) {
    m.set_ir_version(8);
    m.add_opset_import()->set_version(opset);
    g->set_name("t");
    value(g->add_input(), "x", x_dims);
    value(g->add_output(), "y", y_dims.empty() ? x_dims : y_dims);
  }

  static void value(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::string>& dims) {
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = v->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (const auto& d : dims) {
      if (d.find_first_not_of("0123456789") == std::string::npos) shape->add_dim()->set_dim_value(std::stoll(d));
      else shape->add_dim()->set_dim_param(d);
    }
  }

  void ints(const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : values) t->add_int64_data(v);
  }

  void floats(const std::string& name, std::vector<int64_t> dims, std::vector<float> values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }

  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + out[0]);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }

  static void attr(onnx::NodeProto* n, const std::string& key, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& key, int v) { attr(n, key, int64_t(v)); }
  static void attr(onnx::NodeProto* n, const std::string& key, float v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& key, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& key, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t i : v) a->add_ints(i);
  }

  std::string bytes() const { return m.SerializeAsString(); }

  // x → Relu → y after the test's own nodes, loaded (shape inference and folding only).
  onnx_import::OnnxModel load(const onnx_import::FixedShapes& fixed = {}) {
    node("Relu", {"x"}, {"y"});
    std::string b = bytes();
    return onnx_import::load_onnx({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, fixed);
  }

  // Imported and quantized (the test's nodes must produce y).
  model::Graph import() const {
    std::string b = bytes();
    return onnx_import::import_onnx({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, {});
  }
};

}  // namespace zkm31::testing_onnx
