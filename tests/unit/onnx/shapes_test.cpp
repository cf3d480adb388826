// Input shapes and the folding of shape computations, against the ONNX operator semantics
// (https://onnx.ai/onnx/operators/): small graphs built here, loaded with load_onnx.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "error/error.hpp"
#include "onnx/import.hpp"
#include "onnx/loader.hpp"
#include "onnx_builder.hpp"

using namespace zkm31;
using onnx_import::FixedShapes;
using onnx_import::load_onnx;
using testing_onnx::Builder;

namespace {

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = i;
  return v;
}

void expect_const(const onnx_import::OnnxModel& m, const std::string& name, model::Shape shape, std::vector<double> data) {
  const onnx_import::Const* c = m.constant(name);
  ASSERT_NE(c, nullptr) << name << " was not folded";
  EXPECT_EQ(c->shape, shape) << name;
  EXPECT_EQ(c->data, data) << name;
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

}  // namespace

TEST(Shapes, ReshapeCopiesZeroAndInfersMinusOne) {
  Builder b({"1", "4"});
  b.ints("d", {2, 3, 4}, iota(24));
  b.ints("s", {2}, {0, -1});
  b.node("Reshape", {"d", "s"}, {"r"});
  auto m = b.load();
  EXPECT_EQ(m.constant("r")->shape, (model::Shape{2, 12}));
}

TEST(Shapes, SliceWithNegativeAxesStepsAndUnboundedEnds) {
  Builder b({"1", "4"});
  b.ints("d", {2, 3, 4}, iota(24));
  // last axis from −1 backwards by 2 to the start: indices 3, 1
  b.ints("st", {1}, {-1}), b.ints("en", {1}, {-kMax}), b.ints("ax", {1}, {-1}), b.ints("sp", {1}, {-2});
  b.node("Slice", {"d", "st", "en", "ax", "sp"}, {"r"});
  // axis 1 from 1 to past the end (clamped): rows 1, 2
  b.ints("st2", {1}, {1}), b.ints("en2", {1}, {kMax}), b.ints("ax2", {1}, {1});
  b.node("Slice", {"d", "st2", "en2", "ax2"}, {"r2"});
  auto m = b.load();
  expect_const(m, "r", {2, 3, 2}, {3, 1, 7, 5, 11, 9, 15, 13, 19, 17, 23, 21});
  expect_const(m, "r2", {2, 2, 4}, {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23});
}

TEST(Shapes, ExpandBroadcastsTileRepeatsConcatOnANegativeAxis) {
  Builder b({"1", "4"});
  b.ints("col", {3, 1}, {1, 2, 3});
  b.ints("to", {3}, {2, 1, 4});  // rank grows, a 1 keeps the input dimension
  b.node("Expand", {"col", "to"}, {"e"});
  b.ints("rep", {2}, {1, 2});
  b.ints("sq", {2, 2}, {1, 2, 3, 4});
  b.node("Tile", {"sq", "rep"}, {"t"});
  Builder::attr(b.node("Concat", {"col", "col"}, {"c"}), "axis", -1);
  auto m = b.load();
  std::vector<double> e;
  for (int r = 0; r < 2; ++r)
    for (double v : {1, 2, 3})
      for (int k = 0; k < 4; ++k) e.push_back(v);
  expect_const(m, "e", {2, 3, 4}, e);
  expect_const(m, "t", {2, 4}, {1, 2, 1, 2, 3, 4, 3, 4});
  expect_const(m, "c", {3, 2}, {1, 1, 2, 2, 3, 3});
}

TEST(Shapes, RangeConstantOfShapeEqualWhereAndSize) {
  Builder b({"1", "4"});
  b.ints("zero", {}, {0}), b.ints("five", {}, {5}), b.ints("two", {}, {2});
  b.node("Range", {"zero", "five", "two"}, {"r"});  // 0, 2, 4
  b.ints("shape", {1}, {3});
  b.node("ConstantOfShape", {"shape"}, {"z"});  // three float zeros
  b.ints("four", {}, {4});
  b.node("Equal", {"r", "four"}, {"eq"});
  b.floats("neg", {}, {-1});
  b.node("Where", {"eq", "neg", "z"}, {"w"});
  b.node("Size", {"w"}, {"n"});
  auto m = b.load();
  expect_const(m, "r", {3}, {0, 2, 4});
  expect_const(m, "w", {3}, {0, 0, -1});
  expect_const(m, "n", {}, {3});
}

TEST(Shapes, ShapeArithmeticOfADynamicInputFoldsOnceItsShapeIsFixed) {
  // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])): the TorchScript exporter's x.view(x.shape[0], -1)
  Builder b({"batch", "seq", "4"});
  b.node("Shape", {"x"}, {"sh"});
  b.ints("i0", {}, {0});
  Builder::attr(b.node("Gather", {"sh", "i0"}, {"b"}), "axis", 0);
  b.ints("ax0", {1}, {0});
  b.node("Unsqueeze", {"b", "ax0"}, {"bu"});
  b.ints("m1", {1}, {-1});
  Builder::attr(b.node("Concat", {"bu", "m1"}, {"target"}), "axis", 0);
  b.node("Reshape", {"x", "target"}, {"flat"});
  FixedShapes fixed = {{"x", {{1, 6, 4}, "--shape x=1,6,4"}}};
  auto m = b.load(fixed);
  expect_const(m, "target", {2}, {1, -1});
  EXPECT_EQ(m.shape("flat"), (model::Shape{1, 24}));
  EXPECT_EQ(m.inputs.at(0).second, (model::Shape{1, 6, 4}));
}

TEST(Shapes, LeadingBatchDimensionDefaultsToOneWithANotice) {
  Builder b({"N", "4"});
  auto m = b.load();
  EXPECT_EQ(m.inputs.at(0).second, (model::Shape{1, 4}));
  ASSERT_EQ(m.notices.size(), 1u);
  EXPECT_NE(m.notices[0].find("'x' 'N' set to 1"), std::string::npos) << m.notices[0];
}

TEST(Shapes, RefusesFreeAndContradictedDimensions) {
  auto error_of = [](std::vector<std::string> dims, const FixedShapes& fixed) -> std::string {
    try {
      Builder(dims).load(fixed);
    } catch (const BadInput& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of({"N", "seq"}, {}).find("free dimension 'seq' on axis 1: fix it with --shape x=1,N"), std::string::npos);
  EXPECT_NE(error_of({"1", "4"}, {{"x", {{1, 5}, "--shape x=1,5"}}}).find("the model fixes it to 4"), std::string::npos);
  EXPECT_NE(error_of({"1", "4"}, {{"x", {{1, 4, 1}, "--shape x=1,4,1"}}}).find("3 dimensions"), std::string::npos);
  EXPECT_NE(error_of({"1", "4"}, {{"z", {{1}, "--shape z=1"}}}).find("not an input"), std::string::npos);
  EXPECT_EQ(error_of({"1", "4"}, {{"x", {{1, 4}, "--shape x=1,4"}}}), "");
}

TEST(Shapes, ParsesTheShapeFlag) {
  EXPECT_EQ(onnx_import::parse_shape_flag("input.1=1,3,224,224"),
            (std::pair<std::string, model::Shape>{"input.1", {1, 3, 224, 224}}));
  for (const char* bad : {"x", "x=", "=1,2", "x=1,,2", "x=1,0", "x=-1", "x=1,a", "x=1,"})
    EXPECT_THROW(onnx_import::parse_shape_flag(bad), BadInput) << bad;
}

// Opsets 18–21 (torch's dynamo exporter writes 18): rewritten into opset 17's forms; what has none is
// refused in one line naming the node.
TEST(Shapes, Opset18To21FormsImportAndTheRestIsRefused) {
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto reduce = [](int opset, bool axes_input) {
    Builder b({"1", "4", "6"}, opset, {"1", "4", "1"});
    b.ints("axes", {1}, {-1});
    auto* n = b.node("ReduceMean", axes_input ? std::vector<std::string>{"x", "axes"} : std::vector<std::string>{"x"}, {"y"});
    if (!axes_input) Builder::attr(n, "axes", std::vector<int64_t>{-1});
    return b;
  };
  const model::Graph g18 = reduce(18, true).import(), g13 = reduce(13, false).import();
  EXPECT_EQ(g18.nodes.size(), g13.nodes.size());
  for (int opset : {19, 20, 21}) EXPECT_NO_THROW(reduce(opset, true).import()) << opset;
  Builder gelu({"1", "8"}, 20);
  Builder::attr(gelu.node("Gelu", {"x"}, {"y"}), "approximate", std::string("tanh"));
  const model::Graph gg = gelu.import();
  EXPECT_TRUE(std::any_of(gg.nodes.begin(), gg.nodes.end(), [](const model::Node& n) { return n.op == model::Op::Lookup; }));
  Builder pool({"1", "1", "6", "6"}, 19, {"1", "1", "2", "2"});
  auto* p = pool.node("AveragePool", {"x"}, {"y"});
  Builder::attr(p, "kernel_shape", std::vector<int64_t>{2, 2});
  Builder::attr(p, "strides", std::vector<int64_t>{2, 2});
  Builder::attr(p, "dilations", std::vector<int64_t>{2, 2});
  EXPECT_NE(message([&] { pool.import(); }).find("not supported: node 'AveragePool_y' (AveragePool): AveragePool with dilations"),
            std::string::npos);
  EXPECT_NE(message([&] { reduce(22, true).import(); }).find("not supported: ONNX opset 22"), std::string::npos);
}
