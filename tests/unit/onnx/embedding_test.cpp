// Gather of a constant table by an int64 graph input (token ids) → the proven embedding op: the
// table is int8 with one scale, the ids are public and bounded by the table's rows.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <string>
#include <vector>

#include "error/error.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"
#include "onnx/import.hpp"

using namespace zkm31;

namespace {

// ids int64 [1, T] → Gather(table [V, D]) → MatMul(W [D, 3]) → y. With cast = true the ids are
// instead cast to float and multiplied by W (T = D): an integer input used as data, which is refused.
std::string model_bytes(int64_t V, int64_t D, int64_t T, bool cast = false) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(14);
  auto* g = m.mutable_graph();
  g->set_name("emb");
  auto* ids = g->add_input();
  ids->set_name("input_ids");
  ids->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
  for (int64_t d : {int64_t(1), T}) ids->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  auto floats = [&](const std::string& name, std::vector<int64_t> dims, float scale) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(scale * float(std::sin(double(i) * 1.7 + 0.3)));
  };
  floats("table", {V, D}, 0.8f);
  floats("W", {D, 3}, 0.5f);
  auto* first = g->add_node();
  first->set_name("/wte/first");
  if (cast) {
    first->set_op_type("Cast"), first->add_input("input_ids");
    auto* to = first->add_attribute();
    to->set_name("to"), to->set_type(onnx::AttributeProto::INT), to->set_i(onnx::TensorProto::FLOAT);
  } else {
    first->set_op_type("Gather"), first->add_input("table"), first->add_input("input_ids");
  }
  first->add_output("e");
  auto* mm = g->add_node();
  mm->set_op_type("MatMul"), mm->set_name("/head/MatMul");
  mm->add_input("e"), mm->add_input("W");
  mm->add_output("y");
  auto* y = g->add_output();
  y->set_name("y");
  y->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto* ys = y->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (int64_t d : cast ? std::vector<int64_t>{1, 3} : std::vector<int64_t>{1, T, 3}) ys->add_dim()->set_dim_value(d);
  return m.SerializeAsString();
}

model::Graph import(const std::string& bytes) {
  return onnx_import::import_onnx({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, {});
}

}  // namespace

TEST(Embedding, GatherOfTableByTokenIdsBecomesEmbedding) {
  for (auto [V, D, T] : {std::tuple<int64_t, int64_t, int64_t>{7, 4, 5}, {13, 6, 3}}) {
    model::Graph g = import(model_bytes(V, D, T));
    const model::Tensor& ids = g.tensors[g.inputs[0]];
    EXPECT_EQ(ids.lo, 0);
    EXPECT_EQ(ids.hi, V - 1);
    const model::Node& e = g.nodes.at(0);
    ASSERT_EQ(e.op, model::Op::Embedding);
    const model::Tensor& table = g.tensors[e.inputs[0]];
    EXPECT_EQ(table.kind, model::TensorKind::Weight);
    EXPECT_GT(table.scale, 0.0);  // one scale for the whole table
    std::vector<float> tokens;
    for (int64_t t = 0; t < T; ++t) tokens.push_back(float((t * 5 + 1) % V));
    tokens[0] = float(V - 1);
    auto run = model::run_forward(g, {{"input_ids", {1, T}, tokens}});
    EXPECT_LE(model::compare_outputs(run).at(0).rel_l2, 0.02);
    // Every row gathered: the float track reads the table's float rows exactly.
    auto f = model::forward_float(g, {tokens});
    EXPECT_EQ(f[e.outputs[0]].size(), size_t(T * D));
  }
}

TEST(Embedding, IdsOutsideTheTableAreRefused) {
  model::Graph g = import(model_bytes(7, 4, 3));
  EXPECT_THROW(model::run_forward(g, {{"input_ids", {1, 3}, {0, 7, 1}}}), BadInput);
  EXPECT_THROW(model::run_forward(g, {{"input_ids", {1, 3}, {0, 1.5f, 1}}}), BadInput);
}

TEST(Embedding, IntegerInputUsedOtherwiseIsRefused) {
  try {
    import(model_bytes(7, 4, 4, true));
    FAIL() << "accepted";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("integer input 'input_ids'"), std::string::npos) << e.what();
  }
}
