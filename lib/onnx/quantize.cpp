// Calibration (float-track statistics) and requantization: the choices of scales, multipliers
// and shifts that every op family's lowering goes through.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::Graph;
using model::numel;

namespace {

constexpr int kMinMultBits = 12, kSatMultBits = 8, kGuardBits = 3, kMaxMultBits = 24;
constexpr int kMaxShift = 40;  // the widest requant shift graph validation accepts

}  // namespace

const Stats& Lowerer::stat(const std::string& tensor_name) const {
  auto it = stats_->find(tensor_name);
  if (it == stats_->end() || !std::isfinite(it->second.hi)) throw BadInput("internal: no calibration for '" + tensor_name + "'");
  return it->second;
}

// Scale of a tensor at the activation width from the calibrated range of `key`.
double Lowerer::scale_for(const std::string& key, bool relu_fed) const {
  if (structural()) return 1.0;
  const Stats& s = stat(key);
  double m = relu_fed ? std::max(s.hi, 0.0) : s.absmax();
  return std::max(m, 1e-8) / double(qmax_);
}

// y ≈ x_real·real_mult[c] + real_offset[c] at out_scale, clamped to [lo, hi]. in_scales: the
// scale of x (one, or one per channel). Emits a pre-shift first when M would be too narrow.
uint32_t Lowerer::requant(uint32_t x, std::vector<double> in_scales, const std::vector<double>& real_mult,
                          const std::vector<double>& real_offset, double out_scale, int64_t lo, int64_t hi,
                          const std::string& out_name, const std::string& node_name) {
  if (structural()) {
    Node n = node(Op::Requant, node_name, {x});
    n.mult = {1}, n.shift = 0, n.lo = -1, n.hi = 1, n.real_mult = real_mult, n.real_offset = real_offset;
    return emit(n, out_name, out_scale);
  }
  size_t C = std::max({in_scales.size(), real_mult.size(), real_offset.size()});
  auto at = [](const std::vector<double>& v, size_t c, double def) { return v.empty() ? def : v[v.size() == 1 ? 0 : c]; };
  std::vector<double> r(C), o(C);
  double rmax = 0, omax = 0;
  for (size_t c = 0; c < C; ++c) {
    r[c] = at(in_scales, c, 1.0) * at(real_mult, c, 1.0) / out_scale;
    o[c] = at(real_offset, c, 0.0) / out_scale;
    rmax = std::max(rmax, std::abs(r[c])), omax = std::max(omax, std::abs(o[c]));
  }
  if (rmax == 0) rmax = 1e-30;
  double rmin = rmax;
  for (double v : r)
    if (v != 0) rmin = std::min(rmin, std::abs(v));
  const double xfull = double(std::max(-T(x).lo, T(x).hi));
  // Inputs beyond ±xsat saturate the output whatever their value (pre-multiply saturation).
  const double xsat_all = std::ceil((double(std::max(-lo, hi)) + omax + 1.0) / rmin) + 1.0;
  double xsat = std::numeric_limits<double>::infinity();
  auto shift_for = [&](double scale) {  // the main shift when the input is pre-shifted by `scale`
    double xm = std::min(std::ceil(xfull / scale) + 1.0, xsat / scale + 1.0), rm = rmax * scale;
    double room = double(kProductBudget) / (xm * rm + omax + 1.0);
    if (!(room > 0) || !std::isfinite(rm)) return -1;  // no product fits (overflowed scales): refused below
    return std::min({int(std::floor(std::log2(room))), kMaxMultBits - 1 - int(std::floor(std::log2(rm))), 40});
  };
  int s = shift_for(1.0);
  // A pre-step (M = 1) that drops accumulator bits far below the output LSB when M would be too
  // narrow; if M is still very narrow after it, the pre-step also clamps to the saturation range
  // (only then: the clamp excess of that step is wide, which costs the prover range limbs).
  int s1 = std::log2(rmax) + s < kMinMultBits ? std::max(0, int(std::floor(-std::log2(rmax))) - kGuardBits) : 0;
  // No deeper than the field allows (the pre-step's rounding half 2^(s1−1) adds to |x|, and its
  // decomposition must stay unique mod p) nor than |x| itself: deeper would round every x to 0 (an
  // output that is its offset alone: features that vanish against a bias, or weights that vanish).
  const double s1_room = (double(kP) - 2.0 * xfull) / 3.0;
  s1 = std::min({s1, s1_room > 1.0 ? int(std::floor(std::log2(s1_room))) : 0, xfull >= 1.0 ? int(std::floor(std::log2(xfull))) : 0});
  if (s1 > 0 && std::log2(rmax) + s1 + shift_for(std::ldexp(1.0, s1)) < kSatMultBits && xsat_all < xfull) xsat = xsat_all;
  // A ratio above 1 so large that x·M would wrap: inputs beyond ±xsat saturate the output anyway, so
  // clamp them first (exact) and the product fits (a layer whose output range is far below its
  // input's resolution, e.g. a nearly dead channel).
  if (s < 0 && s1 == 0 && xsat_all < xfull) xsat = xsat_all;
  if (s1 > kMaxShift)  // a rescale this small: weights or scales that vanish (and 2^s1 would not fit)
    throw BadInput("node '" + node_name + "': a rescale by 2^-" + std::to_string(s1) + " is out of range");
  if (s1 > 0 || xsat < xfull) {
    Node p = node(Op::Requant, node_name + ":preshift", {x});
    p.mult = {1}, p.shift = s1, p.real_mult = {1.0};
    int64_t half = s1 ? int64_t(1) << (s1 - 1) : 0;
    int64_t sat = xsat < xfull ? int64_t(std::ceil(xsat / std::ldexp(1.0, s1))) + 1 : INT64_MAX;
    p.lo = std::max((T(x).lo + half) >> s1, -sat), p.hi = std::min((T(x).hi + half) >> s1, sat);
    x = emit(p, out_name + ":pre", 0.0);
    s = shift_for(std::ldexp(1.0, s1));
    for (double& v : r) v *= std::ldexp(1.0, s1);
    rmax *= std::ldexp(1.0, s1);
  }
  if (s < 0) throw NotSupported("node '" + node_name + "': requant ratio too large for the field (" +
                                std::to_string(rmax) + ")");
  Node n = node(Op::Requant, node_name, {x});
  bool scalar = std::all_of(r.begin(), r.end(), [&](double v) { return v == r[0]; });
  auto at_shift = [&](int shift) {
    n.mult.clear(), n.offset.clear();
    for (size_t c = 0; c < (scalar ? 1 : C); ++c) n.mult.push_back(std::llround(std::ldexp(r[c], shift)));
    if (omax > 0)
      for (size_t c = 0; c < C; ++c) n.offset.push_back(std::llround(std::ldexp(o[c], shift)));
    n.shift = shift;
  };
  n.lo = lo, n.hi = hi, n.real_mult = real_mult, n.real_offset = real_offset;
  at_shift(s);
  // Fewer multiplier bits while the prover's decomposition would not be unique: its quotient is
  // range-checked over the whole clamp interval, which a small input (one branch of a Concat, a
  // nearly dead channel) leaves far wider than its output needs.
  while (s > 0 && !model::requant_window(n, T(x).lo, T(x).hi).unique) at_shift(--s);
  return emit(n, out_name, out_scale);
}

// The tensor at `bits` (default: the activation width), requantized to its calibrated scale when wider.
uint32_t Lowerer::narrow(uint32_t x, const std::string& node_name, int bits) {
  const Tensor& t = T(x);
  if (bits <= 0 || bits > bits_) bits = bits_;
  if (structural() ? t.kind != TensorKind::Activation || narrow_ids_.count(x) : t.bits <= bits && t.scale > 0)
    return x;
  const int64_t q = (int64_t(1) << (bits - 1)) - 1;
  const double scale = structural() ? 1.0 : std::max(stat(t.name).absmax(), 1e-8) / double(q);
  uint32_t y = requant(x, {t.scale}, {1.0}, {}, scale, -q, q, t.name + (bits == bits_ ? ":q" : ":q" + std::to_string(bits)),
                       node_name);
  narrow_ids_.insert(y);
  return y;
}

// Identity on the integers with a new real meaning (scale change by a constant factor c).
uint32_t Lowerer::rescale(uint32_t x, double c, const std::string& out_name, const std::string& node_name) {
  Node n = node(Op::Requant, node_name, {x});
  const Tensor& t = T(x);
  n.mult = {c < 0 ? -1 : 1}, n.shift = 0, n.real_mult = {c};
  n.lo = c < 0 ? -t.hi : t.lo, n.hi = c < 0 ? -t.lo : t.hi;
  uint32_t y = emit(n, out_name, t.scale * std::abs(c));
  if (narrow_ids_.count(x)) narrow_ids_.insert(y);
  return y;
}

// Float-track statistics of every tensor over the calibration inputs.
StatsMap calibrate(const Graph& g, const std::vector<std::vector<model::InputTensor>>& sets) {
  StatsMap stats;
  for (const auto& t : g.tensors) stats[t.name];
  std::vector<std::vector<std::vector<float>>> inputs;
  for (const auto& set : sets) {
    inputs.emplace_back();
    for (auto& t : model::match_inputs(g, set)) inputs.back().push_back(std::move(t.data));
  }
  model::forward_float_sets(g, inputs, [&](uint32_t t, const std::vector<const std::vector<float>*>& per_set) {
    Stats& s = stats[g.tensors[t].name];
    for (const auto* vals : per_set) {
      // Branch-free over floats (vectorised): NaN and ±inf are skipped, as no finite bound holds them.
      float lo = std::numeric_limits<float>::infinity(), hi = -lo;
      for (float v : *vals) {
        const bool finite = std::abs(v) <= std::numeric_limits<float>::max();
        lo = finite && v < lo ? v : lo;
        hi = finite && v > hi ? v : hi;
      }
      s.lo = std::min(s.lo, double(lo)), s.hi = std::max(s.hi, double(hi));
    }
  });
  return stats;
}

std::vector<std::vector<model::InputTensor>> default_calibration(const OnnxModel& m, int samples) {
  std::mt19937_64 rng(0x5eed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<std::vector<model::InputTensor>> sets;
  for (int k = 0; k < samples; ++k) {
    std::vector<model::InputTensor> set;
    for (const auto& [name, shape] : m.inputs) {
      model::InputTensor t{name, shape, {}};
      // Token ids: uniform over the table's rows. Masks: a padding mask per row, its first 1..L kept.
      auto ids = m.token_ids.find(name);
      const bool mask = m.mask_inputs.count(name) > 0;
      const int64_t row = shape.empty() ? 1 : std::max<int64_t>(shape.back(), 1);
      int64_t kept = 0;
      for (int64_t i = 0; i < numel(shape); ++i) {
        if (mask && i % row == 0) kept = 1 + int64_t(rng() % uint64_t(row));
        t.data.push_back(ids != m.token_ids.end() ? float(int64_t(rng() % uint64_t(ids->second)))
                         : mask                   ? float(i % row < kept)
                                                  : float(normal(rng)));
      }
      set.push_back(std::move(t));
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace zkm31::onnx_import
