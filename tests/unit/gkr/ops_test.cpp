// The claim walk through the non-matmul layers: a graph built in code with a residual-style
// multi-reader tensor (merged claims), add/sub with a broadcast operand, elementwise mul,
// mul_const, reduce_sum, masked_fill, slice and an activation×activation matmul. Honest runs verify;
// each lie of a dishonest prover and each tampered intermediate tensor is refused or rejected.
#include <gtest/gtest.h>

#include <random>

#include "mlp_fixture.hpp"
#include "model/forward.hpp"
#include "synthetic/transformer.hpp"
#include "model/tables.hpp"
#include "walk_fixture.hpp"

using namespace zkm31;
using namespace zkm31::gkr;
using namespace zkm31::gkr::test;
using model::Op;
using model::TensorKind;

namespace {

struct Ops {
  model::Graph g;
  std::vector<int32_t> x;
  std::map<std::string, uint32_t> t;  // tensor ids by name
};

uint32_t node(model::Graph& g, Op op, const std::string& name, std::vector<uint32_t> in, model::Node n = {}) {
  n.op = op, n.name = name, n.inputs = std::move(in);
  g.tensors.push_back({name, TensorKind::Activation, {}, 0, 0, 0, 1.0});
  n.outputs = {uint32_t(g.tensors.size() - 1)};
  model::Inferred r = model::infer(g, n);
  model::Tensor& y = g.tensors.back();
  y.shape = r.shape, y.lo = r.lo, y.hi = r.hi, y.bits = model::signed_bits(r.lo, r.hi);
  if (op == Op::MatMul) n.acc_bound = std::max(-r.lo, r.hi);
  g.nodes.push_back(n);
  return n.outputs[0];
}

uint32_t requant(model::Graph& g, const std::string& name, uint32_t in, int shift) {
  const uint32_t y = fixture::add_tensor(g, name, TensorKind::Activation, g.tensors[in].shape, -128, 127);
  g.nodes.push_back(fixture::requant_node(g, name, in, y, {1}, {}, shift, -128, 127));
  return y;
}

uint32_t constant(model::Graph& g, const std::string& name, model::Shape shape, std::vector<int64_t> v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const uint32_t id = fixture::add_tensor(g, name, TensorKind::Constant, std::move(shape), *lo, *hi);
  g.constants.push_back({id, std::move(v), {}});
  return id;
}

// The front of several graphs here: g named `name`, input x [3, 5], q = requant(x·W, shift) [3, 6]
// with W [5, 6] filled from `step`.
uint32_t linear_front(model::Graph& g, const std::string& name, int step, int shift) {
  g.name = name;
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 5}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {5, 6}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int i = 0; i < 30; ++i) g.weights[0].values.push_back(int32_t(i * step % 255) - 127);
  g.inputs = {x};
  return requant(g, "q", node(g, Op::MatMul, "a", {x, w}), shift);
}

// x [3, 5] → q = requant(x·W + b) [3, 6]
//   m = q ⊙ q; r = reduce_sum(q) [3, 1]; d = m − r (broadcast); c = C ⊙ d (C [6]); e = c + m (m read twice)
//   z1 = requant(slice(e, columns 1..5))
//   S = q·qᵀ (two activations); f = masked_fill(S, upper triangle, −90000); z2 = requant(f)
Ops make_ops(uint32_t seed) {
  Ops o;
  model::Graph& g = o.g;
  g.name = "test-ops";
  std::mt19937 rng(seed);
  auto rnd = [&](int lo, int hi) { return int32_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 5}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {5, 6}, -127, 127);
  const uint32_t b = fixture::add_tensor(g, "b", TensorKind::Weight, {6}, -1000, 1000);
  model::WeightData W{w, {}, {}, {1.0}}, B{b, {}, {}, {1.0}};
  for (int i = 0; i < 30; ++i) W.values.push_back(rnd(-127, 127));
  for (int i = 0; i < 6; ++i) B.values.push_back(rnd(-1000, 1000));
  g.weights = {W, B};
  g.inputs = {x};
  const uint32_t a = node(g, Op::MatMul, "a", {x, w, b});
  const uint32_t q = requant(g, "q", a, 8);
  const uint32_t m = node(g, Op::Mul, "m", {q, q});
  const uint32_t r = node(g, Op::ReduceSum, "r", {q});
  const uint32_t d = node(g, Op::Sub, "d", {m, r});
  model::Node mc;
  mc.real_mult = {2, -3, 1, 0, 3, -1};  // float track
  const uint32_t c = node(g, Op::MulConst, "c", {d, constant(g, "C", {6}, {2, -3, 1, 0, 3, -1})}, mc);
  const uint32_t e = node(g, Op::Add, "e", {c, m});
  model::Node sl;
  sl.axes = {1}, sl.starts = {1}, sl.ends = {5}, sl.steps = {1};
  const uint32_t s = node(g, Op::Slice, "s", {e}, sl);
  const uint32_t z1 = requant(g, "z1", s, 10);
  model::Node tr;
  tr.ints = {1, 0};
  const uint32_t qt = node(g, Op::Transpose, "qT", {q}, tr);
  const uint32_t S = node(g, Op::MatMul, "S", {q, qt});
  model::Node mf;
  mf.fill = -90000;
  const uint32_t f = node(g, Op::MaskedFill, "f", {S, constant(g, "mask", {3, 3}, {0, 1, 1, 0, 0, 1, 0, 0, 0})}, mf);
  const uint32_t z2 = requant(g, "z2", f, 10);
  g.outputs = {z1, z2};
  model::validate(g);
  for (int i = 0; i < 15; ++i) o.x.push_back(rnd(-128, 127));
  o.x[0] = 127, o.x[1] = -128;
  for (size_t i = 0; i < g.tensors.size(); ++i) o.t[g.tensors[i].name] = uint32_t(i);
  return o;
}

model::Trace forward(const Ops& o) { return synthetic::integer_trace(o.g, {o.x}); }

}  // namespace

TEST(Ops, HonestRunVerifiesWithMergedClaims) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const Ops o = make_ops(seed);
    Proved p = prove(forward(o));
    Ledger L = verify(p, p.w.values);
    // m is read by d and e: its two claims were merged into one.
    size_t merged = 0;
    for (const Claim& c : L.claims()) merged += c.consumed_by == "merge m";
    EXPECT_EQ(merged, 2u) << seed;
  }
}

TEST(Ops, LyingProverRejected) {
  const Ops o = make_ops(4);
  const auto t = forward(o);
  const Proved honest = prove(t);
  for (CheatMode c : {CheatMode::ShiftOperands, CheatMode::WrongProduct, CheatMode::WrongScale, CheatMode::WrongSum,
                      CheatMode::MergeDrop, CheatMode::MergeWrongValue, CheatMode::WrongFinal, CheatMode::AlterRound,
                      CheatMode::WrongWiring}) {
    Proved p = prove(t, c);
    EXPECT_THROW(verify(p, honest.w.values), Rejected) << int(c);
  }
}

TEST(Ops, LyingMergeRejectedAtTheMerge) {
  // m is read by d and e: its two claims are merged, and a merge that leaves one claim out or states
  // a wrong merged value is caught there.
  const Ops o = make_ops(5);
  const auto t = forward(o);
  for (CheatMode c : {CheatMode::MergeDrop, CheatMode::MergeWrongValue}) {
    Proved p = prove(t, c);
    try {
      verify(p, p.w.values);
      ADD_FAILURE() << "accepted " << int(c);
    } catch (const Rejected& e) {
      EXPECT_NE(std::string(e.what()).find("merge m"), std::string::npos) << e.what();
    }
  }
}

namespace {

// Each named tensor changed in entry `at` of o's trace: the honest prover refuses or verify rejects.
void tampered_each_refused_or_rejected(const Ops& o, std::initializer_list<const char*> names, size_t at) {
  const auto t0 = forward(o);
  for (const char* name : names) {
    auto t = t0;
    t.values[o.t.at(name)][at] += M31(1);
    try {
      Proved p = prove(t);
      EXPECT_THROW(verify(p, p.w.values), Rejected) << name;
    } catch (const BadInput&) {
      // the honest prover refuses an inconsistent trace
    }
  }
}

}  // namespace

TEST(Ops, TamperedTraceRefusedOrRejected) {
  tampered_each_refused_or_rejected(make_ops(6), {"a", "q", "m", "r", "d", "c", "e", "s", "qT", "S", "f", "z1", "z2"}, 1);
}

TEST(Ops, StreamMutationsRejected) {
  const Ops o = make_ops(7);
  const Proved p = prove(forward(o));
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    Proved q = p;
    const size_t at = rng() % q.stream.size();
    q.stream[at] += QM31(M31(1 + rng() % 1000), M31(rng() % 5), M31(0), M31(0));
    EXPECT_THROW(verify(q, p.w.values), Rejected) << at;
  }
}

TEST(Ops, BatchedAttentionVerifies) {
  // Heads as a batch dimension: S = Q·Kᵀ [1, 2, 4, 4] per head, then S·V, transposed back.
  model::Graph g;
  g.name = "test-heads";
  const uint32_t in = fixture::add_tensor(g, "in", TensorKind::Input, {1, 2, 4, 3}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {3, 3}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int i = 0; i < 9; ++i) g.weights[0].values.push_back(int32_t(i * 29 % 255) - 127);
  g.inputs = {in};
  const uint32_t x = requant(g, "x", node(g, Op::MatMul, "xw", {in, w}), 6);
  model::Node tr;
  tr.ints = {0, 1, 3, 2};
  const uint32_t xt = node(g, Op::Transpose, "xT", {x}, tr);
  const uint32_t s = node(g, Op::MatMul, "S", {x, xt});
  const uint32_t p = requant(g, "p", s, 9);
  const uint32_t o = node(g, Op::MatMul, "O", {p, x});
  model::Node back;
  back.ints = {0, 2, 1, 3};
  const uint32_t ob = node(g, Op::Transpose, "Ot", {o}, back);
  g.outputs = {requant(g, "z", ob, 10)};
  model::validate(g);
  Ops ops{g, {}, {}};
  for (int i = 0; i < 24; ++i) ops.x.push_back(int32_t(i * 71 % 256) - 128);
  Proved pr = prove(forward(ops));
  EXPECT_NO_THROW(verify(pr, pr.w.values));
}

namespace {

// x [3, 5] in [−128, 127] times a fixed W [5, 6] in [−127, 127], requantized by (mult, shift) into
// [lo, hi]; the tensor q is the graph's output.
Ops matmul_requant(const std::string& name, int64_t mult, int shift, int64_t lo, int64_t hi) {
  model::Graph g;
  g.name = name;
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 5}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {5, 6}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int i = 0; i < 30; ++i) g.weights[0].values.push_back(int32_t(i * 37 % 255) - 127);
  g.inputs = {x};
  const uint32_t a = node(g, Op::MatMul, "a", {x, w});
  const uint32_t q = fixture::add_tensor(g, "q", TensorKind::Activation, {3, 6}, lo, hi);
  g.nodes.push_back(fixture::requant_node(g, "q", a, q, {mult}, {}, shift, lo, hi));
  g.outputs = {q};
  model::validate(g);
  Ops o{g, {}, {}};
  for (int i = 0; i < 15; ++i) o.x.push_back(int32_t(i * 53 % 256) - 128);
  return o;
}

}  // namespace

TEST(Ops, WideClampAbovePositiveLowerBoundOnPaddedTensor) {
  // A requant into [1, 5000] (a variance before an rsqrt table): q = 0 on the padding is outside the
  // interval, so the bound limbs are checked on the real entries only.
  const Ops o = matmul_requant("test-positive-clamp", 3, 4, 1, 5000);
  const uint32_t q = o.g.outputs[0];
  const auto t = forward(o);
  Proved p = prove(t);
  ASSERT_TRUE(std::get<RequantStep>(p.c.steps.back()).wide);
  EXPECT_NO_THROW(verify(p, p.w.values));
  bool clamped_low = false;
  for (const M31& v : t.values[q]) clamped_low |= v.to_signed() == 1;
  EXPECT_TRUE(clamped_low);
}

TEST(Ops, ClampFreeWideRequantBoundsQFromBelowOnly) {
  // q = floor((a + 2) / 4) into [−20320, 20320], exactly the reach of |a| ≤ 5·128·127: the clamp can
  // never trigger, so the proof carries q − lo's limbs and the remainder only (no excess, no hi − q).
  Ops o = matmul_requant("test-clamp-free", 1, 2, -20320, 20320);
  model::Graph& g = o.g;
  const uint32_t q = g.outputs[0];
  const auto t = forward(o);
  Proved p = prove(t);
  const RequantStep rq = std::get<RequantStep>(p.c.steps.back());
  ASSERT_TRUE(rq.wide && rq.clamp_free);
  EXPECT_TRUE(rq.ep.empty() && rq.en.empty() && rq.dhi.empty());
  EXPECT_EQ(rq.dlo.size(), 2u);  // q − lo ∈ [0, 2^16)
  EXPECT_NO_THROW(verify(p, p.w.values));
  // One more bit of reach and the clamp could trigger: the excess limbs come back.
  g.nodes.back().lo = -20319;
  g.tensors[q].lo = -20319;
  EXPECT_FALSE(std::get<RequantStep>(compile(g, Config{}).proof.steps.back()).clamp_free);

  auto set_limbs = [](Proved& f, const std::vector<uint32_t>& limbs, size_t i, uint64_t v) {
    for (size_t j = 0; j < limbs.size(); ++j) f.w.values[limbs[j]][i] = M31(uint32_t((v >> (12 * j)) & 4095));
  };
  const M31 inv4 = M31(4).inverse();
  for (int lie = 0; lie < 2; ++lie) {
    Proved f = p;
    const size_t i = 4;
    const M31 V = f.w.values[rq.x][i] + M31(2);  // M = 1, B = 0, rounding 2^(s−1)
    if (lie == 0) {
      // q + 1 with the remainder lowered by 4: the identity holds, the remainder leaves [0, 4).
      f.w.values[rq.q][i] += M31(1);
      f.w.values[rq.r[0]][i] -= M31(4);
    } else {
      // Another root of 4·q + r = V mod p: r' = r + 1, q' = (V − r')/4 (a huge field element),
      // q' − lo's limbs taken from its low 24 bits.
      const M31 r1 = f.w.values[rq.r[0]][i] + M31(1);
      f.w.values[rq.r[0]][i] = r1;
      f.w.values[rq.q][i] = (V - r1) * inv4;
    }
    set_limbs(f, rq.dlo, i, uint64_t((f.w.values[rq.q][i] - M31::from_signed(rq.lo)).v));
    count_multiplicities(f.c, f.w, false);
    prove_witness(f, CheatMode::ForgedWitness);
    EXPECT_THROW(verify(f, f.w.values), Rejected) << lie;
  }
}

namespace {

// x [3, 5] → q = requant(x·W) → y = reduce_max(q) [3, 1] (the output): rows and columns padded.
struct MaxRun {
  Ops o;
  Proved p;
  ReduceMaxStep step;
};

MaxRun prove_max(uint32_t seed) {
  model::Graph g;
  g.name = "test-max";
  std::mt19937 rng(seed);
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 5}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {5, 5}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int i = 0; i < 25; ++i) g.weights[0].values.push_back(int32_t(rng() % 255) - 127);
  g.inputs = {x};
  const uint32_t q = requant(g, "q", node(g, Op::MatMul, "a", {x, w}), 7);
  g.outputs = {node(g, Op::ReduceMax, "y", {q})};
  model::validate(g);
  MaxRun m{{g, {}, {}}, {}, {}};
  for (int i = 0; i < 15; ++i) m.o.x.push_back(int32_t(rng() % 256) - 128);
  m.p = prove(forward(m.o));
  m.step = std::get<ReduceMaxStep>(m.p.c.steps.back());
  return m;
}

// Rewrites D = y' − q from the (forged) y and S, recounts and proves the forged witness as is.
void reprove_forged(MaxRun& m) {
  const Circuit& c = m.p.c;
  auto& v = m.p.w.values;
  for (size_t i = 0; i < v[m.step.x].size(); ++i) {
    const size_t row = i >> 3, col = i & 7;
    const int64_t d = col < 5 ? v[m.step.y][row].to_signed() - v[m.step.x][i].to_signed() : 0;
    for (size_t j = 0; j < m.step.d.size(); ++j)
      v[m.step.d[j]][i] = M31(uint32_t((d >> (c.config.range_bits * j)) & ((1 << c.config.range_bits) - 1)));
  }
  count_multiplicities(c, m.p.w, false);
  prove_witness(m.p, CheatMode::ForgedWitness);
}

}  // namespace

TEST(Ops, ReduceMaxVerifies) {
  for (uint32_t seed : {11u, 12u, 13u}) {
    MaxRun m = prove_max(seed);
    EXPECT_NO_THROW(verify(m.p, m.p.w.values)) << seed;
  }
}

TEST(Ops, ReduceMaxAboveTheMaxRejected) {
  // y[0] raised by 1: every gap stays ≥ 0, and S moves to a padded column where D = 0.
  MaxRun m = prove_max(14);
  auto& v = m.p.w.values;
  v[m.step.y][0] += M31(1);
  for (size_t col = 0; col < 8; ++col) v[m.step.sel][col] = M31(col == 6);
  reprove_forged(m);
  try {
    verify(m.p, m.p.w.values);
    FAIL() << "accepted";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("does not select exactly one entry"), std::string::npos) << e.what();
  }
}

TEST(Ops, ReduceMaxBelowTheMaxRefusedOrRejected) {
  MaxRun m = prove_max(15);
  auto t = forward(m.o);
  t.values[size_t(m.p.c.vecs[m.step.y].tensor)][1] -= M31(1);
  EXPECT_THROW(build_witness(m.p.c, t), BadInput);
  // Forged: the gap of the max entry becomes −1 (outside the range limbs' window).
  m.p.w.values[m.step.y][1] -= M31(1);
  reprove_forged(m);
  try {
    verify(m.p, m.p.w.values);
    FAIL() << "accepted";
  } catch (const Rejected& e) {  // −1 has no decomposition into the range limbs
    EXPECT_NE(std::string(e.what()).find("does not match its range limbs"), std::string::npos) << e.what();
  }
}

TEST(Ops, ReduceMaxNonzeroPaddedRowRejected) {
  // y on its padded row 3 set to 5 with S still selecting column 0 there (D = 5 ≠ 0), or moved to a
  // padded column (not a real column): both rejected.
  for (size_t col : {0u, 7u}) {
    MaxRun m = prove_max(16);
    auto& v = m.p.w.values;
    v[m.step.y][3] = M31(5);
    for (size_t j = 0; j < 8; ++j) v[m.step.sel][3 * 8 + j] = M31(j == col);
    reprove_forged(m);
    try {
      verify(m.p, m.p.w.values);
      ADD_FAILURE() << "accepted " << col;
    } catch (const Rejected& e) {
      EXPECT_NE(std::string(e.what()).find(col ? "does not select exactly one entry" : "picks an entry below the max"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(Ops, ConcatAndGatherVerifyAndLiesRejected) {
  // c1 = concat(q, x) along the columns (a public part), c2 = concat(q, q) along the rows,
  // c3 = gather(q, columns 5, 0, 0, 2).
  model::Graph g;
  const uint32_t q = linear_front(g, "test-concat", 41, 7);
  const uint32_t x = g.inputs[0];
  model::Node cols, rows;
  cols.axis = 1, rows.axis = 0;
  const uint32_t c1 = node(g, Op::Concat, "c1", {q, x}, cols);
  const uint32_t c2 = node(g, Op::Concat, "c2", {q, q}, rows);
  model::Node gather;
  gather.axis = 1, gather.ints = {5, 0, 0, 2}, gather.idx_shape = {4};
  const uint32_t c3 = node(g, Op::Gather, "c3", {q}, gather);
  g.outputs = {requant(g, "z1", c1, 2), requant(g, "z2", c2, 2), requant(g, "z3", c3, 1)};
  model::validate(g);
  Ops o{g, {}, {}};
  for (int i = 0; i < 15; ++i) o.x.push_back(int32_t(i * 67 % 256) - 128);
  const auto t = forward(o);
  const Proved honest = prove(t);
  EXPECT_NO_THROW(verify(honest, honest.w.values));
  EXPECT_THROW(verify(prove(t, CheatMode::WrongWiring), honest.w.values), Rejected);
  for (uint32_t tensor : {c1, c2, c3}) {
    auto bad = t;
    bad.values[tensor][4] += M31(1);
    EXPECT_THROW(prove(bad), BadInput) << tensor;
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 100; ++i) {
    Proved p = honest;
    p.stream[rng() % p.stream.size()] += QM31::one();
    EXPECT_THROW(verify(p, honest.w.values), Rejected);
  }
}

namespace {

// x [3, 5] → q = requant(x·W) [3, 6] in [lo, hi] → y = fn(q) (a table lookup on a padded tensor).
struct LookupRun {
  Ops o;
  uint32_t y;
};

LookupRun lookup_graph(const std::string& fn, std::vector<int64_t> params, int64_t lo, int64_t hi, int64_t out_hi) {
  model::Graph g;
  g.name = "test-lookup";
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 5}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {5, 6}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int i = 0; i < 30; ++i) g.weights[0].values.push_back(int32_t(i * 53 % 255) - 127);
  g.inputs = {x};
  const uint32_t a = node(g, Op::MatMul, "a", {x, w});
  const uint32_t q = fixture::add_tensor(g, "q", TensorKind::Activation, {3, 6}, lo, hi);
  g.nodes.push_back(fixture::requant_node(g, "q", a, q, {1}, {}, 7, lo, hi));
  model::Node l;
  l.table = {fn, params, lo, model::make_table(fn, params, lo, hi - lo + 1, 0, out_hi)};
  const uint32_t y = node(g, Op::Lookup, "y", {q}, l);
  g.outputs = {y};
  model::validate(g);
  LookupRun r{{g, {}, {}}, y};
  for (int i = 0; i < 15; ++i) r.o.x.push_back(int32_t(i * 89 % 256) - 128);
  return r;
}

}  // namespace

TEST(Ops, LookupWithNonzeroAtZeroOnPaddingVerifies) {
  // sigmoid(0) = 64 here: the padded entries are looked up as (0, y + 64·pad) = (0, 64).
  LookupRun r = lookup_graph("sigmoid", {1, 5, 1, 7}, -128, 127, 128);
  const auto t = forward(r.o);
  Proved p = prove(t);
  bool padding = false;
  for (const Vec& v : p.c.vecs) padding |= v.kind == VecKind::Padding;
  ASSERT_TRUE(padding);
  EXPECT_NO_THROW(verify(p, p.w.values));
  // A nonzero padded output entry (y = 1 at a padded column) is no row of the table.
  const uint32_t yv = std::get<LookupStep>(p.c.steps.back()).y;
  p.w.values[yv][7] = M31(1);
  count_multiplicities(p.c, p.w, false);
  prove_witness(p, CheatMode::ForgedWitness);
  EXPECT_THROW(verify(p, p.w.values), Rejected);
}

TEST(Ops, LookupWithoutARowForZeroOnPaddingVerifies) {
  // rsqrt's domain starts at 1: the padded entries (x = y = 0) are looked up as the row
  // (0 + 1·pad, 0 + rsqrt(1)·pad) = (1, rsqrt(1)).
  LookupRun r = lookup_graph("rsqrt", {12, 1, 0}, 1, 5000, 4096);
  const auto t = forward(r.o);
  Proved p = prove(t);
  const auto& step = std::get<LookupStep>(p.c.steps.back());
  const auto& col = p.c.instances[step.instance].columns.at(0);
  ASSERT_EQ(col.a.size(), 2u);
  EXPECT_EQ(col.a[1].coeff, 1);
  EXPECT_EQ(col.b[1].coeff, model::make_table("rsqrt", {12, 1, 0}, 1, 1, 0, 4096)[0]);
  EXPECT_NO_THROW(verify(p, p.w.values));
  // A lie in a padded entry (y = 1 or x = 1 at a padded column) is rejected.
  for (uint32_t lied : {step.y, step.x}) {
    Proved f = p;
    f.w.values[lied][7] = M31(1);
    count_multiplicities(f.c, f.w, false);
    prove_witness(f, CheatMode::ForgedWitness);
    EXPECT_THROW(verify(f, p.w.values), Rejected) << lied;
  }
}

TEST(Ops, LookupOnPaddingAtANegativeDomainVerifies) {
  // A table over [-300, -20] (no row for 0, the nearest input is -20): padded entries look up
  // (-20, f(-20)); a padded y of 1 is rejected.
  LookupRun r = lookup_graph("sigmoid", {1, 5, 1, 7}, -300, -20, 128);
  const auto t = forward(r.o);
  Proved p = prove(t);
  EXPECT_NO_THROW(verify(p, p.w.values));
  const auto& step = std::get<LookupStep>(p.c.steps.back());
  Proved f = p;
  f.w.values[step.y][6] = M31(1);
  count_multiplicities(f.c, f.w, false);
  prove_witness(f, CheatMode::ForgedWitness);
  EXPECT_THROW(verify(f, p.w.values), Rejected);
}

TEST(Ops, NarrowClampWithoutZeroOnPaddingVerifies) {
  // A requant into [3, 200] (narrow: a clamp table) on a padded tensor: q = 0 on the padding is
  // looked up as (0 + 3·pad, e) = (3, 0). A padded q of 3 is rejected.
  LookupRun r = lookup_graph("sigmoid", {1, 5, 1, 7}, 3, 200, 128);
  const auto t = forward(r.o);
  Proved p = prove(t);
  const RequantStep* rq = nullptr;
  for (const Step& s : p.c.steps)
    if (auto* x = std::get_if<RequantStep>(&s)) rq = x;
  ASSERT_TRUE(rq && !rq->wide);
  EXPECT_NO_THROW(verify(p, p.w.values));
  bool clamped_low = false;
  for (const M31& v : t.values[size_t(p.c.vecs[rq->q].tensor)]) clamped_low |= v.to_signed() == 3;
  EXPECT_TRUE(clamped_low);
  Proved f = p;
  f.w.values[rq->q][6] = M31(3);
  count_multiplicities(f.c, f.w, false);
  prove_witness(f, CheatMode::ForgedWitness);
  EXPECT_THROW(verify(f, p.w.values), Rejected);
}

TEST(Ops, VocabWidthLogitsVerify) {
  // A GPT-2-like LM head width (50257 columns, padded to 2^16) then a reduce_max over it.
  model::Graph g;
  g.name = "test-vocab";
  const int64_t V = 50257;
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {2, 6}, -128, 127);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {6, V}, -127, 127);
  g.weights = {{w, {}, {}, {1.0}}};
  for (int64_t i = 0; i < 6 * V; ++i) g.weights[0].values.push_back(int32_t(i * 37 % 255) - 127);
  g.inputs = {x};
  const uint32_t a = node(g, Op::MatMul, "a", {x, w});
  const uint32_t q = requant(g, "q", a, 7);
  g.outputs = {node(g, Op::ReduceMax, "y", {q})};
  model::validate(g);
  Ops o{g, {}, {}};
  for (int i = 0; i < 12; ++i) o.x.push_back(int32_t(i * 53 % 256) - 128);
  Proved p = prove(forward(o));
  EXPECT_NO_THROW(verify(p, p.w.values));
  auto claimed = p.w.values;
  claimed[p.c.outputs.at(0)][0] += M31(1);  // a public max above every entry of its row
  EXPECT_THROW(verify(p, claimed), Rejected);
}

namespace {

// x [3, 5] → q = requant(x·W) [3, 6] → p = q + P (P [3, 6], a folded position table) → u = K − p
// (K [6] broadcast) → v = u − 7 → w = C ⊙ v (a mul whose first operand is the constant C [6]) → z:
// every constant operand is a scale step whose offset and scale the verifier lays out itself.
model::Graph constant_operands_graph(int64_t p_first = 31) {
  model::Graph g;
  const uint32_t q = linear_front(g, "test-constant-operands", 53, 6);
  std::vector<int64_t> pos;
  for (int i = 0; i < 18; ++i) pos.push_back(i * 37 % 101 - 50);
  pos[0] = p_first;
  const uint32_t p = node(g, Op::Add, "p", {q, constant(g, "P", {3, 6}, pos)});
  const uint32_t u = node(g, Op::Sub, "u", {constant(g, "K", {6}, {5, -9, 0, 12, -3, 1}), p});
  const uint32_t v = node(g, Op::Sub, "v", {u, constant(g, "seven", {1}, {7})});
  const uint32_t m = node(g, Op::Mul, "m", {constant(g, "C", {6}, {3, -2, 1, 0, 2, -1}), v});
  g.outputs = {requant(g, "z", m, 4)};
  model::validate(g);
  return g;
}

Ops constant_operands(int64_t p_first = 31) {
  Ops o{constant_operands_graph(p_first), {}, {}};
  for (int i = 0; i < 15; ++i) o.x.push_back(int32_t(i * 71 % 256) - 128);
  for (size_t i = 0; i < o.g.tensors.size(); ++i) o.t[o.g.tensors[i].name] = uint32_t(i);
  return o;
}

}  // namespace

TEST(Ops, ConstantOperandsVerify) {
  const Ops o = constant_operands();
  const Proved p = prove(forward(o));
  EXPECT_NO_THROW(verify(p, p.w.values));
  size_t scale_steps = 0;
  for (const Step& s : p.c.steps) scale_steps += std::holds_alternative<ScaleStep>(s);
  EXPECT_EQ(scale_steps, 4u);
  for (const Vec& v : p.c.vecs) EXPECT_NE(v.tensor >= 0 ? o.g.tensors[size_t(v.tensor)].kind : TensorKind::Input, TensorKind::Constant) << v.name;
}

TEST(Ops, ConstantOperandsWrongInputClaimRejected) {
  const Ops o = constant_operands();
  const Proved honest = prove(forward(o));
  EXPECT_THROW(verify(prove(forward(o), CheatMode::WrongScale), honest.w.values), Rejected);
}

TEST(Ops, ConstantOperandsTamperedTraceRefusedOrRejected) {
  tampered_each_refused_or_rejected(constant_operands(), {"p", "u", "v", "m"}, 4);
}

TEST(Ops, ConstantOperandsTamperedConstantRejected) {
  // A proof of the graph with P[0] = 31 checked against the same graph with P[0] = 32: another
  // circuit (and another graph digest in the tools) — the verifier's own offset no longer matches.
  const Proved p = prove(forward(constant_operands()));
  Proved q = p;
  q.c = compile(constant_operands_graph(32), Config{}).proof;
  EXPECT_THROW(verify(q, p.w.values), Rejected);
}

TEST(Ops, ConstantOperandsTamperedOutputRejected) {
  const Ops o = constant_operands();
  const Proved p = prove(forward(o));
  auto oracle = p.w.values;
  oracle[p.c.outputs[0]][2] += M31(1);
  EXPECT_THROW(verify(p, oracle), Rejected);
}

TEST(Ops, ConstantOperandBroadcastingTheOtherRefused) {
  // X [3, 1] + K [3, 6]: Y does not have X's layout, refused rather than proven wrong.
  model::Graph g;
  g.name = "test-broadcast-constant";
  const uint32_t x = fixture::add_tensor(g, "x", TensorKind::Input, {3, 1}, -128, 127);
  g.inputs = {x};
  g.outputs = {node(g, Op::Add, "y", {x, constant(g, "K", {3, 6}, std::vector<int64_t>(18, 1))})};
  try {
    compile(g, Config{});
    ADD_FAILURE() << "compiled";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("broadcasts the other operand"), std::string::npos) << e.what();
  }
}
