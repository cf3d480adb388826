// Add/Sub/Mul/Div/Neg/Pow that are not part of a table-function region or a norm pattern.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

// Entry points: a node that starts a norm pattern or a table-function region is lowered as that.
void Lowerer::lower_add_sub(size_t i) {
  if (region(i)) return;
  add_sub(m_.nodes[i]);
}

void Lowerer::lower_mul(size_t i) {
  if (rms_norm(m_.nodes[i]) || region(i)) return;
  mul(m_.nodes[i]);
}

void Lowerer::lower_div(size_t i) {
  if (region(i)) return;
  const LiveNode& n = m_.nodes[i];
  const Const* c = cst(n.inputs[1]);
  if (!c || numel(c->shape) != 1) throw NotSupported("node '" + n.name + "': Div by a non-scalar or non-constant");
  bind(n.outputs[0], rescale(tid(n.inputs[0]), 1.0 / c->data[0], n.outputs[0], n.name));
}

void Lowerer::lower_neg(size_t i) {
  if (region(i)) return;
  const LiveNode& n = m_.nodes[i];
  bind(n.outputs[0], rescale(tid(n.inputs[0]), -1.0, n.outputs[0], n.name));
}

void Lowerer::lower_pow(size_t i) {
  const LiveNode& n = m_.nodes[i];
  if (rms_norm(n) || region(i)) return;
  const Const* c = cst(n.inputs[1]);
  if (!c || numel(c->shape) != 1 || c->data[0] != 2.0) throw NotSupported("node '" + n.name + "': Pow other than x^2");
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  bind(n.outputs[0], emit(node(Op::Mul, n.name, {x, x}), n.outputs[0], T(x).scale * T(x).scale));
}

// a·Ma (+|−) b·Mb at a common scale, then a rounding shift to the calibrated output scale.
void Lowerer::add_sub(const LiveNode& n) {
  const std::string& out = n.outputs[0];
  const Const* ca = cst(n.inputs[0]);
  const Const* cb = cst(n.inputs[1]);
  if (ca && cb) throw BadInput("internal: constant Add not folded");
  if (n.op == "Add" && (ca || cb) && mask_like(ca ? *ca : *cb) && sole_consumer(out, "Softmax")) {
    pending_[out] = {n.inputs[ca ? 1 : 0], *(ca ? ca : cb), n.name, false, std::nullopt};
    return;
  }
  bind(out, add_sub(ca ? UINT32_MAX : tid(n.inputs[0]), ca, cb ? UINT32_MAX : tid(n.inputs[1]), cb, n.op == "Add", out, n.name));
}

uint32_t Lowerer::add_sub(uint32_t a, const Const* ca, uint32_t b, const Const* cb, bool add, const std::string& out,
                          const std::string& node_name) {
  double sy = scale_for(out + ":sum", false) * double(qmax_) / double(qres_);
  int64_t budget = kProductBudget / 4;
  // A residual-stream input is taken at its own width; anything else at the activation width.
  auto operand = [&](uint32_t t) { return t == UINT32_MAX || wide_ids_.count(t) ? t : narrow(t, node_name); };
  a = operand(a), b = operand(b);
  // Common scale sy/2^sh with both multipliers ≥ 1 and the sum inside the budget.
  auto range = [&](uint32_t t) { return t == UINT32_MAX ? 0.0 : double(std::max(-T(t).lo, T(t).hi)) * T(t).scale; };
  double amax = range(a), bmax = range(b);
  if (ca) amax = std::max(amax, absmax(*ca));
  if (cb) bmax = std::max(bmax, absmax(*cb));
  int sh = structural() ? 0 : int(std::floor(std::log2(double(budget) * sy / std::max(amax + bmax, 1e-30))));
  sh = std::clamp(sh, 0, 30);
  double sc = sy / std::ldexp(1.0, sh);
  auto scaled = [&](uint32_t t, const Const* c, size_t i) -> uint32_t {
    std::string nm = out + (i == 0 ? ":a" : ":b");
    if (c) {  // a weight, not a constant: the proof opens it from the model commitment (e.g. learned positions)
      std::vector<int32_t> q;
      std::vector<float> f;
      for (double v : c->data) q.push_back(int32_t(std::llround(v / sc))), f.push_back(float(v));
      return weight(nm, c->shape, std::move(q), std::move(f), {sc});
    }
    int64_t M = structural() ? 1 : std::max<int64_t>(1, std::llround(T(t).scale / sc));
    uint32_t mc = constant(nm + ":M", {1}, {M}, {}, 1.0);
    Node k = node(Op::MulConst, node_name + (i == 0 ? ":scale_a" : ":scale_b"), {t, mc});
    k.real_mult = {1.0};
    return emit(k, nm, sc);
  };
  uint32_t sa = scaled(a, ca, 0), sb = scaled(b, cb, 1);
  uint32_t sum = emit(node(add ? Op::Add : Op::Sub, node_name, {sa, sb}), out + ":sum", sc);
  uint32_t y = requant(sum, {sc}, {1.0}, {}, sy, -qres_, qres_, out, node_name + ":requant");
  (qres_ == qmax_ ? narrow_ids_ : wide_ids_).insert(y);
  return y;
}

double Lowerer::absmax(const Const& c) {
  double m = 0;
  for (double v : c.data) m = std::max(m, std::abs(v));
  return m;
}

void Lowerer::mul(const LiveNode& n) {
  const Const* ca = cst(n.inputs[0]);
  const Const* cb = cst(n.inputs[1]);
  const std::string& out = n.outputs[0];
  if (ca || cb) {
    const Const& c = ca ? *ca : *cb;
    uint32_t x = tid(n.inputs[ca ? 1 : 0]);
    if (numel(c.shape) == 1) return bind(out, rescale(x, c.data[0], out, n.name));
    const model::Shape xs = T(x).shape;  // a copy: narrow() adds tensors, which may move T(x)
    // A last-axis vector, or any constant that broadcasts to x without growing it (RoPE's cos/sin).
    const bool vector = !c.shape.empty() && c.shape.back() == xs.back() && numel(c.shape) == xs.back();
    if (!vector && model::broadcast_shapes(xs, c.shape) != xs)
      throw NotSupported("node '" + n.name + "': Mul by a constant " + model::shape_str(c.shape) + " that grows " +
                         model::shape_str(xs));
    x = narrow(x, n.name);
    double sc = std::max(absmax(c), 1e-12) / 32767.0;
    std::vector<int64_t> q;
    for (double v : c.data) q.push_back(structural() ? 0 : std::llround(v / sc));
    uint32_t k = constant(out + ":c", vector ? model::Shape{xs.back()} : c.shape, std::move(q), {}, sc);
    Node mc = node(Op::MulConst, n.name, {x, k});
    mc.real_mult = c.data;
    return bind(out, emit(mc, out, T(x).scale * sc));
  }
  uint32_t a = narrow(tid(n.inputs[0]), n.name), b = narrow(tid(n.inputs[1]), n.name);
  bind(out, emit(node(Op::Mul, n.name, {a, b}), out, T(a).scale * T(b).scale));
}

// Σ c_k·x_k at out_scale: each term is multiplied by an integer (mul_const) onto a common scale
// 2^sh times finer than the output, chosen as fine as the product budget allows; the terms are
// added exactly, then requantized once.
uint32_t Lowerer::weighted_sum(const std::vector<std::pair<uint32_t, double>>& terms, double out_scale,
                               const std::string& out, const std::string& node_name) {
  double total = 0;
  for (const auto& [t, c] : terms) total += double(std::max(-T(t).lo, T(t).hi)) * T(t).scale * std::abs(c);
  int sh = structural() ? 0 : int(std::floor(std::log2(double(kProductBudget / 4) * out_scale / std::max(total, 1e-30))));
  const double sc = out_scale / std::ldexp(1.0, std::clamp(sh, 0, 30));
  uint32_t acc = UINT32_MAX;
  for (size_t k = 0; k < terms.size(); ++k) {
    const auto& [t, c] = terms[k];
    const std::string nm = out + ":term" + std::to_string(k);
    int64_t M = structural() ? 1 : std::llround(c * T(t).scale / sc);
    Node mc = node(Op::MulConst, node_name + ":scale" + std::to_string(k), {t, constant(nm + ":M", {1}, {M}, {}, 1.0)});
    mc.real_mult = {c};
    uint32_t term = emit(mc, nm, sc);
    acc = acc == UINT32_MAX ? term : emit(node(Op::Add, node_name + ":add" + std::to_string(k), {acc, term}), out + ":sum", sc);
  }
  uint32_t y = requant(acc, {sc}, {1.0}, {}, out_scale, -qmax_, qmax_, out, node_name + ":requant");
  narrow_ids_.insert(y);
  return y;
}

}  // namespace zkm31::onnx_import
