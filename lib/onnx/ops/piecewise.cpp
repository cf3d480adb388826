// Piecewise-linear activations from the ReLU and affine requants they are made of, so the float
// track stays exact and no new table is needed:
//   clamp(a·x + b, lo, hi) = lo + relu(a·x + b − lo) − relu(a·x + b − hi)
//   Clip(min, max) (ReLU6 = Clip(0, 6)), HardSigmoid = clamp(αx + β, 0, 1), HardSwish = x·HardSigmoid(x)
//   with α = 1/6, β = 1/2, LeakyRelu = α·x + (1 − α)·relu(x), PRelu the same with a per-channel α,
//   Abs = relu(x) + relu(−x).
#include <algorithm>
#include <limits>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMaxOffsetCode = int64_t(1) << 20;  // |offset|/scale a branch may add to the code range

}  // namespace

// relu(a·x + b − c) at scale |a|·s_x: a requant whose lower clamp at −1 is harmless (the ReLU zeroes it).
uint32_t Lowerer::relu_of_affine(uint32_t x, double a, double b_minus_c, const std::string& out, const std::string& node_name) {
  const double su = std::abs(a) * T(x).scale;
  const double off = std::ceil(std::abs(b_minus_c) / su);
  if (!structural() && !(off <= double(kMaxOffsetCode)))  // (NaN too)
    throw NotSupported("node '" + node_name + "': a clamp bound far outside the calibrated range of its input");
  // (The structural pass has no scales yet: any offset in range serves it.)
  const int64_t off_code = off < double(kMaxOffsetCode) ? int64_t(off) : kMaxOffsetCode;
  uint32_t u = requant(x, {T(x).scale}, {a}, {b_minus_c}, su, -1, qmax_ + off_code + 1, out + ":shifted", node_name + ":shift");
  return emit(node(Op::Relu, node_name + ":relu", {u}), out + ":relu", su);
}

uint32_t Lowerer::clamp_affine(uint32_t x, double a, double b, double lo, double hi, double out_scale, int64_t qlo,
                               int64_t qhi, const std::string& out, const std::string& node_name) {
  if (a == 0) throw NotSupported("node '" + node_name + "': a constant clamp");
  x = narrow(x, node_name);
  const double su = std::abs(a) * T(x).scale;
  bool has_lo = lo > -kInf, has_hi = hi < kInf;
  if (!structural()) {
    // A bound that a·x + b cannot cross over x's whole integer range is no clamp at all: dropping it
    // is exact (ReLU6 after a layer whose values never approach 6 is a ReLU).
    const double e1 = a * double(T(x).lo) * T(x).scale + b, e2 = a * double(T(x).hi) * T(x).scale + b;
    if (has_lo && lo <= std::min(e1, e2)) has_lo = false;
    if (has_hi && hi >= std::max(e1, e2)) has_hi = false;
  }
  if (!has_lo && !has_hi) {  // no bound is ever reached: one requant of the affine map
    uint32_t r = requant(x, {T(x).scale}, {a}, {b}, out_scale, qlo, qhi, out, node_name);
    narrow_ids_.insert(r);
    return r;
  }
  uint32_t y;
  double base;  // y_real = base + the integer tensor y at scale su
  if (has_lo) {
    y = relu_of_affine(x, a, b - lo, out + ":lo", node_name + ":lo");
    base = lo;
  } else {
    y = requant(x, {T(x).scale}, {a}, {b}, su, -qmax_, qmax_, out + ":affine", node_name + ":affine");
    base = 0;
  }
  if (has_hi) {
    uint32_t over = relu_of_affine(x, a, b - hi, out + ":hi", node_name + ":hi");
    y = emit(node(Op::Sub, node_name + ":clamp", {y, over}), out + ":clamped", su);
  }
  uint32_t r = requant(y, {su}, {1.0}, {base}, out_scale, qlo, qhi, out, node_name);
  narrow_ids_.insert(r);
  return r;
}

void Lowerer::lower_clip(size_t i) {
  const LiveNode& n = m_.nodes[i];
  double lo = attr_float(n, "min", -kInf), hi = attr_float(n, "max", kInf);  // opset < 11: attributes
  for (size_t k : {size_t(1), size_t(2)})
    if (n.inputs.size() > k && !n.inputs[k].empty()) {
      const Const* c = cst(n.inputs[k]);
      if (!c || numel(c->shape) != 1) throw NotSupported("node '" + n.name + "': Clip with a non-constant bound");
      (k == 1 ? lo : hi) = c->data[0];
    }
  if (lo > hi) throw BadInput("node '" + n.name + "': Clip min above max");
  const std::string& out = n.outputs[0];
  bind(out, clamp_affine(tid(n.inputs[0]), 1.0, 0.0, lo, hi, scale_for(out, lo >= 0), -qmax_, qmax_, out, n.name));
}

void Lowerer::lower_hard_sigmoid(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  bind(out, clamp_affine(tid(n.inputs[0]), attr_float(n, "alpha", 0.2), attr_float(n, "beta", 0.5), 0.0, 1.0,
                         1.0 / double(qmax_), 0, qmax_q(), out, n.name));
}

void Lowerer::lower_hard_swish(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  uint32_t hs = clamp_affine(x, 1.0 / 6.0, 0.5, 0.0, 1.0, 1.0 / double(qmax_), 0, qmax_q(), out + ":hardsigmoid", n.name);
  bind(out, emit(node(Op::Mul, n.name + ":mul", {x, hs}), out, T(x).scale * T(hs).scale));
}

void Lowerer::lower_leaky_relu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const double alpha = attr_float(n, "alpha", 0.01);
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  uint32_t r = emit(node(Op::Relu, n.name + ":relu", {x}), out + ":relu", T(x).scale);
  bind(out, weighted_sum({{x, alpha}, {r, 1.0 - alpha}}, scale_for(out, false), out, n.name));
}

// PRelu: slope·x + (1 − slope)·relu(x); a per-channel slope (a constant that broadcasts to x)
// multiplies each term by integer constants onto one common scale, as weighted_sum does with scalars.
void Lowerer::lower_prelu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const Const* slope = cst(n.inputs[1]);
  if (!slope) throw NotSupported("node '" + n.name + "': PRelu with a non-constant slope");
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  const uint32_t r = emit(node(Op::Relu, n.name + ":relu", {x}), out + ":relu", T(x).scale);
  const double out_scale = scale_for(out, false);
  if (numel(slope->shape) == 1)
    return bind(out, weighted_sum({{x, slope->data[0]}, {r, 1.0 - slope->data[0]}}, out_scale, out, n.name));
  if (model::broadcast_shapes(T(x).shape, slope->shape) != T(x).shape)
    throw NotSupported("node '" + n.name + "': PRelu slope " + model::shape_str(slope->shape) + " that grows " +
                       model::shape_str(T(x).shape));
  std::vector<double> rest(slope->data.size());
  double top = 0;
  for (size_t k = 0; k < rest.size(); ++k)
    rest[k] = 1.0 - slope->data[k], top = std::max(top, std::abs(slope->data[k]) + std::abs(rest[k]));
  const double xmax = double(std::max(-T(x).lo, T(x).hi)) * T(x).scale;
  const int sh = structural() ? 0 : int(std::floor(std::log2(double(kProductBudget / 4) * out_scale / std::max(xmax * top, 1e-30))));
  const double sc = out_scale / std::ldexp(1.0, std::clamp(sh, 0, 30));
  auto term = [&](uint32_t t, const std::vector<double>& coef, const std::string& sfx) {
    std::vector<int64_t> q;
    for (double c : coef) q.push_back(structural() ? 1 : std::llround(c * T(t).scale / sc));
    Node mc = node(Op::MulConst, n.name + sfx, {t, constant(out + sfx + ":M", slope->shape, std::move(q), {}, 1.0)});
    mc.real_mult = coef;
    return emit(mc, out + sfx, sc);
  };
  const uint32_t a = term(x, slope->data, ":slope"), b = term(r, rest, ":rest");
  const uint32_t sum = emit(node(Op::Add, n.name + ":add", {a, b}), out + ":sum", sc);
  const uint32_t y = requant(sum, {sc}, {1.0}, {}, out_scale, -qmax_, qmax_, out, n.name + ":requant");
  narrow_ids_.insert(y);
  bind(out, y);
}

// Abs = relu(x) + relu(−x), exact on the integers (−x: a requant by −1 without rounding), unless it
// is part of a table region (Softsign = x / (1 + |x|), as torch exports it).
void Lowerer::lower_abs(size_t i) {
  if (region(i)) return;
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const uint32_t x = narrow(tid(n.inputs[0]), n.name);
  const uint32_t neg = rescale(x, -1.0, out + ":neg", n.name + ":neg");
  const uint32_t pos = emit(node(Op::Relu, n.name + ":relu_pos", {x}), out + ":relu_pos", T(x).scale);
  const uint32_t negr = emit(node(Op::Relu, n.name + ":relu_neg", {neg}), out + ":relu_neg", T(x).scale);
  bind(out, emit(node(Op::Add, n.name, {pos, negr}), out, T(x).scale));
}

}  // namespace zkm31::onnx_import
