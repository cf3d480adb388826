#pragma once
// A small quantized MLP graph built in code (input [1, d] → matmul+bias → requant → relu → matmul+bias
// → requant), with a forward pass, for the walk and proof tests. Dimensions need not be powers of
// two, so padding is exercised.
#include <algorithm>
#include <cmath>
#include <random>

#include "model/graph.hpp"
#include "model/trace.hpp"

namespace zkm31::fixture {

inline uint32_t add_tensor(model::Graph& g, std::string name, model::TensorKind kind, model::Shape shape,
                           int64_t lo, int64_t hi) {
  g.tensors.push_back({std::move(name), kind, std::move(shape), model::signed_bits(lo, hi), lo, hi, 1.0});
  return uint32_t(g.tensors.size() - 1);
}

inline model::Node requant_node(const model::Graph& g, std::string name, uint32_t in, uint32_t out,
                                std::vector<int64_t> mult, std::vector<int64_t> offset, int shift, int64_t lo,
                                int64_t hi) {
  model::Node n;
  n.op = model::Op::Requant;
  n.name = std::move(name);
  n.inputs = {in};
  n.outputs = {out};
  n.mult = std::move(mult);
  n.offset = std::move(offset);
  n.shift = shift;
  n.lo = lo, n.hi = hi;
  for (int64_t m : n.mult) n.real_mult.push_back(std::ldexp(double(m), -shift));  // float track
  const model::Tensor& x = g.tensors[in];
  int64_t xmax = std::max(-x.lo, x.hi), mmax = 0, bmax = 0;
  for (int64_t m : n.mult) mmax = std::max(mmax, std::abs(m));
  for (int64_t b : n.offset) bmax = std::max(bmax, std::abs(b));
  n.unclamped_bound = ((xmax * mmax + bmax + (shift ? int64_t(1) << (shift - 1) : 0)) >> shift) + 1;
  return n;
}

inline model::Node matmul_node(model::Graph& g, std::string name, uint32_t a, uint32_t w, uint32_t b, uint32_t y) {
  model::Node n;
  n.op = model::Op::MatMul;
  n.name = std::move(name);
  n.inputs = {a, w, b};
  n.outputs = {y};
  model::Inferred r = model::infer(g, n);
  g.tensors[y].lo = r.lo, g.tensors[y].hi = r.hi, g.tensors[y].bits = model::signed_bits(r.lo, r.hi);
  n.acc_bound = std::max(-r.lo, r.hi);
  return n;
}

struct Mlp {
  int64_t d, h, o;
  model::Graph g;
  std::vector<int32_t> x;
};

// Row 0 of W1 saturates low and row 1 high against an all-127 input (both clamps are exercised).
// wide: the output clamp [−2500, 2500] and the first bias ±3000 exceed 2^12 entries, so they are
// proven without tables (requant e⁺/e⁻ products, weight bound limbs).
inline Mlp make_mlp(int64_t d, int64_t h, int64_t o, uint32_t seed, bool per_channel = true, bool wide = false) {
  const int64_t bmax = wide ? 3000 : 1000, zmax = wide ? 2500 : 127;
  Mlp m{d, h, o, {}, {}};
  model::Graph& g = m.g;
  g.name = "test-mlp";
  std::mt19937 rng(seed);
  auto rnd = [&](int lo, int hi) { return int32_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  uint32_t x = add_tensor(g, "x", model::TensorKind::Input, {1, d}, -128, 127);
  uint32_t w1 = add_tensor(g, "W1", model::TensorKind::Weight, {d, h}, -127, 127);
  uint32_t b1 = add_tensor(g, "b1", model::TensorKind::Weight, {h}, -bmax, bmax);
  uint32_t w2 = add_tensor(g, "W2", model::TensorKind::Weight, {h, o}, -127, 127);
  uint32_t b2 = add_tensor(g, "b2", model::TensorKind::Weight, {o}, -1000, 1000);
  uint32_t a1 = add_tensor(g, "a1", model::TensorKind::Activation, {1, h}, 0, 0);
  uint32_t q1 = add_tensor(g, "q1", model::TensorKind::Activation, {1, h}, -128, 127);
  uint32_t h1 = add_tensor(g, "h1", model::TensorKind::Activation, {1, h}, 0, 127);
  uint32_t a2 = add_tensor(g, "a2", model::TensorKind::Activation, {1, o}, 0, 0);
  uint32_t z = add_tensor(g, "z", model::TensorKind::Activation, {1, o}, -zmax - 1, zmax);
  g.inputs = {x};
  g.outputs = {z};
  model::WeightData W1{w1, {}, {}, {1.0}}, B1{b1, {}, {}, {1.0}}, W2{w2, {}, {}, {1.0}}, B2{b2, {}, {}, {1.0}};
  for (int64_t i = 0; i < d * h; ++i) W1.values.push_back(rnd(-127, 127));
  for (int64_t i = 0; i < h; ++i) B1.values.push_back(rnd(-int(bmax), int(bmax)));
  for (int64_t i = 0; i < h * o; ++i) W2.values.push_back(rnd(-127, 127));
  for (int64_t i = 0; i < o; ++i) B2.values.push_back(rnd(-1000, 1000));
  for (int64_t k = 0; k < d; ++k) W1.values[size_t(k * h)] = -127, W1.values[size_t(k * h + 1)] = 127;
  g.weights = {W1, B1, W2, B2};
  g.nodes.push_back(matmul_node(g, "fc1", x, w1, b1, a1));
  std::vector<int64_t> m1 = per_channel ? std::vector<int64_t>{} : std::vector<int64_t>{37};
  if (per_channel)
    for (int64_t i = 0; i < h; ++i) m1.push_back(20 + 3 * i);
  g.nodes.push_back(requant_node(g, "rq1", a1, q1, m1, per_channel ? std::vector<int64_t>{5} : std::vector<int64_t>{}, 12, -128, 127));
  model::Node r;
  r.op = model::Op::Relu, r.name = "relu1", r.inputs = {q1}, r.outputs = {h1};
  g.nodes.push_back(r);
  g.nodes.push_back(matmul_node(g, "fc2", h1, w2, b2, a2));
  g.nodes.push_back(requant_node(g, "rq2", a2, z, {91}, {}, wide ? 6 : 11, -zmax - 1, zmax));
  m.x.assign(size_t(d), 127);
  for (int64_t k = 2; k < d; ++k) m.x[size_t(k)] = rnd(-128, 127);
  model::validate(g);
  return m;
}

inline std::vector<int64_t> matmul(const std::vector<int64_t>& a, const std::vector<int32_t>& w,
                                   const std::vector<int32_t>& b, int64_t K, int64_t N) {
  std::vector<int64_t> y(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    int64_t acc = b[size_t(n)];
    for (int64_t k = 0; k < K; ++k) acc += a[size_t(k)] * w[size_t(k * N + n)];
    y[size_t(n)] = acc;
  }
  return y;
}

inline std::vector<int64_t> requant(const model::Node& n, const std::vector<int64_t>& x) {
  std::vector<int64_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t m = n.mult.size() == 1 ? n.mult[0] : n.mult[i];
    int64_t b = n.offset.empty() ? 0 : (n.offset.size() == 1 ? n.offset[0] : n.offset[i]);
    int64_t v = x[i] * m + b + (int64_t(1) << (n.shift - 1));
    y[i] = std::clamp<int64_t>(v >> n.shift, n.lo, n.hi);
  }
  return y;
}

inline model::Trace forward(const Mlp& m) {
  const model::Graph& g = m.g;
  model::Trace t;
  t.graph = g;
  t.digest = model::graph_digest(g);
  t.values.resize(g.tensors.size());
  std::vector<int64_t> x(m.x.begin(), m.x.end());
  auto a1 = matmul(x, g.weights[0].values, g.weights[1].values, m.d, m.h);
  auto q1 = requant(g.nodes[1], a1);
  std::vector<int64_t> h1(q1.size());
  for (size_t i = 0; i < q1.size(); ++i) h1[i] = std::max<int64_t>(q1[i], 0);
  auto a2 = matmul(h1, g.weights[2].values, g.weights[3].values, m.h, m.o);
  auto z = requant(g.nodes[4], a2);
  const std::vector<int64_t>* vals[] = {&x, nullptr, nullptr, nullptr, nullptr, &a1, &q1, &h1, &a2, &z};
  for (size_t i = 0; i < 10; ++i)
    if (vals[i])
      for (int64_t v : *vals[i]) t.values[i].push_back(M31::from_signed(v));
  return t;
}

}  // namespace zkm31::fixture
