// Importer + forward passes on the project's own models (tests/data) and, when present, on the
// reference models of ../shared/models (skipped when that folder is absent).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "error/error.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"
#include "model/trace.hpp"
#include "onnx/import.hpp"
#include "parallel/parallel.hpp"

using namespace zkm31;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(ZKM31_SOURCE_DIR) + "/tests/data/";
const std::string kShared = std::string(ZKM31_SHARED_DIR) + "/models/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  std::string s = slurp(path);
  return {s.begin(), s.end()};
}

model::Graph import(const std::string& path, const std::string& calib = "", int bits = 10, int residual_bits = 0) {
  onnx_import::ImportOptions opt;
  opt.act_bits = bits, opt.residual_bits = residual_bits;
  if (!calib.empty()) opt.calibration = onnx_import::parse_calibration_json(slurp(calib));
  return onnx_import::import_onnx(bytes_of(path), opt);
}

std::vector<float> torch_output(const std::string& path) {
  auto j = nlohmann::json::parse(slurp(path));
  return j["data"].get<std::vector<float>>();
}

// Float track of the graph vs the torch output of the same input.
double float_track_error(const std::string& dir, const std::string& name, const std::string& calib = "",
                         const std::string& reference = ".torch_output.json") {
  model::Graph g = import(dir + name + ".onnx", calib);
  auto t = model::run_forward(g, model::parse_inputs_json(slurp(dir + name + ".input.json")));
  auto want = torch_output(dir + name + reference);
  EXPECT_EQ(t.float_outputs.at(0).size(), want.size());
  double err = 0;
  for (size_t i = 0; i < want.size(); ++i) err = std::max(err, double(std::abs(t.float_outputs[0][i] - want[i])));
  return err;
}

// Fraction of a test split's rows ({"X": rows, …}) whose integer-track argmax equals the float-track argmax.
double agreement(const model::Graph& g, const std::string& split = kData + "digits_test.json") {
  auto j = nlohmann::json::parse(slurp(split));
  const model::Tensor& in = g.tensors[g.inputs[0]];
  size_t agree = 0, n = j["X"].size();
  for (const auto& row : j["X"]) {
    std::vector<float> x = row.get<std::vector<float>>();
    auto ints = model::forward_int(g, {model::quantize_input(in, x)});
    auto floats = model::forward_float(g, {x});
    const auto& qi = ints[g.outputs[0]];
    const auto& fl = floats[g.outputs[0]];
    agree += std::max_element(qi.begin(), qi.end()) - qi.begin() == std::max_element(fl.begin(), fl.end()) - fl.begin();
  }
  return double(agree) / double(n);
}

#define NEED_SHARED() \
  if (!fs::exists(kShared + "mlp_digits.onnx")) GTEST_SKIP() << "shared models absent"

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(FloatTrack, OwnModelsMatchTorch) {
  EXPECT_LE(float_track_error(kData, "mlp_sigmoid", kData + "digits_calib_mlp.json"), 1e-4);
  EXPECT_LE(float_track_error(kData, "conv_small", kData + "digits_calib_cnn.json"), 1e-4);
  EXPECT_LE(float_track_error(kData, "tiny_block"), 1e-4);
  EXPECT_LE(float_track_error(kData, "tiny_llama"), 1e-4);
  EXPECT_LE(float_track_error(kData, "shape_ops"), 1e-4);  // unfolded shape arithmetic
  EXPECT_LE(float_track_error(kData, "index_ops", "", ".reference_output.json"), 1e-4);
}

TEST(IntegerTrack, IndexAndElementwiseOps) {
  model::Graph g = import(kData + "index_ops.onnx");
  auto t = model::run_forward(g, model::parse_inputs_json(slurp(kData + "index_ops.input.json")));
  EXPECT_LE(model::compare_outputs(t).at(0).rel_l2, 0.02);
  std::set<model::Op> ops;
  for (const auto& n : g.nodes) ops.insert(n.op);
  for (auto op : {model::Op::Gather, model::Op::Concat, model::Op::Mul, model::Op::Sub, model::Op::Transpose, model::Op::Lookup})
    EXPECT_TRUE(ops.count(op)) << model::op_name(op);
}

TEST(FloatTrack, SharedModelsMatchTorch) {
  NEED_SHARED();
  for (const char* m : {"mlp_digits", "cnn_digits", "tiny_matmul", "gpt_block"})
    EXPECT_LE(float_track_error(kShared, m), 1e-4) << m;
}

// An MLP (input [1,64]) and a conv net (input [1,1,8,8]) each agree with their float model on ≥ 99% of
// the 450 test images, calibrated on training images and at the default calibration.
void expect_digits_agreement(const std::string& dir, const std::string& mlp, const std::string& cnn) {
  for (bool given : {true, false}) {
    double a = agreement(import(dir + mlp + ".onnx", given ? kData + "digits_calib_mlp.json" : ""));
    double b = agreement(import(dir + cnn + ".onnx", given ? kData + "digits_calib_cnn.json" : ""));
    EXPECT_GE(a, 0.99) << mlp << (given ? " calibrated" : " default calibration");
    EXPECT_GE(b, 0.99) << cnn << (given ? " calibrated" : " default calibration");
    std::cout << "argmax agreement (" << (given ? "calibrated" : "default") << "): " << mlp << " " << a << ", " << cnn
              << " " << b << "\n";
  }
}

TEST(IntegerTrack, OwnDigitsModelsAgreeWithFloat) { expect_digits_agreement(kData, "mlp_sigmoid", "conv_small"); }

TEST(IntegerTrack, SharedDigitsModelsAgreeWithFloat) {
  NEED_SHARED();
  expect_digits_agreement(kShared, "mlp_digits", "cnn_digits");
}

TEST(IntegerTrack, GptBlockRelativeErrorAtDefaults) {
  NEED_SHARED();
  model::Graph g = import(kShared + "gpt_block.onnx");
  auto t = model::run_forward(g, model::parse_inputs_json(slurp(kShared + "gpt_block.input.json")));
  auto r = model::compare_outputs(t);
  EXPECT_LE(r.at(0).rel_l2, 0.02);
  std::cout << "gpt_block relative L2 " << r[0].rel_l2 << ", max abs " << r[0].max_abs << "\n";
  EXPECT_NO_THROW(model::check_trace(t));
  // At 12 bits the LayerNorm variance requant needs pre-multiply saturation to keep its multiplier wide.
  model::Graph g12 = import(kShared + "gpt_block.onnx", "", 12);
  auto r12 = model::compare_outputs(model::run_forward(g12, model::parse_inputs_json(slurp(kShared + "gpt_block.input.json"))));
  EXPECT_LE(r12.at(0).rel_l2, 0.004);
}

TEST(IntegerTrack, LayerReportsFollowTheGraph) {
  model::Graph g = import(kData + "tiny_block.onnx");
  auto in = model::parse_inputs_json(slurp(kData + "tiny_block.input.json"));
  std::vector<model::LayerReport> layers;
  auto t = model::run_forward(g, in, &layers);
  ASSERT_GE(layers.size(), 10u);
  EXPECT_EQ(layers.front().op, "input");
  EXPECT_EQ(layers.front().tensor, "x");
  EXPECT_GT(layers.front().rel_l2, 0.0);
  // The last row is the graph output, with the same figures as the output report.
  auto out = model::compare_outputs(t).at(0);
  EXPECT_EQ(layers.back().tensor, "y");
  EXPECT_DOUBLE_EQ(layers.back().rel_l2, out.rel_l2);
  EXPECT_DOUBLE_EQ(layers.back().max_abs, out.max_abs);
  for (const auto& l : layers) EXPECT_NE(l.op, "reshape") << l.tensor;
  // A wrong scale on one layer shows in that layer's row, and not in the rows before it.
  auto it = std::find_if(layers.begin(), layers.end(), [](const auto& l) { return l.tensor == "/proj/Add_output_0"; });
  ASSERT_NE(it, layers.end());
  size_t at = size_t(it - layers.begin());
  for (auto& tensor : g.tensors)
    if (tensor.name == "/proj/Add_output_0") tensor.scale *= 0.1;
  std::vector<model::LayerReport> bad;
  model::run_forward(g, in, &bad);
  EXPECT_GT(bad[at].rel_l2, 0.3);
  for (size_t i = 0; i < at; ++i) EXPECT_DOUBLE_EQ(bad[i].rel_l2, layers[i].rel_l2) << layers[i].tensor;
  // The wrong scale clamps: that layer counts values beyond its range, and a warning names it.
  EXPECT_GT(bad[at].clamped, 0);
  for (size_t i = 0; i < at; ++i) EXPECT_EQ(bad[i].clamped, layers[i].clamped);
  auto warnings = model::range_warnings(g, bad);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.back().find("calibration: 64 synthetic N(0,1) inputs"), std::string::npos) << warnings.back();
  std::string table = model::layer_table(layers);
  EXPECT_NE(table.find("/proj/Add_output_0"), std::string::npos);
  EXPECT_NE(table.find("<- largest"), std::string::npos);
}

double relative_error(const model::Graph& g, const std::string& input) {
  return model::compare_outputs(model::run_forward(g, model::parse_inputs_json(slurp(input)))).at(0).rel_l2;
}

// The figure of issue 11: ≤ 1 % relative L2 (integer vs float) on every test model at the defaults.
// (ln_mlp, whose inputs are not N(0,1), is calibrated on its samples: LayerNormMlpOnRealStyleInputs.
// axis_ops's reference input exceeds the 64-sample range of its fc.0 output by one value, which the
// clamp makes a 1.8 % error: it is held to 1 % with 256 synthetic samples, 0.34 %.)
TEST(IntegerTrack, EveryModelWithinOnePercent) {
  for (std::string m : {"mlp_sigmoid", "conv_small", "tiny_block", "shape_ops", "tiny_llama", "tiny_gated", "dyn_mlp",
                        "dyn_block_op14", "pre_ln_stack", "activations", "axis_ops", "encoder_layer_op14", "encoder_layer_op17", "grouped_conv",
                        "llama_block", "qwen2_block", "qwen3_block", "rope_interleaved", "pool_cnn", "pool_cnn_bn", "pool_ops"}) {
    bool opset = m.ends_with("_op14") || m.ends_with("_op17");  // one input for the exports at several opsets
    std::string input = kData + m.substr(0, m.size() - (opset ? 5 : 0)) + ".input.json";
    onnx_import::ImportOptions opt;  // free dimensions: the reference input's shape
    for (const auto& t : model::parse_inputs_json(slurp(input))) opt.shapes[t.name] = t.shape;
    if (m == "axis_ops") opt.default_samples = 256;
    double e = relative_error(onnx_import::import_onnx(bytes_of(kData + m + ".onnx"), opt), input);
    EXPECT_LE(e, 0.01) << m;
    std::cout << m << " relative L2 " << e << "\n";
  }
  if (fs::exists(kShared + "gpt_block.onnx")) {
    for (const char* m : {"mlp_digits", "cnn_digits", "tiny_matmul", "gpt_block"})
      EXPECT_LE(relative_error(import(kShared + m + ".onnx"), kShared + m + ".input.json"), 0.01) << m;
  }
}

// The 12-bit residual stream is what brings the 12-block stack under 1 %: at 10 bits it drifts to 2 %.
TEST(IntegerTrack, WideResidualStreamKeepsADeepStackFaithful) {
  std::string in = kData + "pre_ln_stack.input.json";
  double wide = relative_error(import(kData + "pre_ln_stack.onnx"), in);
  double narrow = relative_error(import(kData + "pre_ln_stack.onnx", "", 10, 10), in);
  EXPECT_LE(wide, 0.01);
  EXPECT_GE(narrow, 0.015);
  std::cout << "pre_ln_stack relative L2: residual 12 bits " << wide << ", 10 bits " << narrow << "\n";
  model::Graph g = import(kData + "pre_ln_stack.onnx");
  int wide_adds = 0;
  for (const auto& n : g.nodes)
    if (n.op == model::Op::Requant && n.name.ends_with("Add_3:requant")) wide_adds += g.tensors[n.outputs[0]].bits == 12;
  EXPECT_EQ(wide_adds, 12);
}

// A real-style trained MLP with LayerNorm on log-mel-like inputs (not N(0,1)): calibrated on its
// training samples it stays within 1 % and agrees with float on ≥ 99 % of its held-out split.
TEST(IntegerTrack, LayerNormMlpOnRealStyleInputs) {
  model::Graph g = import(kData + "ln_mlp.onnx", kData + "ln_mlp.calib.json");
  EXPECT_LE(relative_error(g, kData + "ln_mlp.input.json"), 0.01);
  double a = agreement(g, kData + "ln_mlp.test.json");
  EXPECT_GE(a, 0.99);
  std::cout << "ln_mlp: argmax agreement " << a << "\n";
}

TEST(IntegerTrack, TinyBlocksRelativeError) {
  for (const char* m : {"tiny_block", "tiny_llama"}) {
    model::Graph g = import(kData + m + ".onnx");
    auto t = model::run_forward(g, model::parse_inputs_json(slurp(kData + m + ".input.json")));
    EXPECT_LE(model::compare_outputs(t).at(0).rel_l2, 0.02) << m;
  }
}

TEST(Import, RmsNormCausalMaskAndSwiGlu) {
  model::Graph g = import(kData + "tiny_llama.onnx");
  std::map<std::string, int> tables;
  int masks = 0, subs = 0;
  for (const auto& n : g.nodes) {
    if (n.op == model::Op::Lookup) tables[n.table.fn]++;
    masks += n.op == model::Op::MaskedFill;
    subs += n.op == model::Op::Sub;
  }
  EXPECT_EQ(tables["rsqrt"], 2);  // two RMSNorms
  EXPECT_EQ(tables["silu"], 1);
  EXPECT_EQ(masks, 1);             // the additive -1e9 mask became a masked_fill
  EXPECT_EQ(subs, 1);              // only softmax's max − s: RMSNorm subtracts no mean
}

TEST(Trace, SameBytesOnEveryRunAndThreadCount) {
  model::Graph g = import(kData + "tiny_block.onnx");
  auto in = model::parse_inputs_json(slurp(kData + "tiny_block.input.json"));
  parallel::set_thread_count(1);
  auto a = model::write_trace(model::run_forward(g, in));
  parallel::set_thread_count(3);
  auto b = model::write_trace(model::run_forward(g, in));
  parallel::set_thread_count(0);
  auto c = model::write_trace(model::run_forward(g, in));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  // The importer is deterministic too.
  EXPECT_EQ(model::write_graph(g), model::write_graph(import(kData + "tiny_block.onnx")));
}

TEST(Trace, CheckTraceCatchesATamperedValue) {
  model::Graph g = import(kData + "mlp_sigmoid.onnx", kData + "digits_calib_mlp.json");
  auto t = model::read_trace(model::write_trace(model::run_forward(g, model::parse_inputs_json(slurp(kData + "mlp_sigmoid.input.json")))));
  EXPECT_NO_THROW(model::check_trace(t));
  uint32_t hidden = g.nodes[1].outputs[0];
  t.values[hidden][0] = t.values[hidden][0] + M31::one();
  EXPECT_THROW(model::check_trace(t), BadInput);
}

TEST(Import, GraphRecordsOpsBoundsAndTables) {
  model::Graph g = import(kData + "tiny_block.onnx");
  std::map<model::Op, int> ops;
  for (const auto& n : g.nodes) ops[n.op]++;
  EXPECT_EQ(ops[model::Op::MatMul], 6);  // qkv, QK^T, PV, proj, fc, out
  EXPECT_GE(ops[model::Op::Lookup], 4);  // rsqrt, exp, recip, gelu>silu
  bool fused = false;
  for (const auto& n : g.nodes) {
    if (n.op == model::Op::Lookup && n.table.fn == "gelu_erf>silu") fused = true;
    if (n.op == model::Op::MatMul) {
      EXPECT_LE(n.acc_bound, (int64_t(kP) - 1) / 2);
    }
  }
  EXPECT_TRUE(fused);
  for (const auto& t : g.tensors) EXPECT_LE(t.bits, 31);
  EXPECT_NE(model::describe(g).find("acc bound"), std::string::npos);
}

TEST(Import, RefusesMalformedModels) {
  auto good = bytes_of(kData + "mlp_sigmoid.onnx");
  std::vector<uint8_t> truncated(good.begin(), good.begin() + long(good.size() / 2));
  EXPECT_NE(error_of([&] { onnx_import::import_onnx(truncated, {}); }).find("not an ONNX model"), std::string::npos);
  auto json = bytes_of(kData + "mlp_sigmoid.input.json");
  EXPECT_NE(error_of([&] { onnx_import::import_onnx(json, {}); }).find("not an ONNX model"), std::string::npos);
  EXPECT_NE(error_of([&] { import(kData + "bad_missing_init.onnx"); }).find("reads 'w_missing'"), std::string::npos);
  EXPECT_NE(error_of([&] { import(kData + "bad_dynamic.onnx"); }).find("free dimension 'seq'"), std::string::npos);
  std::string unsupported = error_of([&] { import(kData + "bad_unsupported.onnx"); });
  EXPECT_NE(unsupported.find("not supported: ONNX op 'LSTM' (node 'lstm_1')"), std::string::npos) << unsupported;
  EXPECT_NE(unsupported.find("ONNX op 'TopK' (node 'topk_1')"), std::string::npos) << unsupported;
}

// Inputs `make fuzz` found crashing the importer (tests/data/fuzz/onnx): each is one clean BadInput
// now, except vanishing_rescale.onnx, whose 2^-60 rescale is imported as what it is (an output of
// zeros, the pre-shift no deeper than its input) into a graph that validates.
TEST(Import, FuzzFoundInputsAreRefusedCleanly) {
  size_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(kData + "fuzz/onnx")) {
    if (f.path().filename() == "vanishing_rescale.onnx") continue;
    const std::string e = error_of([&] { onnx_import::import_onnx(bytes_of(f.path().string()), {}); });
    EXPECT_FALSE(e.empty()) << f.path();
    ++n;
  }
  EXPECT_GE(n, 3u);
  const model::Graph vanishing = onnx_import::import_onnx(bytes_of(kData + "fuzz/onnx/vanishing_rescale.onnx"), {});
  EXPECT_NO_THROW(model::validate(vanishing));
  // nan_weight.onnx: mlp_sigmoid with a NaN in a weight (its int8 conversion was undefined behaviour).
  EXPECT_NE(error_of([&] { onnx_import::import_onnx(bytes_of(kData + "fuzz/onnx/nan_weight.onnx"), {}); })
                .find("holds a NaN or infinite value"),
            std::string::npos);
  // pad_beyond_index_map_limit.onnx: a fuzzed Pad of 1025 and 11520 entries feeding a pool; its
  // 119 M-entry output exceeded 1 GB in the calibration pass (libFuzzer OOM). Refused while lowering.
  EXPECT_NE(error_of([&] { onnx_import::import_onnx(bytes_of(kData + "fuzz/onnx/pad_beyond_index_map_limit.onnx"), {}); })
                .find("has more than 2^26 entries"),
            std::string::npos);
}

TEST(Import, WideActivationsPreShiftTheLayerNormSquares) {
  NEED_SHARED();
  // At 14 bits Σc² over 64 channels could exceed (p−1)/2: c is rounded by 2^t before squaring.
  model::Graph g = import(kShared + "gpt_block.onnx", "", 14);
  int shifts = 0;
  for (const auto& n : g.nodes) shifts += n.name.find(":square_shift") != std::string::npos;
  EXPECT_EQ(shifts, 2);
  auto r = model::compare_outputs(model::run_forward(g, model::parse_inputs_json(slurp(kShared + "gpt_block.input.json"))));
  EXPECT_LE(r.at(0).rel_l2, 0.004);
  // At 16 bits Q·K^T could wrap: its operands are narrowed until K·|q|max·|k|max fits the budget.
  model::Graph w = import(kShared + "gpt_block.onnx", "", 16);
  int qk = 0;
  for (const auto& n : w.nodes)
    if (n.op == model::Op::MatMul && n.name == "/attn/MatMul") {
      ++qk;
      EXPECT_LT(n.acc_bound, int64_t(1) << 29);
      for (uint32_t in : n.inputs) EXPECT_LT(w.tensors[in].bits, 16) << w.tensors[in].name;
    }
  EXPECT_EQ(qk, 1);
}

TEST(Import, NarrowsTheInputOfALongMatmulRatherThanWrap) {
  // K = 2048 at 16-bit activations: 2048·32767·127 would wrap; the input is narrowed to 12 bits.
  model::Graph g = import(kData + "wide_linear.onnx", "", 16);
  for (const auto& n : g.nodes)
    if (n.op == model::Op::MatMul) {
      EXPECT_LT(n.acc_bound, int64_t(1) << 29);
      EXPECT_EQ(g.tensors[n.inputs[0]].bits, 12);
    }
  EXPECT_NO_THROW(import(kData + "wide_linear.onnx", "", 10));
}

TEST(Forward, RefusesBadInputs) {
  model::Graph g = import(kData + "mlp_sigmoid.onnx", kData + "digits_calib_mlp.json");
  EXPECT_THROW(model::parse_inputs_json("{\"name\": \"input\", \"shape\": [1, 64], \"data\": [1, 2"), BadInput);
  EXPECT_THROW(model::parse_inputs_json("{\"name\": \"input\", \"shape\": [1, 64], \"data\": [1, 2]}"), BadInput);
  std::string data = "0.5";
  for (int i = 1; i < 64; ++i) data += ",0.5";
  auto in = model::parse_inputs_json("{\"name\": \"input\", \"shape\": [2, 32], \"data\": [" + data + "]}");
  EXPECT_NE(error_of([&] { model::run_forward(g, in); }).find("has shape [2, 32]"), std::string::npos);
}
