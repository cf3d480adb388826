// ReduceSum / ReduceMean / ReduceMax over any axes, keepdims or not: the reduced axes are moved
// last and merged, reduced by the IR's last-axis reduce_sum / reduce_max (a mean then requantizes
// by 1/count), and the result is reshaped to the ONNX output shape.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

// The reduced axes of node n over an input of rank `rank` (attribute, or input 1 from opset 13 on
// for ReduceSum and opset 18 for the others); all axes when none are given.
std::vector<int64_t> Lowerer::reduce_axes(const LiveNode& n, size_t rank) const {
  std::vector<int64_t> axes = attr_ints(n, "axes");
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    const Const* c = cst(n.inputs[1]);
    if (!c) throw NotSupported("node '" + n.name + "': " + n.op + " with non-constant axes");
    axes.clear();
    for (double v : c->data) axes.push_back(int64_t(v));
  }
  if (axes.empty() && !attr_int(n, "noop_with_empty_axes", 0))
    for (size_t a = 0; a < rank; ++a) axes.push_back(int64_t(a));
  for (int64_t& a : axes) a = axis_in(n, a, rank);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) throw BadInput("node '" + n.name + "': an axis is reduced twice");
  return axes;
}

uint32_t Lowerer::reduce(uint32_t x, const std::vector<int64_t>& axes, model::Op op, bool mean, const std::string& out,
                         const std::string& node_name) {
  x = narrow(x, node_name);
  const model::Shape xs = T(x).shape;
  std::vector<int64_t> perm;
  for (int64_t a = 0; a < int64_t(xs.size()); ++a)
    if (!std::binary_search(axes.begin(), axes.end(), a)) perm.push_back(a);
  const size_t kept = perm.size();
  perm.insert(perm.end(), axes.begin(), axes.end());
  int64_t count = 1;
  for (int64_t a : axes) count *= xs[size_t(a)];
  uint32_t t = x;
  bool moved = false;
  for (size_t a = 0; a < perm.size(); ++a) moved = moved || perm[a] != int64_t(a);
  if (moved) {
    Node tr = node(Op::Transpose, node_name + ":reduced_last", {t});
    tr.ints = perm;
    t = index_node(tr, out + ":t", t);
  }
  if (axes.size() != 1) {
    Node r = node(Op::Reshape, node_name + ":merge", {t});
    for (size_t a = 0; a < kept; ++a) r.ints.push_back(T(t).shape[a]);
    r.ints.push_back(count);
    t = index_node(r, out + ":merged", t);
  }
  uint32_t y;
  if (op == Op::ReduceMax) {
    y = emit(node(Op::ReduceMax, node_name, {t}), out, T(t).scale);
  } else {
    uint32_t sum = emit(node(Op::ReduceSum, node_name + ":sum", {t}), out + ":sum", T(t).scale);
    y = requant(sum, {T(t).scale}, {mean ? 1.0 / double(count) : 1.0}, {}, scale_for(out, false), -qmax_, qmax_, out,
                node_name);
  }
  narrow_ids_.insert(y);
  return y;
}

// ReduceMean/ReduceSum/ReduceMax of node n: the reduction (named after the output when it already
// has the output's shape), then the ONNX output shape.
void Lowerer::reduce_node(const LiveNode& n, model::Op op, bool mean) {
  const std::string& out = n.outputs[0];
  uint32_t x = tid(n.inputs[0]);
  const auto axes = reduce_axes(n, T(x).shape.size());
  model::Shape reduced;
  for (int64_t a = 0; a < int64_t(T(x).shape.size()); ++a)
    if (!std::binary_search(axes.begin(), axes.end(), a)) reduced.push_back(T(x).shape[size_t(a)]);
  reduced.push_back(1);
  const auto& os = m_.shape(out);
  if (reduced == os) return bind(out, reduce(x, axes, op, mean, out, n.name));
  uint32_t y = reduce(x, axes, op, mean, out + ":reduced", n.name);
  Node r = node(Op::Reshape, n.name + ":keepdims", {y});
  r.ints = os;
  bind(out, index_node(r, out, y));
}

void Lowerer::lower_reduce_sum(size_t i) { reduce_node(m_.nodes[i], Op::ReduceSum, false); }

void Lowerer::lower_reduce_max(size_t i) { reduce_node(m_.nodes[i], Op::ReduceMax, false); }

}  // namespace zkm31::onnx_import
