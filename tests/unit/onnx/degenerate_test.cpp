// What freshly initialised torchvision CNNs export (mobilenet, shufflenet, mnasnet, googlenet,
// efficientnet with random weights): activations far smaller than the constants around them. Each
// used to be refused; each imports now into a graph whose integer pass follows the float one and
// whose every requant the GKR prover accepts (model::requant_window, the prover's own check).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/forward.hpp"
#include "onnx_builder.hpp"

using namespace zkm31;
using testing_onnx::Builder;

namespace {

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * (float(i % 7) - 3.0f + 0.25f * float(i));
  return v;
}

// Imports, checks every requant against the prover's uniqueness window, runs the integer pass on x
// and returns the output's relative L2 error against the float track.
double import_and_run(const Builder& b, const std::vector<float>& x, model::Graph* out = nullptr) {
  model::Graph g = b.import();
  for (const model::Node& n : g.nodes)
    if (n.op == model::Op::Requant) {
      const model::Tensor& in = g.tensors[n.inputs[0]];
      EXPECT_TRUE(model::requant_window(n, in.lo, in.hi).unique) << n.name;
      EXPECT_LT(n.lo, n.hi) << n.name;
    }
  const model::Shape shape = g.tensors[g.inputs[0]].shape;
  if (out) *out = g;
  const model::Trace t = model::run_forward(std::move(g), {{"x", shape, x}});
  return model::compare_outputs(t)[0].rel_l2;
}

}  // namespace

// ReLU6 after a layer whose values never come near 6: the upper bound is dropped (exact), not refused.
TEST(Degenerate, ClipBoundBeyondTheInputsRangeIsNoClamp) {
  Builder b({"1", "16"}, 14, {"1", "8"});
  b.floats("w", {16, 8}, ramp(128, 1e-6f));
  b.node("MatMul", {"x", "w"}, {"h"});
  b.floats("lo", {}, {0.0f});
  b.floats("hi", {}, {6.0f});
  b.node("Clip", {"h", "lo", "hi"}, {"y"});
  model::Graph g;
  EXPECT_LT(import_and_run(b, ramp(16, 0.3f), &g), 0.02);
  for (const model::Node& n : g.nodes) EXPECT_EQ(n.name.find(":hi"), std::string::npos) << n.name;
}

// A Gemm whose bias dwarfs x·W: the bias goes into the requant's offset instead of the accumulator.
TEST(Degenerate, BiasThatDwarfsTheProductsIsARequantOffset) {
  Builder b({"1", "64"}, 14, {"1", "4"});
  b.floats("w", {4, 64}, ramp(256, 1e-7f));
  b.floats("c", {4}, {0.5f, -0.25f, 0.125f, -1.0f});
  Builder::attr(b.node("Gemm", {"x", "w", "c"}, {"y"}), "transB", 1);
  EXPECT_LT(import_and_run(b, ramp(64, 1e-3f)), 0.01);
}

// A Concat of a large and a tiny branch at one output scale: the tiny branch's requant takes fewer
// multiplier bits so that its quotient, range-checked over the whole interval, stays unique mod p.
TEST(Degenerate, ConcatOfATinyAndALargeBranch) {
  Builder b({"1", "8"}, 14, {"1", "16"});
  b.floats("big", {8, 8}, ramp(64, 1.0f));
  b.floats("tiny", {8, 8}, ramp(64, 1e-5f));
  b.node("MatMul", {"x", "big"}, {"a"});
  b.node("MatMul", {"x", "tiny"}, {"c"});
  Builder::attr(b.node("Concat", {"a", "c"}, {"y"}), "axis", 1);
  EXPECT_LT(import_and_run(b, ramp(8, 0.5f)), 0.01);
}

// SiLU of values that nearly vanish: a table whose output scale needs a shift beyond 40 bits.
TEST(Degenerate, SiluOfNearlyVanishingValues) {
  Builder b({"1", "8"}, 14);
  b.floats("w", {8, 8}, ramp(64, 1e-4f));
  b.node("MatMul", {"x", "w"}, {"h"});
  b.node("Sigmoid", {"h"}, {"s"});
  b.node("Mul", {"h", "s"}, {"y"});
  EXPECT_LT(import_and_run(b, ramp(8, 0.3f)), 0.02);
}
