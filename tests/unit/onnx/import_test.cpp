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

model::Graph import(const std::string& path, const std::string& calib = "", int bits = 10) {
  onnx_import::ImportOptions opt;
  opt.act_bits = bits;
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

// Fraction of digits test images whose integer-track argmax equals the float-track argmax.
double digits_agreement(const model::Graph& g) {
  auto j = nlohmann::json::parse(slurp(kData + "digits_test.json"));
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

// An MLP (input [1,64]) and a conv net (input [1,1,8,8]) each agree with their float model on ≥ 98%.
void expect_digits_agreement(const std::string& dir, const std::string& mlp, const std::string& cnn) {
  double a = digits_agreement(import(dir + mlp + ".onnx", kData + "digits_calib_mlp.json"));
  double b = digits_agreement(import(dir + cnn + ".onnx", kData + "digits_calib_cnn.json"));
  EXPECT_GE(a, 0.98) << mlp;
  EXPECT_GE(b, 0.98) << cnn;
  std::cout << "argmax agreement: " << mlp << " " << a << ", " << cnn << " " << b << "\n";
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
  EXPECT_NE(error_of([&] { import(kData + "bad_dynamic.onnx"); }).find("dynamic"), std::string::npos);
  std::string unsupported = error_of([&] { import(kData + "bad_unsupported.onnx"); });
  EXPECT_NE(unsupported.find("not supported: ONNX op 'LSTM' (node 'lstm_1')"), std::string::npos) << unsupported;
  EXPECT_NE(unsupported.find("ONNX op 'TopK' (node 'topk_1')"), std::string::npos) << unsupported;
}

// Inputs `make fuzz` found crashing the importer (tests/data/fuzz/onnx): each is one clean BadInput now.
TEST(Import, FuzzFoundInputsAreRefusedCleanly) {
  size_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(kData + "fuzz/onnx")) {
    const std::string e = error_of([&] { onnx_import::import_onnx(bytes_of(f.path().string()), {}); });
    EXPECT_FALSE(e.empty()) << f.path();
    ++n;
  }
  EXPECT_GE(n, 1u);
  // nan_weight.onnx: mlp_sigmoid with a NaN in a weight (its int8 conversion was undefined behaviour).
  EXPECT_NE(error_of([&] { onnx_import::import_onnx(bytes_of(kData + "fuzz/onnx/nan_weight.onnx"), {}); })
                .find("holds a NaN or infinite value"),
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
  // At 16 bits Q·K^T itself could wrap: refused, naming the layer.
  std::string e = error_of([&] { import(kShared + "gpt_block.onnx", "", 16); });
  EXPECT_NE(e.find("node '/attn/MatMul' (matmul)"), std::string::npos) << e;
}

TEST(Import, RefusesAnAccumulatorThatCouldWrap) {
  std::string e = error_of([&] { import(kData + "wide_linear.onnx", "", 16); });
  EXPECT_NE(e.find("node 'wide_fc'"), std::string::npos) << e;
  EXPECT_NE(e.find("could wrap"), std::string::npos) << e;
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
