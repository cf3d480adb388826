// Index maps: Reshape/Flatten/Squeeze/Unsqueeze, Transpose, Slice, Split, Concat, Gather with
// constant indices, Identity/Cast. The integers move; nothing is recomputed.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

// Identity and Cast pass the integers through (a Cast of an activation keeps its real meaning).
void Lowerer::lower_identity(size_t i) {
  const LiveNode& n = m_.nodes[i];
  bind(n.outputs[0], tid(n.inputs[0]));
}

uint32_t Lowerer::index_node(Node n, const std::string& out, uint32_t x) {
  bool nar = narrow_ids_.count(x) > 0;
  uint32_t y = emit(std::move(n), out, T(x).scale);
  if (nar) narrow_ids_.insert(y);
  return y;
}

void Lowerer::lower_reshape(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const auto& os = m_.shape(n.outputs[0]);
  if (os == T(x).shape) return bind(n.outputs[0], x);
  Node r = node(Op::Reshape, n.name, {x});
  r.ints = os;
  bind(n.outputs[0], index_node(r, n.outputs[0], x));
}

void Lowerer::lower_transpose(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  auto perm = attr_ints(n, "perm");
  if (perm.empty())
    for (size_t i = T(x).shape.size(); i-- > 0;) perm.push_back(int64_t(i));
  Node t = node(Op::Transpose, n.name, {x});
  t.ints = perm;
  bind(n.outputs[0], index_node(t, n.outputs[0], x));
}

void Lowerer::slice_axis(uint32_t x, int64_t axis, int64_t start, int64_t end, int64_t step, const std::string& out,
                         const std::string& name) {
  Node s = node(Op::Slice, name, {x});
  s.axes = {axis}, s.starts = {start}, s.ends = {end}, s.steps = {step};
  bind(out, index_node(s, out, x));
}

void Lowerer::lower_slice(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const auto& xs = T(x).shape;
  auto ints = [&](size_t k) -> std::vector<double> {
    if (k >= n.inputs.size() || n.inputs[k].empty()) return {};
    const Const* c = cst(n.inputs[k]);
    if (!c) throw NotSupported("node '" + n.name + "': Slice with non-constant bounds");
    return c->data;
  };
  auto starts = ints(1), ends = ints(2), axes = ints(3), steps = ints(4);
  if (ends.size() != starts.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()))
    throw BadInput("node '" + n.name + "': Slice starts/ends/axes/steps differ in length");
  Node s = node(Op::Slice, n.name, {x});
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t ax = axis_in(n, axes.empty() ? int64_t(k) : int64_t(axes[k]), xs.size());
    int64_t len = xs.at(size_t(ax)), step = steps.empty() ? 1 : int64_t(steps[k]);
    if (step < 1) throw NotSupported("node '" + n.name + "': Slice with a negative step");
    auto norm = [&](double v) {
      if (v >= 9e18) return len;
      int64_t i = int64_t(v);
      if (i < 0) i += len;
      return std::clamp<int64_t>(i, 0, len);
    };
    int64_t b = norm(starts[k]), e = std::max(norm(ends[k]), norm(starts[k]));
    s.axes.push_back(ax), s.starts.push_back(b), s.ends.push_back(e), s.steps.push_back(step);
  }
  bind(n.outputs[0], index_node(s, n.outputs[0], x));
}

void Lowerer::lower_split(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const auto& xs = T(x).shape;
  int64_t axis = axis_in(n, attr_int(n, "axis", 0), xs.size());
  int64_t start = 0;
  for (const auto& o : n.outputs) {
    const auto& os = m_.shape(o);
    if (os.size() != xs.size()) throw BadInput("node '" + n.name + "': Split output rank differs from the input");
    int64_t len = os[size_t(axis)];
    slice_axis(x, axis, start, start + len, 1, o, n.name);
    start += len;
  }
}

void Lowerer::lower_concat(size_t i) {
  const LiveNode& n = m_.nodes[i];
  std::vector<uint32_t> ins;
  double s = 0;
  for (const auto& in : n.inputs) {
    uint32_t t = narrow(tid(in), n.name);
    ins.push_back(t);
    s = std::max(s, T(t).scale);
  }
  for (uint32_t& t : ins)
    if (!structural() && T(t).scale != s) t = requant(t, {T(t).scale}, {1.0}, {}, s, -qmax_, qmax_, T(t).name + ":common", n.name);
  Node c = node(Op::Concat, n.name, ins);
  int64_t axis = axis_in(n, attr_int(n, "axis", 0), T(ins[0]).shape.size());
  c.axis = int(axis);
  uint32_t y = emit(c, n.outputs[0], s);
  narrow_ids_.insert(y);
  bind(n.outputs[0], y);
}

void Lowerer::lower_gather(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* idx = cst(n.inputs[1]);
  if (!idx || cst(n.inputs[0])) throw NotSupported("node '" + n.name + "': Gather needs activation data and constant indices");
  uint32_t x = tid(n.inputs[0]);
  int64_t axis = axis_in(n, attr_int(n, "axis", 0), T(x).shape.size());
  Node gn = node(Op::Gather, n.name, {x});
  gn.axis = int(axis);
  gn.idx_shape = idx->shape;
  int64_t dim = T(x).shape.at(size_t(axis));
  for (double v : idx->data) gn.ints.push_back(int64_t(v) < 0 ? int64_t(v) + dim : int64_t(v));
  bind(n.outputs[0], index_node(gn, n.outputs[0], x));
}

}  // namespace zkm31::onnx_import
