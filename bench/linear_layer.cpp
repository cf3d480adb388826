#include "linear_layer.hpp"

#include <algorithm>
#include <random>

namespace zkm31::bench {

LinearLayer linear_layer(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> i8(-127, 127);
  LinearLayer l;
  model::Graph& g = l.graph;
  g.name = "linear_16x4096x4096";
  g.tensors.push_back({"x", model::TensorKind::Input, {kRows, kInner}, 8, -127, 127, 1.0});
  g.tensors.push_back({"W", model::TensorKind::Weight, {kInner, kCols}, 8, -127, 127, 1.0});
  g.tensors.push_back({"y", model::TensorKind::Activation, {kRows, kCols}, 0, 0, 0, 1.0});
  model::WeightData w{1, std::vector<int32_t>(size_t(kInner * kCols)), {}, {1.0}};
  for (auto& v : w.values) v = i8(rng);
  g.weights.push_back(std::move(w));
  model::Node n;
  n.op = model::Op::MatMul, n.name = "fc", n.inputs = {0, 1}, n.outputs = {2};
  auto r = model::infer(g, n);
  g.tensors[2].lo = r.lo, g.tensors[2].hi = r.hi, g.tensors[2].bits = model::signed_bits(r.lo, r.hi);
  n.acc_bound = std::max(-r.lo, r.hi);
  g.nodes.push_back(n);
  g.inputs = {0}, g.outputs = {2};
  model::validate(g);
  l.x.resize(size_t(kRows * kInner));
  for (auto& v : l.x) v = i8(rng);
  return l;
}

}  // namespace zkm31::bench
