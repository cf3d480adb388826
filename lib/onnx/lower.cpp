// The Lowerer's core: tensors and nodes of the integer graph, access to the folded ONNX values,
// and the dispatch of each live node to its op family (ops/registry.cpp).
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::Graph;

Graph Lowerer::run() {
  g_.name = m_.name.empty() ? "model" : m_.name;
  for (const auto& [name, shape] : m_.inputs) {
    auto ids = m_.token_ids.find(name);
    const bool mask = m_.mask_inputs.count(name) > 0;
    uint32_t id = ids != m_.token_ids.end() ? add_tensor(name, TensorKind::Input, shape, 0, ids->second - 1, 1.0)
                  : mask                    ? add_tensor(name, TensorKind::Input, shape, 0, 1, 1.0)
                                            : add_tensor(name, TensorKind::Input, shape, lo_q(), qmax_q(), scale_for(name, false));
    g_.inputs.push_back(id);
    if (mask) masks_[name] = {id, name, shape};
    else val_[name] = id;
  }
  for (size_t i = 0; i < m_.nodes.size(); ++i)
    if (!done_.count(i)) lower(i);
  for (const auto& name : m_.outputs) {
    if (m_.constant(name)) throw NotSupported("output '" + name + "' is a constant");
    uint32_t id = tid(name);
    if (!structural()) {
      bool clash = std::any_of(g_.tensors.begin(), g_.tensors.end(), [&](const Tensor& t) { return t.name == name; });
      if (!clash) g_.tensors[id].name = name;
    }
    g_.outputs.push_back(id);
  }
  for (const auto& [name, p] : pending_)
    throw NotSupported("node '" + p.node + "': a Where/Add mask that does not feed a Softmax");
  return std::move(g_);
}

std::string Lowerer::unique(const std::string& base) {
  int k = name_count_[base]++;
  return k ? base + "#" + std::to_string(k) : base;
}

uint32_t Lowerer::add_tensor(const std::string& name, TensorKind kind, const model::Shape& shape, int64_t lo, int64_t hi,
                             double scale) {
  g_.tensors.push_back({unique(name), kind, shape, model::signed_bits(lo, hi), lo, hi, scale});
  return uint32_t(g_.tensors.size() - 1);
}

uint32_t Lowerer::emit(Node n, const std::string& out_name, double scale) {
  if (n.op == Op::Requant) n.unclamped_bound = unclamped(n);
  uint32_t out = add_tensor(out_name, TensorKind::Activation, {}, 0, 0, scale);
  n.outputs = {out};
  auto r = model::infer(g_, n);
  if (model::is_index_map(n.op) && model::numel(r.shape) > (int64_t(1) << model::kMaxIndexMapLog))
    throw NotSupported("node '" + n.name + "': " + model::op_name(n.op) + " output " + model::shape_str(r.shape) +
                       " has more than 2^" + std::to_string(model::kMaxIndexMapLog) + " entries");
  Tensor& t = g_.tensors[out];
  t.shape = r.shape, t.lo = r.lo, t.hi = r.hi, t.bits = model::signed_bits(r.lo, r.hi);
  if (n.op == Op::MatMul) n.acc_bound = std::max(-r.lo, r.hi);
  g_.nodes.push_back(std::move(n));
  return out;
}

int64_t Lowerer::unclamped(const Node& n) const {
  const Tensor& x = T(n.inputs[0]);
  // Magnitudes in 128 bits: −INT64_MIN does not fit in 64 (a fuzzed bias reached it).
  const auto mag = [](int64_t v) { return v < 0 ? -__int128(v) : __int128(v); };
  __int128 xmax = std::max(mag(x.lo), mag(x.hi)), mmax = 0, bmax = 0;
  for (int64_t v : n.mult) mmax = std::max(mmax, mag(v));
  for (int64_t v : n.offset) bmax = std::max(bmax, mag(v));
  __int128 top = xmax * mmax + bmax + (n.shift ? __int128(1) << (n.shift - 1) : 0);
  return int64_t(std::min<__int128>((top >> n.shift) + 1, INT64_MAX));
}

model::Node Lowerer::node(Op op, const std::string& name, std::vector<uint32_t> inputs) {
  Node n;
  n.op = op, n.name = name, n.inputs = std::move(inputs);
  return n;
}

uint32_t Lowerer::constant(const std::string& name, const model::Shape& shape, std::vector<int64_t> values,
                           std::vector<float> original, double scale) {
  int64_t lo = 0, hi = 0;
  if (!values.empty()) {
    auto [a, b] = std::minmax_element(values.begin(), values.end());
    lo = *a, hi = *b;
  }
  uint32_t id = add_tensor(name, TensorKind::Constant, shape, lo, hi, scale);
  g_.constants.push_back({id, std::move(values), std::move(original)});
  return id;
}

uint32_t Lowerer::weight(const std::string& name, const model::Shape& shape, std::vector<int32_t> values,
                         std::vector<float> original, std::vector<double> scales) {
  int64_t lo = 0, hi = 0;
  if (structural()) {
    values = {};  // the calibration pass reads the float originals only
    lo = -1, hi = 1;
  } else if (!values.empty()) {
    // The declared interval is the whole signed range of the width, which is what a range
    // proof of the committed weights establishes (int8 matrices: [−128, 127]).
    auto [a, b] = std::minmax_element(values.begin(), values.end());
    int bits = model::signed_bits(std::min<int64_t>(*a, 0), std::max<int64_t>(*b, 0));
    lo = -(int64_t(1) << (bits - 1)), hi = (int64_t(1) << (bits - 1)) - 1;
  }
  uint32_t id = add_tensor(name, TensorKind::Weight, shape, lo, hi, scales.size() == 1 ? scales[0] : 0.0);
  g_.weights.push_back({id, std::move(values), std::move(original), std::move(scales)});
  return id;
}

void Lowerer::release_constant(const std::string& name, size_t i) {
  if (!consumed_ || consumers(name) != std::vector<size_t>{i}) return;
  std::vector<double>().swap(consumed_->consts.at(name).data);
}

uint32_t Lowerer::tid(const std::string& name) const {
  auto it = val_.find(name);
  if (it == val_.end()) throw NotSupported("value '" + name + "' is not available as an activation");
  return it->second;
}

std::vector<size_t> Lowerer::consumers(const std::string& name) const {
  auto it = m_.consumers.find(name);
  return it == m_.consumers.end() ? std::vector<size_t>{} : it->second;
}

// The single live consumer of `name` with op `op`, if that is its only use.
const LiveNode* Lowerer::sole_consumer(const std::string& name, const std::string& op) const {
  auto c = consumers(name);
  if (c.size() != 1 || m_.graph_outputs.count(name) || m_.nodes[c[0]].op != op) return nullptr;
  return &m_.nodes[c[0]];
}

// An axis in [-rank, rank) normalized to [0, rank); BadInput naming the node otherwise.
int64_t Lowerer::axis_in(const LiveNode& n, int64_t axis, size_t rank) {
  if (axis < -int64_t(rank) || axis >= int64_t(rank)) throw BadInput("node '" + n.name + "': axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + int64_t(rank) : axis;
}

void Lowerer::lower(size_t i) {
  done_.insert(i);
  if (mask_step(i)) return;
  const auto& table = registry();
  auto it = table.find(m_.nodes[i].op);
  if (it == table.end()) unsupported(m_.nodes[i]);
  (this->*(it->second))(i);
}

void Lowerer::unsupported(const LiveNode& n) const {
  throw NotSupported("ONNX op '" + n.op + "' (node '" + n.name + "') with these inputs");
}

}  // namespace zkm31::onnx_import
