#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"
#include "model/tables.hpp"
#include "model/trace.hpp"

using namespace zkm31;
using namespace zkm31::model;

namespace {

uint32_t add_tensor(Graph& g, std::string name, TensorKind kind, Shape shape, int64_t lo, int64_t hi) {
  g.tensors.push_back({std::move(name), kind, std::move(shape), signed_bits(lo, hi), lo, hi, 1.0});
  return uint32_t(g.tensors.size() - 1);
}

// x[1,4] (8-bit) · W[4,3] + b → requant → relu
Graph tiny_graph() {
  Graph g;
  g.name = "tiny";
  uint32_t x = add_tensor(g, "x", TensorKind::Input, {1, 4}, -127, 127);
  uint32_t w = add_tensor(g, "w", TensorKind::Weight, {4, 3}, -127, 127);
  uint32_t b = add_tensor(g, "b", TensorKind::Weight, {3}, -1000, 1000);
  g.weights.push_back({w, {1, -2, 3, 4, 5, -6, 7, 8, 9, -10, 11, 12}, std::vector<float>(12, 0.5f), {0.1, 0.2, 0.3}});
  g.weights.push_back({b, {10, -20, 30}, {1.f, 2.f, 3.f}, {0.1}});
  g.inputs = {x};
  Node mm;
  mm.op = Op::MatMul, mm.name = "fc", mm.inputs = {x, w, b};
  uint32_t acc = add_tensor(g, "acc", TensorKind::Activation, {}, 0, 0);
  mm.outputs = {acc};
  Inferred r = infer(g, mm);
  g.tensors[acc].shape = r.shape, g.tensors[acc].lo = r.lo, g.tensors[acc].hi = r.hi;
  g.tensors[acc].bits = signed_bits(r.lo, r.hi);
  mm.acc_bound = std::max(-r.lo, r.hi);
  g.nodes.push_back(mm);
  Node rq;
  rq.op = Op::Requant, rq.name = "rq", rq.inputs = {acc}, rq.mult = {3, 5, 7}, rq.shift = 8, rq.lo = -127, rq.hi = 127;
  rq.unclamped_bound = ((int64_t(r.hi) * 7 + 128) >> 8) + 1;
  rq.real_mult = {1.0};
  uint32_t q = add_tensor(g, "q", TensorKind::Activation, {1, 3}, -127, 127);
  rq.outputs = {q};
  g.nodes.push_back(rq);
  Node relu;
  relu.op = Op::Relu, relu.name = "relu", relu.inputs = {q};
  uint32_t y = add_tensor(g, "y", TensorKind::Activation, {1, 3}, 0, 127);
  relu.outputs = {y};
  g.nodes.push_back(relu);
  g.outputs = {y};
  return g;
}

}  // namespace

TEST(Graph, ValidatesAndRoundTrips) {
  Graph g = tiny_graph();
  EXPECT_NO_THROW(validate(g));
  EXPECT_EQ(g.nodes[0].acc_bound, 4 * 127 * 127 + 1000);
  auto bytes = write_graph(g);
  Graph h = read_graph(bytes);
  EXPECT_EQ(encode_graph_body(h), encode_graph_body(g));
  EXPECT_EQ(graph_digest(h), graph_digest(g));
}

// Weight data (values, float originals, dequantization scales) is bound by the weight commitment or
// by nothing proven; everything else is the architecture and the quantization.
TEST(Graph, DigestIgnoresWeightDataOnly) {
  Graph g = tiny_graph();
  auto d = graph_digest(g);
  Graph w = g;
  w.weights[0].values[0] = -1;
  w.weights[0].original[0] = 9.f;
  w.weights[0].scales.assign(w.weights[0].scales.size(), 0.5);
  EXPECT_EQ(graph_digest(w), d);
  // The weight-free body (a proof's graph) carries no scales, and still has the digest.
  const Graph free = decode_graph_body(encode_graph_body(g, WeightValues::absent), WeightValues::absent);
  EXPECT_TRUE(free.weights[0].scales.empty());
  EXPECT_EQ(graph_digest(free), d);
  Graph act = g;
  act.tensors[1].scale *= 2;  // an activation's scale dequantizes the output: part of the digest
  EXPECT_NE(graph_digest(act), d);
  Graph s = g;
  s.nodes[1].shift = 9;
  EXPECT_NE(graph_digest(s), d);
  Graph sh = g;
  sh.tensors[1].shape = {3, 4};
  EXPECT_NE(graph_digest(sh), d);
}

TEST(Graph, RefusesWrongBoundsAndShapes) {
  Graph g = tiny_graph();
  g.nodes[0].acc_bound += 1;
  EXPECT_THROW(validate(g), BadInput);
  g = tiny_graph();
  g.tensors[1].lo = -(int64_t(1) << 28), g.tensors[1].hi = int64_t(1) << 28;
  g.tensors[1].bits = signed_bits(g.tensors[1].lo, g.tensors[1].hi);
  try {
    infer(g, g.nodes[0]);
    FAIL() << "wrap not detected";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("node 'fc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("could wrap"), std::string::npos) << e.what();
  }
  g = tiny_graph();
  g.nodes[1].mult = {3, 5, 1 << 20};  // product bound breaks uniqueness / wraps
  EXPECT_THROW(validate(g), BadInput);
  g = tiny_graph();
  g.tensors[3].shape = {1, 4};
  EXPECT_THROW(validate(g), BadInput);
  g = tiny_graph();
  g.weights[0].values[0] = 200;  // outside the int8 interval
  EXPECT_THROW(validate(g), BadInput);
  // The float track's multipliers must be scalar or per channel (an empty one used to crash graph-forward).
  for (std::vector<double> bad : {std::vector<double>{}, std::vector<double>{1, 2}}) {
    g = tiny_graph();
    g.nodes[1].real_mult = bad;
    EXPECT_THROW(validate(g), BadInput);
  }
  g = tiny_graph();
  g.nodes[1].real_offset = {0.5, 0.25};
  EXPECT_THROW(validate(g), BadInput);
}

// mul_const's float track multiplies by one real factor per element of the constant (RoPE's cos/sin
// [T, hd] on [1, H, T, hd]) or by one factor in all; any other count is refused.
TEST(Graph, MulConstFloatFactorsPerConstantElement) {
  Graph g;
  g.name = "rope-like";
  uint32_t x = add_tensor(g, "x", TensorKind::Input, {1, 2, 3, 4}, -127, 127);
  uint32_t c = add_tensor(g, "c", TensorKind::Constant, {3, 4}, -5, 5);
  g.constants.push_back({c, {1, -2, 3, 4, 5, -5, 0, 1, 2, 3, -4, 5}, {}});
  g.inputs = {x};
  Node mc;
  mc.op = Op::MulConst, mc.name = "rope_cos", mc.inputs = {x, c};
  uint32_t y = add_tensor(g, "y", TensorKind::Activation, {1, 2, 3, 4}, -635, 635);
  mc.outputs = {y};
  g.nodes.push_back(mc);
  g.outputs = {y};
  for (size_t count : {size_t(1), size_t(12)}) {
    g.nodes[0].real_mult.assign(count, 0.5);
    EXPECT_NO_THROW(validate(g)) << count;
  }
  for (size_t count : {size_t(0), size_t(4), size_t(24)}) {
    g.nodes[0].real_mult.assign(count, 0.5);
    EXPECT_THROW(validate(g), BadInput) << count;
  }
}

TEST(Graph, ReadRefusesOtherKindsAndCorruption) {
  Graph g = tiny_graph();
  auto bytes = write_graph(g);
  auto body = encode_graph_body(g);
  EXPECT_THROW(read_graph(artifact::wrap("trace", 1, body)), BadInput);
  bytes.resize(bytes.size() / 2);
  EXPECT_THROW(read_graph(bytes), BadInput);
}

TEST(Graph, CorruptedBodiesAreRefusedCleanly) {
  // Random byte flips in a valid body, re-wrapped with a correct checksum: read_graph either
  // accepts the result (a still-valid graph) or throws BadInput; it never crashes.
  auto body = encode_graph_body(tiny_graph());
  uint64_t state = 12345;
  auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 33; };
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    auto b = body;
    for (int k = 0; k < 1 + int(next() % 3); ++k) b[next() % b.size()] ^= uint8_t(1 + next() % 255);
    try {
      read_graph(artifact::wrap("graph", kGraphVersion, b));
    } catch (const BadInput&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 2000);
}

TEST(Trace, RoundTripAndChecks) {
  Trace t;
  t.graph = tiny_graph();
  t.digest = graph_digest(t.graph);
  t.values.resize(t.graph.tensors.size());
  t.values[0] = {M31::from_signed(-5), M31(3), M31(0), M31(127)};
  t.values[3] = {M31(1), M31(2), M31(3)};
  t.values[4] = {M31::from_signed(-1), M31(2), M31(3)};
  t.values[5] = {M31(0), M31(2), M31(3)};
  t.float_outputs = {{0.f, 0.2f, 0.3f}};
  Trace r = read_trace(write_trace(t));
  EXPECT_EQ(r.digest, t.digest);
  EXPECT_EQ(r.values[0], t.values[0]);
  EXPECT_EQ(r.float_outputs, t.float_outputs);
  t.values[5][0] = M31::from_signed(-1);  // relu output below its interval
  EXPECT_THROW(read_trace(write_trace(t)), BadInput);
  t.values[5][0] = M31(0);
  t.digest[0] ^= 1;
  EXPECT_THROW(read_trace(write_trace(t)), BadInput);
}

TEST(Tables, IntegerFunctionsMatchTheRealOnes) {
  // sigmoid over x·2^-4 in [-8, 8), output at 2^-12.
  auto t = make_table("sigmoid", {1, 4, 1, 12}, -128, 256, -4096, 4096);
  for (int i = 0; i < 256; ++i) {
    double want = table_fn_real("sigmoid", (i - 128) / 16.0) * 4096;
    EXPECT_LE(std::abs(t[i] - want), 0.5 + 1e-9) << i;
  }
  for (std::string fn : {"tanh", "gelu_tanh", "gelu_erf", "silu", "softplus", "elu", "mish", "exp", "logsigmoid",
                         "softsign", "elu_neg", "neg>exp", "neg>sigmoid>neg", "softplus>neg", "tanh>softsign"}) {
    auto v = make_table(fn, {3, 5, 1, 10}, -300, 600, -100000, 100000);
    for (int i = 0; i < 600; ++i) {
      const double want = std::clamp(table_fn_real(fn, (i - 300) * 3 / 32.0) * 1024, -100000.0, 100000.0);
      EXPECT_LE(std::abs(v[i] - want), 0.5 + 1e-6) << fn << " " << i;
    }
  }
  // exp beyond the output range saturates (e^28 at 2^10 is far above 100000), never overflows.
  auto big = make_table("exp", {1, 0, 1, 10}, 20, 40, -100000, 100000);
  EXPECT_EQ(big[0], 100000);
  EXPECT_EQ(big[39], 100000);
  auto tiny = make_table("exp", {1, 0, 1, 90}, -2, 5, -(int64_t(1) << 40), int64_t(1) << 40);
  EXPECT_EQ(tiny[4], int64_t(1) << 40);  // e^2·2^90, clamped
  // softsign of a saturated exp (e^x far beyond 2^64) is 1, without overflow; logsigmoid of a very
  // negative input is the input itself.
  auto sat = make_table("exp>softsign", {1, 0, 1, 10}, 35, 3, -100000, 100000);
  EXPECT_EQ(sat, (std::vector<int64_t>{1024, 1024, 1024}));
  auto ls = make_table("logsigmoid", {1, 0, 1, 10}, -8000, 2, -(int64_t(1) << 30), int64_t(1) << 30);
  EXPECT_EQ(ls[0], -8000 * 1024);
  auto e = make_table("exp_neg", {11, 10, 1, 15}, 0, 1024, 0, 1 << 15);
  EXPECT_EQ(e[0], 1 << 15);
  EXPECT_EQ(e[1023], 0);
  EXPECT_NEAR(e[100], std::exp(-100 * 11 / 1024.0) * 32768, 0.5 + 1e-9);
  auto rs = make_table("rsqrt", {12, 1, 0}, 1, 5000, 0, 1 << 13);
  EXPECT_EQ(rs[0], 4096);
  EXPECT_EQ(rs[3], 2048);
  for (int i = 0; i < 5000; ++i) EXPECT_LE(std::abs(rs[i] - 4096 / std::sqrt(i + 1.0)), 0.5 + 1e-9);
  auto rc = make_table("recip", {20, 3, 2}, 1, 1000, 0, 1 << 21);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(std::abs(rc[i] - (1 << 20) / ((i + 1) * 0.75)), 0.5 + 1e-9);
  // ln over x·5/2^6 (from 5/64 to 1000), output at 2^-12: negative, zero at x_real = 1, positive
  auto lg = make_table("log", {5, 6, 1, 12}, 1, 12800, -100000, 100000);
  for (int i = 0; i < 12800; ++i) EXPECT_LE(std::abs(lg[i] - std::log((i + 1) * 5 / 64.0) * 4096), 0.5 + 1e-6) << i;
  EXPECT_THROW(make_table("log", {1, 0, 1, 12}, 0, 4, -100, 100), BadInput);  // ln 0
}

// Found by make fuzz (input_json): a shape whose element count overflows 64 bits is refused, not
// multiplied into undefined behaviour.
TEST(Graph, InputShapeThatOverflowsIsRefused) {
  EXPECT_THROW(numel({1390226632356957972, 8}), BadInput);
  EXPECT_THROW(model::parse_inputs_json(R"({"name":"x","shape":[1390226632356957972,8],"data":[0.1]})"), BadInput);
  EXPECT_EQ(numel({3, 5, 7}), 105);
}


TEST(Graph, LookupTablesAreStoredAsTheirDefinitions) {
  // The body holds (fn, params, in_lo, rows); reading recomputes the values, and a definition that
  // cannot be built (unknown fn, too many rows) is refused cleanly.
  Graph g = tiny_graph();
  Node l;
  l.op = Op::Lookup, l.name = "sig", l.inputs = {g.outputs[0]};
  l.table = {"sigmoid", {1, 5, 1, 7}, 0, make_table("sigmoid", {1, 5, 1, 7}, 0, 128, 0, 1 << 20)};
  const auto [lo, hi] = std::minmax_element(l.table.values.begin(), l.table.values.end());
  const uint32_t z = add_tensor(g, "z", TensorKind::Activation, {1, 3}, *lo, *hi);
  l.outputs = {z};
  g.nodes.push_back(l);
  g.outputs = {z};
  ASSERT_NO_THROW(validate(g));
  const auto body = encode_graph_body(g);
  const Graph h = read_graph(write_graph(g));
  EXPECT_EQ(h.nodes.back().table.values, g.nodes.back().table.values);
  EXPECT_EQ(graph_digest(h), graph_digest(g));
  EXPECT_LT(body.size(), encode_graph_body(tiny_graph()).size() + 400);  // a node, not its 128 values (512 bytes)
  for (const auto& [fn, rows] : {std::pair<std::string, size_t>{"nosuchfn", 128}, {"sigmoid", 70000}}) {
    Graph bad = g;
    bad.nodes.back().table.fn = fn;
    bad.nodes.back().table.values.assign(rows, 0);
    try {
      read_graph(write_graph(bad));
      ADD_FAILURE() << fn << " accepted";
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(rows > 65536 ? "2^16 rows" : "nosuchfn"), std::string::npos) << e.what();
    }
  }
  // Forty distinct 2^16-row definitions in a body of a few kB: more work than its size allows.
  Graph many = g;
  for (int i = 0; i < 40; ++i) {
    Node m = many.nodes.back();
    m.table.params = {1, 5 + i, 1, 7};
    m.table.values.assign(65536, 0);
    many.nodes.push_back(m);
  }
  try {
    read_graph(write_graph(many));
    ADD_FAILURE() << "accepted";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("more rows than a graph of this size may"), std::string::npos) << e.what();
  }
}
