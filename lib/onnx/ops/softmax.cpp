// Softmax over the last axis (integer exp and reciprocal tables), with constant Where/Add masks (and
// masks from an input: ops/input_mask.cpp).
#include <algorithm>

#include "error/error.hpp"
#include "model/tables.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

namespace {

constexpr int kExpLog2 = 10;      // exp table entries
constexpr int kExpOutBits = 15;   // exp values in [0, 2^15]
constexpr int kRecipShift = 14;   // reciprocal values ≤ 2^14
constexpr int kScoreBits = 16;    // scores are requantized to this width first
constexpr int kLogBits = 12;      // ln Z values (LogSoftmax) at scale 2^−12

int64_t bits_of(double v) { return v < 1 ? 0 : int64_t(std::floor(std::log2(v))) + 1; }

}  // namespace

bool Lowerer::mask_like(const Const& c) {
  bool any = false;
  for (double v : c.data) {
    if (v <= -1e4) any = true;
    else if (v != 0) return false;
  }
  return any;
}

void Lowerer::lower_where(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* cond = cst(n.inputs[0]);
  const Const* a = cst(n.inputs[1]);
  const Const* b = cst(n.inputs[2]);
  auto all_neg = [](const Const* c) {
    return c && std::all_of(c->data.begin(), c->data.end(), [](double v) { return v <= -1e4; });
  };
  if (!cond || !sole_consumer(n.outputs[0], "Softmax") || !(all_neg(a) ^ all_neg(b)))
    throw NotSupported("node '" + n.name + "': Where other than a constant mask feeding a Softmax");
  Const m = *cond;
  if (all_neg(b))
    for (double& v : m.data) v = v == 0;  // mask where cond is false
  pending_[n.outputs[0]] = {n.inputs[all_neg(a) ? 2 : 1], m, n.name, true, std::nullopt};
}

// Softmax / LogSoftmax over any axis: the axis is moved last (opset < 13: the axes from `axis` on are
// flattened into one, as those opsets define it), then moved back.
void Lowerer::lower_softmax(size_t i) { softmax_node(m_.nodes[i], false); }

void Lowerer::lower_log_softmax(size_t i) { softmax_node(m_.nodes[i], true); }

void Lowerer::softmax_node(const LiveNode& n, bool log) {
  std::string in = n.inputs[0];
  const auto& shape = m_.shape(in);
  const int64_t rank = int64_t(shape.size());
  const bool coerced = m_.opset < 13;
  int64_t axis = axis_in(n, attr_int(n, "axis", coerced ? 1 : -1), shape.size());
  std::optional<Pending> mask;
  if (auto it = pending_.find(in); it != pending_.end()) {
    mask = it->second;
    in = it->second.scores;
    pending_.erase(it);
  }
  const std::string& out = n.outputs[0];
  if (axis == rank - 1) return bind(out, softmax_last(tid(in), mask, out, n.name, log));
  if (mask) throw NotSupported("node '" + n.name + "': a masked Softmax over an axis other than the last");
  uint32_t x = tid(in);
  if (coerced) {  // softmax over the flattened trailing axes
    Node r = node(Op::Reshape, n.name + ":flatten", {x});
    r.ints = model::Shape(shape.begin(), shape.begin() + axis);
    r.ints.push_back(model::numel(model::Shape(shape.begin() + axis, shape.end())));
    uint32_t p = softmax_last(index_node(r, out + ":flat", x), mask, out + ":flat_p", n.name, log);
    Node back = node(Op::Reshape, n.name + ":unflatten", {p});
    back.ints = shape;
    return bind(out, index_node(back, out, p));
  }
  std::vector<int64_t> perm;
  for (int64_t a = 0; a < rank; ++a)
    if (a != axis) perm.push_back(a);
  perm.push_back(axis);
  Node t = node(Op::Transpose, n.name + ":to_last", {x});
  t.ints = perm;
  uint32_t p = softmax_last(index_node(t, out + ":last", x), mask, out + ":last_p", n.name, log);
  std::vector<int64_t> inv(perm.size());
  for (size_t a = 0; a < perm.size(); ++a) inv[size_t(perm[a])] = int64_t(a);
  Node back = node(Op::Transpose, n.name + ":from_last", {p});
  back.ints = inv;
  bind(out, index_node(back, out, p));
}

uint32_t Lowerer::softmax_last(uint32_t s, const std::optional<Pending>& mask, const std::string& out,
                               const std::string& nm, bool log) {
  int64_t T_len = T(s).shape.back();
  // 1. scores at 16 bits, 2× over the calibrated range (a score beyond it would be clamped; the
  //    exp index needs far fewer bits than the score keeps)
  int64_t smax = (int64_t(1) << (kScoreBits - 1)) - 1;
  double ss = structural() ? 1.0 : 2.0 * std::max(stat(T(s).name).absmax(), 1e-8) / double(smax);
  s = requant(s, {T(s).scale}, {1.0}, {}, ss, -smax, smax, out + ":scores", nm + ":scores");
  const int64_t N = int64_t(1) << kExpLog2;
  const double range = (kExpOutBits + 1) * std::log(2.0);  // exp(−d)·2^15 rounds to 0 beyond
  // 2. mask: masked scores become so negative that their distance to any row max exceeds the
  //    exp range, so the exp index saturates at its last entry, which is 0
  const int64_t fill = structural() ? -1 : -(smax + int64_t(std::ceil(range / ss)) + 1);
  if (mask && mask->input) {
    s = apply_input_mask(s, *mask->input, ss, fill, out, mask->node);
  } else if (mask) {
    std::vector<int64_t> mv;
    for (double v : mask->mask.data) mv.push_back(mask->where ? (v != 0) : (v <= -1e4));
    uint32_t mk = constant(out + ":mask", mask->mask.shape, std::move(mv), {}, 1.0);
    Node mf = node(Op::MaskedFill, mask->node, {s, mk});
    mf.fill = fill;
    s = emit(mf, out + ":masked", ss);
  }
  // 3. d = max − s ≥ 0
  uint32_t mx = emit(node(Op::ReduceMax, nm + ":max", {s}), out + ":max", ss);
  uint32_t d = emit(node(Op::Sub, nm + ":sub", {mx, s}), out + ":d", ss);
  // 4. exp table index: d in steps of range/N
  double step = range / double(N);
  uint32_t idx = requant(d, {ss}, {1.0}, {}, step, 0, N - 1, out + ":idx", nm + ":exp_index");
  // 5. E = exp(−d), scale 2^−15
  Node e = node(Op::Lookup, nm + ":exp", {idx});
  e.table.fn = "exp_neg";
  if (structural()) {
    e.table.in_lo = -1, e.table.values = {0, 0, 0};
  } else {
    auto [im, is] = model::scale_to_fixed(step);
    e.table.params = {im, is, 1, kExpOutBits};
    e.table.in_lo = 0;
    e.table.values = model::make_table("exp_neg", e.table.params, 0, N, 0, int64_t(1) << kExpOutBits);
  }
  double se = std::ldexp(1.0, -kExpOutBits);
  uint32_t E = emit(e, out + ":exp", se);
  // 6. Z = ΣE ∈ [2^15, T·2^15]; range-reduced to a ≤ 2^14-entry reciprocal domain
  uint32_t Z = emit(node(Op::ReduceSum, nm + ":sum", {E}), out + ":sum", se);
  int64_t zmax = T_len << kExpOutBits;
  int sz = std::max<int64_t>(0, bits_of(double(zmax)) - 14);
  double szs = std::ldexp(se, sz);
  int64_t zlo = std::max<int64_t>(1, (int64_t(1) << kExpOutBits) >> sz), zhi = (zmax >> sz) + 1;
  uint32_t Zq = requant(Z, {se}, {1.0}, {}, szs, structural() ? -1 : zlo, structural() ? 1 : zhi, out + ":sumq", nm + ":sum_requant");
  if (log) {  // 7'. log-probabilities −d − ln Z, ln Z by a table at scale 2^−kLogBits
    Node lg = node(Op::Lookup, nm + ":log", {Zq});
    lg.table.fn = "log";
    if (structural()) {
      lg.table.in_lo = -1, lg.table.values = {0, 0, 0};
    } else {
      auto [im, is] = model::scale_to_fixed(szs);
      lg.table.params = {im, is, 1, kLogBits};
      lg.table.in_lo = zlo;
      const int64_t top = int64_t(std::ceil((std::log(double(zhi) * szs) + 1) * std::ldexp(1.0, kLogBits)));
      lg.table.values = model::make_table("log", lg.table.params, zlo, zhi - zlo + 1, -(int64_t(1) << kLogBits), top);
    }
    uint32_t L = emit(lg, out + ":log", std::ldexp(1.0, -kLogBits));
    return weighted_sum({{d, -1.0}, {L, -1.0}}, scale_for(out, false), out, nm);
  }
  // 7. R = 1/Z at scale 2^−14
  Node rc = node(Op::Lookup, nm + ":recip", {Zq});
  rc.table.fn = "recip";
  if (structural()) {
    rc.table.in_lo = -1, rc.table.values = {0, 0, 0};
  } else {
    rc.table.params = {kRecipShift, 1, kExpOutBits - sz};
    rc.table.in_lo = zlo;
    rc.table.values = model::make_table("recip", rc.table.params, zlo, zhi - zlo + 1, 0, int64_t(1) << kRecipShift);
  }
  uint32_t R = emit(rc, out + ":recip", std::ldexp(1.0, -kRecipShift));
  // 8. P = E·R requantized to unsigned a-bit probabilities at scale 1/qmax
  uint32_t PE = emit(node(Op::Mul, nm + ":mul", {E, R}), out + ":pe", se * std::ldexp(1.0, -kRecipShift));
  uint32_t P = requant(PE, {T(PE).scale}, {1.0}, {}, 1.0 / double(qmax_), 0, qmax_q(), out, nm + ":prob");
  narrow_ids_.insert(P);
  return P;
}

}  // namespace zkm31::onnx_import
