// The lowering of single ONNX ops against the operator definitions (https://onnx.ai/onnx/operators/):
// small graphs built here, imported, and the float track of the integer graph compared with values
// computed from the definitions (edge cases: negative axes, keepdims, pads, ceil_mode,
// count_include_pad, strides, dilations, coerced softmax axes, default attributes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "error/error.hpp"
#include "model/forward.hpp"
#include "onnx_builder.hpp"

using namespace zkm31;
using testing_onnx::Builder;

namespace {

std::vector<float> float_track(const Builder& b, const std::vector<float>& x) {
  model::Graph g = b.import();
  auto vals = model::forward_float(g, {x});
  return vals[g.outputs[0]];
}

void expect_near(const std::vector<float>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "element " << i;
}

std::vector<float> iota_f(size_t n, float start = 1) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + float(i);
  return v;
}

}  // namespace

TEST(Ops, PadEdgeReflectConstantAndCrop) {
  const std::vector<float> x = iota_f(6);  // [1, 1, 2, 3]: rows {1 2 3}, {4 5 6}
  auto pad = [&](const std::string& mode, std::vector<int64_t> pads, std::vector<std::string> y_dims) {
    Builder b({"1", "1", "2", "3"}, 13, y_dims);
    b.ints("pads", {8}, pads);
    Builder::attr(b.node("Pad", {"x", "pads"}, {"y"}), "mode", mode);
    return float_track(b, x);
  };
  // rows padded 1 before, columns 2 before and 1 after
  expect_near(pad("edge", {0, 0, 1, 2, 0, 0, 0, 1}, {"1", "1", "3", "6"}),
              {1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6});
  expect_near(pad("reflect", {0, 0, 0, 2, 0, 0, 0, 1}, {"1", "1", "2", "6"}), {3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5});
  expect_near(pad("constant", {0, 0, 1, 0, 0, 0, 0, 1}, {"1", "1", "3", "4"}), {0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0});
  expect_near(pad("constant", {0, 0, 0, -1, 0, 0, 0, 0}, {"1", "1", "2", "2"}), {2, 3, 5, 6});
}

TEST(Ops, ReduceOverNegativeAxesWithAndWithoutKeepdims) {
  const std::vector<float> x = iota_f(24);  // [1, 2, 3, 4]
  {
    Builder b({"1", "2", "3", "4"}, 13, {"1", "3"});
    auto* n = b.node("ReduceMean", {"x"}, {"y"});
    Builder::attr(n, "axes", std::vector<int64_t>{-1, 1});
    Builder::attr(n, "keepdims", 0);
    // mean over axes 1 and 3 for each of the 3 rows of axis 2
    std::vector<double> want(3, 0);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) want[size_t(j)] += x[size_t((i * 3 + j) * 4 + k)] / 8.0;
    expect_near(float_track(b, x), want);
  }
  {
    Builder b({"1", "2", "3", "4"}, 13, {"1", "1", "3", "4"});
    Builder::attr(b.node("ReduceMax", {"x"}, {"y"}), "axes", std::vector<int64_t>{-3});
    std::vector<double> want(x.begin() + 12, x.end());  // the second slice of axis 1 is larger
    expect_near(float_track(b, x), want);
  }
  {
    Builder b({"1", "2", "3", "4"}, 13, {"1", "2", "4"});
    b.ints("axes", {1}, {2});
    Builder::attr(b.node("ReduceSum", {"x", "axes"}, {"y"}), "keepdims", 0);
    std::vector<double> want;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 4; ++k) want.push_back(x[size_t(i * 12 + k)] + x[size_t(i * 12 + 4 + k)] + x[size_t(i * 12 + 8 + k)]);
    expect_near(float_track(b, x), want);
  }
}

TEST(Ops, SoftmaxAxisIsCoercedBeforeOpset13) {
  const std::vector<float> x = {0.1f, -0.4f, 0.3f, 0.9f, 0.0f, -0.2f};  // [1, 2, 3]
  auto softmax = [&](int opset) {
    Builder b({"1", "2", "3"}, opset);
    Builder::attr(b.node("Softmax", {"x"}, {"y"}), "axis", 1);
    return float_track(b, x);
  };
  std::vector<double> all, cols(6);
  double z = 0;
  for (float v : x) z += std::exp(double(v));
  for (float v : x) all.push_back(std::exp(double(v)) / z);
  expect_near(softmax(11), all);  // opset 11: over the flattened axes 1..2
  for (int j = 0; j < 3; ++j) {
    double zc = std::exp(double(x[size_t(j)])) + std::exp(double(x[size_t(3 + j)]));
    cols[size_t(j)] = std::exp(double(x[size_t(j)])) / zc, cols[size_t(3 + j)] = std::exp(double(x[size_t(3 + j)])) / zc;
  }
  expect_near(softmax(13), cols);  // opset 13: over axis 1 alone
}

TEST(Ops, LogSoftmaxOnTheLastAndAnInnerAxis) {
  const std::vector<float> x = {0.1f, -0.4f, 0.3f, 0.9f, 0.0f, -0.2f};  // [1, 2, 3]
  auto log_softmax = [&](int axis) {
    Builder b({"1", "2", "3"}, 13);
    Builder::attr(b.node("LogSoftmax", {"x"}, {"y"}), "axis", axis);
    return float_track(b, x);
  };
  std::vector<double> rows, cols(6);
  for (int r = 0; r < 2; ++r) {
    double z = 0;
    for (int j = 0; j < 3; ++j) z += std::exp(double(x[size_t(r * 3 + j)]));
    for (int j = 0; j < 3; ++j) rows.push_back(double(x[size_t(r * 3 + j)]) - std::log(z));
  }
  for (int j = 0; j < 3; ++j) {
    double z = std::exp(double(x[size_t(j)])) + std::exp(double(x[size_t(3 + j)]));
    cols[size_t(j)] = double(x[size_t(j)]) - std::log(z), cols[size_t(3 + j)] = double(x[size_t(3 + j)]) - std::log(z);
  }
  expect_near(log_softmax(-1), rows);
  expect_near(log_softmax(1), cols);
}

TEST(Ops, MaxPoolPadsNeverWinOverNegativeInputs) {
  std::vector<float> x = iota_f(16);
  for (float& v : x) v = -v;  // [1, 1, 4, 4], all negative
  Builder b({"1", "1", "4", "4"}, 13, {"1", "1", "3", "3"});
  auto* n = b.node("MaxPool", {"x"}, {"y"});
  Builder::attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  Builder::attr(n, "strides", std::vector<int64_t>{2, 2});
  Builder::attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
  // windows start at −1, 1, 3 on both axes; padding is −inf
  expect_near(float_track(b, x), {-1, -2, -4, -5, -6, -8, -13, -14, -16});
}

TEST(Ops, AveragePoolCountIncludePadAndCeilMode) {
  const std::vector<float> ones(9, 1.0f);  // [1, 1, 3, 3]
  auto avg = [&](int include, int ceil, std::vector<std::string> y_dims) {
    Builder b({"1", "1", "3", "3"}, 13, y_dims);
    auto* n = b.node("AveragePool", {"x"}, {"y"});
    Builder::attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
    Builder::attr(n, "strides", std::vector<int64_t>{2, 2});
    Builder::attr(n, "pads", std::vector<int64_t>{1, 1, 0, 0});
    Builder::attr(n, "count_include_pad", include);
    Builder::attr(n, "ceil_mode", ceil);
    return float_track(b, ones);
  };
  // windows start at −1 and 1: counting the padding the corner window holds 1 of 4 image elements
  expect_near(avg(1, 0, {"1", "1", "2", "2"}), {0.25, 0.5, 0.5, 1});
  expect_near(avg(0, 0, {"1", "1", "2", "2"}), {1, 1, 1, 1});
  // ceil_mode without pads: windows at 0 and 2, the second one hanging past the image; its divisor
  // counts only the elements inside (there are no given pads to count)
  Builder b({"1", "1", "3", "3"}, 13, {"1", "1", "2", "2"});
  auto* n = b.node("AveragePool", {"x"}, {"y"});
  Builder::attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  Builder::attr(n, "strides", std::vector<int64_t>{2, 2});
  Builder::attr(n, "ceil_mode", 1);
  Builder::attr(n, "count_include_pad", 1);
  expect_near(float_track(b, iota_f(9)), {3, 4.5, 7.5, 9});
}

TEST(Ops, PiecewiseActivationsUseTheOnnxDefaults) {
  const std::vector<float> x = {-4.0f, -1.0f, -0.25f, 0.0f, 0.5f, 2.0f, 3.0f, 7.0f};
  auto act = [&](const std::string& op) {
    Builder b({"1", "8"}, 14);
    if (op == "Clip") {
      b.floats("lo", {}, {-0.5f});
      b.node("Clip", {"x", "lo", ""}, {"y"});  // no max
    } else {
      b.node(op, {"x"}, {"y"});
    }
    return float_track(b, x);
  };
  std::vector<double> hs, lr, clip, hsw;
  for (float v : x) {
    double h = std::clamp(0.2 * v + 0.5, 0.0, 1.0);  // HardSigmoid: α = 0.2, β = 0.5
    hs.push_back(h), lr.push_back(v < 0 ? 0.01 * v : v), clip.push_back(std::max(double(v), -0.5));
    hsw.push_back(v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0));
  }
  expect_near(act("HardSigmoid"), hs);
  expect_near(act("LeakyRelu"), lr);
  expect_near(act("Clip"), clip);
  expect_near(act("HardSwish"), hsw);
}

// Selu/Celu/Elu with any α, Abs, Softsign, Sigmoid → Log and tables of a scaled input or output
// (c·f(a·x), negative gains too): the float track is the definition, and the integer track (tables
// whose scales carry the gains) stays within a few output steps of it.
TEST(Ops, ElementwiseActivationsWithAnyAlphaAndScaledTables) {
  const std::vector<float> x = {-2.5f, -1.3f, -0.6f, -0.1f, 0.0f, 0.2f, 0.7f, 1.4f, 2.2f};
  auto check = [&](const char* what, const std::function<void(Builder&)>& build, const std::function<double(double)>& f) {
    SCOPED_TRACE(what);
    Builder b({"1", "9"}, 13);
    build(b);
    model::Graph g = b.import();
    std::vector<double> want;
    for (float v : x) want.push_back(f(v));
    expect_near(model::forward_float(g, {x})[g.outputs[0]], want);
    const model::Tensor& in = g.tensors[g.inputs[0]];
    const model::Tensor& out = g.tensors[g.outputs[0]];
    const auto y = model::forward_int(g, {model::quantize_input(in, x)})[g.outputs[0]];
    double top = 0;
    for (double w : want) top = std::max(top, std::abs(w));
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i] * out.scale, want[i], 0.02 * top) << "element " << i;
  };
  auto unary = [](const char* op, float alpha = 0, float gamma = 0) {
    return [=](Builder& b) {
      auto* n = b.node(op, {"x"}, {"y"});
      if (alpha != 0) Builder::attr(n, "alpha", alpha);
      if (gamma != 0) Builder::attr(n, "gamma", gamma);
    };
  };
  const double sa = 1.67326319217681884765625, sg = 1.05070102214813232421875;  // ONNX's Selu defaults
  auto elu = [](double v, double al) { return v > 0 ? v : al * std::expm1(v); };
  check("Selu", unary("Selu"), [&](double v) { return sg * elu(v, sa); });
  check("Selu α γ", unary("Selu", 2.0f, 0.5f), [&](double v) { return 0.5 * elu(v, 2.0); });
  check("Celu", unary("Celu", 0.6f), [&](double v) { return std::max(v, 0.0) + std::min(0.0, 0.6 * std::expm1(v / 0.6)); });
  check("Elu", unary("Elu", 0.3f), [&](double v) { return elu(v, 0.3); });
  check("Abs", unary("Abs"), [](double v) { return std::abs(v); });
  check("Softsign", unary("Softsign"), [](double v) { return v / (1 + std::abs(v)); });
  check("Softsign as torch writes it", [](Builder& b) {
    b.floats("one", {}, {1.0f});
    b.node("Abs", {"x"}, {"a"}), b.node("Add", {"a", "one"}, {"d"}), b.node("Div", {"x", "d"}, {"y"});
  }, [](double v) { return v / (1 + std::abs(v)); });
  check("LogSigmoid", [](Builder& b) { b.node("Sigmoid", {"x"}, {"s"}), b.node("Log", {"s"}, {"y"}); },
        [](double v) { return -std::log1p(std::exp(-v)); });
  check("exp(0.5·x)", [](Builder& b) { b.floats("h", {}, {0.5f}), b.node("Mul", {"h", "x"}, {"m"}), b.node("Exp", {"m"}, {"y"}); },
        [](double v) { return std::exp(0.5 * v); });
  check("Softplus(β = 2)", [](Builder& b) {
    b.floats("two", {}, {2.0f});
    b.node("Mul", {"x", "two"}, {"m"}), b.node("Softplus", {"m"}, {"s"}), b.node("Div", {"s", "two"}, {"y"});
  }, [](double v) { return std::log1p(std::exp(2 * v)) / 2; });
  check("−3·sigmoid(−2x)", [](Builder& b) {
    b.floats("m2", {}, {-2.0f}), b.floats("m3", {}, {-3.0f});
    b.node("Mul", {"x", "m2"}, {"m"}), b.node("Sigmoid", {"m"}, {"s"}), b.node("Mul", {"s", "m3"}, {"y"});
  }, [](double v) { return -3 / (1 + std::exp(2 * v)); });
  check("exp(−x/4)", [](Builder& b) {
    b.floats("four", {}, {4.0f});
    b.node("Neg", {"x"}, {"n"}), b.node("Div", {"n", "four"}, {"d"}), b.node("Exp", {"d"}, {"y"});
  }, [](double v) { return std::exp(-v / 4); });
}

TEST(Ops, BatchNormalizationOfARankTwoInputAndTileOfAnActivation) {
  const std::vector<float> x = {1.0f, -2.0f, 0.5f};  // [1, 3]
  {
    Builder b({"1", "3"}, 13);
    b.floats("g", {3}, {1.0f, 2.0f, 0.5f}), b.floats("b", {3}, {0.0f, 0.1f, -0.2f});
    b.floats("m", {3}, {0.5f, -1.0f, 0.0f}), b.floats("v", {3}, {1.0f, 4.0f, 0.25f});
    Builder::attr(b.node("BatchNormalization", {"x", "g", "b", "m", "v"}, {"y"}), "epsilon", 0.0f);
    expect_near(float_track(b, x), {0.5, 2.0 * (-1.0) / 2.0 + 0.1, 0.5 * 0.5 / 0.5 - 0.2});
  }
  {
    Builder b({"1", "3"}, 13, {"2", "6"});
    b.ints("reps", {2}, {2, 2});
    b.node("Tile", {"x", "reps"}, {"y"});
    expect_near(float_track(b, x), {1, -2, 0.5, 1, -2, 0.5, 1, -2, 0.5, 1, -2, 0.5});
  }
}

TEST(Ops, RefusesWhatItCannotLower) {
  auto error_of = [](Builder& b) -> std::string {
    try {
      b.import();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  };
  Builder topk({"1", "4"}, 13, {"1", "2"});
  topk.ints("k", {1}, {2});
  topk.node("TopK", {"x", "k"}, {"y", "i"});
  EXPECT_NE(error_of(topk).find("ONNX op 'TopK'"), std::string::npos);
  Builder maxpool({"1", "1", "4", "4"}, 13, {"1", "1", "2", "2"});
  auto* n = maxpool.node("MaxPool", {"x"}, {"y"});
  Builder::attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  Builder::attr(n, "strides", std::vector<int64_t>{3, 3});
  Builder::attr(n, "dilations", std::vector<int64_t>{2, 2});
  Builder::attr(n, "pads", std::vector<int64_t>{1, 1, 0, 0});  // windows at −1 and 1: the first skips row 0
  EXPECT_NE(error_of(maxpool).find("dilated windows skip the border"), std::string::npos) << error_of(maxpool);
}

TEST(Ops, PadWithAConstantValue) {
  Builder b({"1", "3"}, 13, {"1", "6"});
  b.ints("pads", {4}, {0, 1, 0, 2});
  b.floats("value", {}, {-0.75f});
  b.node("Pad", {"x", "pads", "value"}, {"y"});
  expect_near(float_track(b, {0.5f, 1.0f, -2.0f}), {-0.75, 0.5, 1.0, -2.0, -0.75, -0.75});
}

// Conv auto_pad (TensorFlow/Keras converters): SAME_UPPER puts the odd padding pixel after,
// SAME_LOWER before, VALID none — each equal to the explicit pads it stands for.
TEST(Ops, ConvAutoPadIsTheExplicitPadding) {
  const std::vector<float> x = iota_f(20);  // [1, 1, 4, 5]
  std::vector<float> w(6);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * float(i + 1) * (i % 2 ? -1.0f : 1.0f);
  auto conv = [&](const std::string& auto_pad, std::vector<int64_t> pads, std::vector<std::string> y_dims) {
    Builder b({"1", "1", "4", "5"}, 13, y_dims);
    b.floats("w", {1, 1, 2, 3}, w);
    auto* n = b.node("Conv", {"x", "w"}, {"y"});
    Builder::attr(n, "strides", std::vector<int64_t>{1, 2});
    if (!auto_pad.empty()) Builder::attr(n, "auto_pad", auto_pad);
    else Builder::attr(n, "pads", pads);
    return float_track(b, x);
  };
  // H: k 2, stride 1 → 1 pixel of padding; W: k 3, stride 2, 5 → 3 outputs → 2 pixels.
  EXPECT_EQ(conv("SAME_UPPER", {}, {"1", "1", "4", "3"}), conv("", {0, 1, 1, 1}, {"1", "1", "4", "3"}));
  EXPECT_EQ(conv("SAME_LOWER", {}, {"1", "1", "4", "3"}), conv("", {1, 1, 0, 1}, {"1", "1", "4", "3"}));
  EXPECT_EQ(conv("VALID", {}, {"1", "1", "3", "2"}), conv("", {0, 0, 0, 0}, {"1", "1", "3", "2"}));
  EXPECT_NE(conv("SAME_UPPER", {}, {"1", "1", "4", "3"}), conv("SAME_LOWER", {}, {"1", "1", "4", "3"}));
}

// Cubic Resize against ONNX's backend test vectors (onnx/backend/test/case/node/resize.py:
// resize_upsample_scales_cubic and resize_upsample_scales_cubic_A_n0p5_exclude_outside): 1..16 as
// [1, 1, 4, 4], scales 2 on both spatial axes, half_pixel; the first output row of each.
TEST(Ops, CubicResizeMatchesOnnxTestVectors) {
  auto first_row = [&](float a, int exclude) {
    Builder b({"1", "1", "4", "4"}, 13, {"1", "1", "8", "8"});
    b.floats("scales", {4}, {1, 1, 2, 2});
    b.floats("roi", {0}, {});
    auto* n = b.node("Resize", {"x", "roi", "scales"}, {"y"});
    Builder::attr(n, "mode", std::string("cubic"));
    Builder::attr(n, "cubic_coeff_a", a);
    Builder::attr(n, "exclude_outside", exclude);
    const std::vector<float> y = float_track(b, iota_f(16));
    return std::vector<float>(y.begin(), y.begin() + 8);
  };
  expect_near(first_row(-0.75f, 0), {0.47265625, 0.76953125, 1.24609375, 1.875, 2.28125, 2.91015625, 3.38671875, 3.68359375});
  expect_near(first_row(-0.5f, 1),
              {0.55882353, 0.81494204, 1.35698249, 1.89705882, 2.39705882, 2.93713516, 3.47917561, 3.73529412});
}
