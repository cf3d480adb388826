// Token embeddings (embedding): Y = W[ids] with public ids, proven by a sumcheck over W's rows. Honest
// runs verify (repeated ids, dimensions that are not powers of two); a wrong table value, another
// public id, a tampered output row are refused or rejected; the forward pass refuses ids that are
// not rows of the table.
#include <gtest/gtest.h>

#include <random>

#include "mlp_fixture.hpp"
#include "model/forward.hpp"
#include "synthetic/transformer.hpp"
#include "walk_fixture.hpp"

using namespace zkm31;
using namespace zkm31::gkr;
using namespace zkm31::gkr::test;
using model::Op;
using model::TensorKind;

namespace {

struct Embedding {
  model::Graph g;
  std::vector<int32_t> ids;
};

// ids [1, T] → e = embedding(W [V, D], ids) [1, T, D] → z = requant(e·W2) [1, T, 3]
Embedding make_embedding(int64_t V, int64_t D, int64_t T, uint32_t seed) {
  Embedding m;
  model::Graph& g = m.g;
  g.name = "test-embedding";
  std::mt19937 rng(seed);
  auto rnd = [&](int lo, int hi) { return int32_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  const uint32_t ids = fixture::add_tensor(g, "ids", TensorKind::Input, {1, T}, 0, V - 1);
  const uint32_t w = fixture::add_tensor(g, "W", TensorKind::Weight, {V, D}, -127, 127);
  const uint32_t w2 = fixture::add_tensor(g, "W2", TensorKind::Weight, {D, 3}, -127, 127);
  model::WeightData W{w, {}, {}, {1.0}}, W2{w2, {}, {}, {1.0}};
  for (int64_t i = 0; i < V * D; ++i) W.values.push_back(rnd(-127, 127));
  for (int64_t i = 0; i < D * 3; ++i) W2.values.push_back(rnd(-127, 127));
  for (auto* d : {&W, &W2}) d->original.assign(d->values.begin(), d->values.end());  // float track
  g.weights = {W, W2};
  g.inputs = {ids};
  const uint32_t e = fixture::add_tensor(g, "e", TensorKind::Activation, {1, T, D}, -127, 127);
  model::Node en;
  en.op = Op::Embedding, en.name = "embedding", en.inputs = {w, ids}, en.outputs = {e};
  g.nodes.push_back(en);
  const uint32_t a = fixture::add_tensor(g, "a", TensorKind::Activation, {1, T, 3}, 0, 0);
  model::Node mm;
  mm.op = Op::MatMul, mm.name = "mm", mm.inputs = {e, w2}, mm.outputs = {a};
  const model::Inferred r = model::infer(g, mm);
  g.tensors[a].lo = r.lo, g.tensors[a].hi = r.hi, g.tensors[a].bits = model::signed_bits(r.lo, r.hi);
  mm.acc_bound = std::max(-r.lo, r.hi);
  g.nodes.push_back(mm);
  const uint32_t z = fixture::add_tensor(g, "z", TensorKind::Activation, {1, T, 3}, -128, 127);
  g.nodes.push_back(fixture::requant_node(g, "z", a, z, {1}, {}, 8, -128, 127));
  g.outputs = {z};
  for (int64_t t = 0; t < T; ++t) m.ids.push_back(rnd(0, int(V - 1)));
  for (size_t t = 0; t < std::min<size_t>(2, m.ids.size()); ++t) m.ids[t] = int32_t(V - 1);  // the last row, twice
  return m;
}

model::Trace forward(const Embedding& m) { return synthetic::integer_trace(m.g, {m.ids}); }

}  // namespace

TEST(Embedding, GraphValidatesAndForwardReadsRows) {
  const Embedding m = make_embedding(11, 6, 7, 1);
  model::validate(m.g);
  const auto vals = model::forward_int(m.g, {m.ids});
  const auto& W = m.g.weights[0].values;
  for (int64_t t = 0; t < 7; ++t)
    for (int64_t j = 0; j < 6; ++j) EXPECT_EQ(vals[m.g.nodes[0].outputs[0]][size_t(t * 6 + j)], W[size_t(m.ids[size_t(t)] * 6 + j)]);
}

TEST(Embedding, HonestRunsVerify) {
  for (auto [V, D, T] : {std::tuple<int64_t, int64_t, int64_t>{11, 6, 7}, {16, 8, 4}, {5, 3, 1}, {1, 4, 3}}) {
    const Embedding m = make_embedding(V, D, T, uint32_t(V * 100 + D));
    Proved p = prove(forward(m));
    EXPECT_NO_THROW(verify(p, p.w.values)) << V << "x" << D << " T=" << T;
  }
}

TEST(Embedding, WrongTableValueRejected) {
  const Embedding m = make_embedding(11, 6, 7, 2);
  Proved p = prove(forward(m), CheatMode::WrongEmbedding);
  EXPECT_THROW(verify(p, p.w.values), Rejected);
}

TEST(Embedding, AnotherPublicIdRejected) {
  const Embedding m = make_embedding(11, 6, 7, 3);
  Proved p = prove(forward(m));
  std::vector<std::vector<M31>> oracle = p.w.values;
  const uint32_t ids = p.c.inputs[0];
  oracle[ids][2] = M31::from_signed((oracle[ids][2].to_signed() + 1) % 11);
  EXPECT_THROW(verify(p, oracle), Rejected);
}

TEST(Embedding, TamperedRowRefusedByTheProver) {
  const Embedding m = make_embedding(11, 6, 7, 4);
  model::Trace t = forward(m);
  t.values[m.g.nodes[0].outputs[0]][9] += M31(1);
  EXPECT_THROW(prove(t), BadInput);
}

TEST(Embedding, ForwardRefusesIdsOutsideTheTable) {
  const Embedding m = make_embedding(11, 6, 7, 5);
  std::vector<int32_t> ids = m.ids;
  ids[3] = 11;
  EXPECT_THROW(model::forward_int(m.g, {ids}), BadInput);
  model::InputTensor in{"ids", {1, 7}, {}};
  for (int32_t v : m.ids) in.data.push_back(float(v));
  EXPECT_NO_THROW(model::run_forward(m.g, {in}));
  in.data[2] = 2.5f;
  EXPECT_THROW(model::run_forward(m.g, {in}), BadInput);
  in.data[2] = 11;
  EXPECT_THROW(model::run_forward(m.g, {in}), BadInput);
}
