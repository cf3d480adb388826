// MatMul and Gemm: a constant weight operand becomes a quantized Linear (per-output-channel
// weights of 8 to weight_bits bits, int32 bias at the input scale); activation × activation stays a MatMul of both.
#include <algorithm>
#include <cmath>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

// x (activation) · W[K,N] + b → requant to the calibrated scale of `out`.
uint32_t Lowerer::linear(uint32_t x, const std::vector<double>& W, int64_t K, int64_t N, const std::vector<double>* b,
                         const std::string& out, const std::string& node_name, bool relu_fed) {
  // A NaN or infinite weight has no integer code (and converting it to an integer is undefined).
  for (const auto* v : {&W, b})
    if (v && std::ranges::any_of(*v, [](double w) { return !std::isfinite(w); }))
      throw BadInput("node '" + node_name + "': " + (v == b ? "bias" : "weight") + " holds a NaN or infinite value");
  std::vector<double> wmax(size_t(N), 0.0);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t c = 0; c < N; ++c) wmax[size_t(c)] = std::max(wmax[size_t(c)], std::abs(W[size_t(k * N + c)]));
  // K·|x|max·|w|max + |bias|max inside the product budget for x (bound xmax, scale sx) and weights
  // of width `wbits` (the bias counted while it goes into the accumulator).
  bool bias_in_acc = b != nullptr;
  auto fits_bound = [&](double xmax, double sx, int wbits) {
    if (sx <= 0) return false;
    const double wq = double((int64_t(1) << (wbits - 1)) - 1);
    double bmax = 0;
    if (bias_in_acc)
      for (size_t c = 0; c < size_t(N); ++c) bmax = std::max(bmax, std::abs((*b)[c]) * wq / (sx * std::max(wmax[c], 1e-12)));
    return double(K) * xmax * wq + bmax < double(kProductBudget);
  };
  auto fits = [&](uint32_t t, int wbits) { return fits_bound(double(std::max(-T(t).lo, T(t).hi)), T(t).scale, wbits); };
  auto q = [](int bits) { return double((int64_t(1) << (bits - 1)) - 1); };
  // A bias too large for the accumulator even with x at 6 bits and int8 weights (features nearly zero
  // against a bias that is not: a freshly initialised network) is added by the requant as an offset.
  if (b && !structural()) {
    const double xreal = T(x).scale * double(std::max(-T(x).lo, T(x).hi));
    bias_in_acc = xreal > 0 && fits_bound(q(6), xreal / q(6), 8);
  }
  // A wide input (residual stream, function-table output) is taken as it is when the accumulator
  // fits with int8 weights; otherwise at the activation width, or narrower for a long inner
  // dimension (rather than a wrap).
  if (!(wide_ids_.count(x) && fits(x, 8))) {
    int xb = bits_;
    if (!structural() && T(x).bits > bits_ - 1) {
      const double amax = std::max(stat(T(x).name).absmax(), 1e-8);
      while (xb > 6 && !fits_bound(q(xb), amax / q(xb), 8)) --xb;
    }
    x = narrow(x, node_name, xb);
  }
  // Weights as wide as the accumulator allows, up to weight_bits: int8 weights alone cost 1–2 %
  // relative L2 on small transformers (tests/data/hf), 10 bits ≈ 0.3–0.4 %, 12 bits ≈ 0.13 %.
  int wbits = 8;
  while (wbits < wbits_ && !structural() && fits(x, wbits + 1)) ++wbits;
  const double wq = double((int64_t(1) << (wbits - 1)) - 1);
  std::vector<double> sw(static_cast<size_t>(N));
  for (size_t c = 0; c < sw.size(); ++c) sw[c] = std::max(wmax[c], 1e-12) / wq;
  double sx = T(x).scale;
  // The structural pass (calibration) reads the float weights only.
  std::vector<int32_t> wq_values(structural() ? 0 : W.size());
  std::vector<float> wf(W.size());
  for (size_t i = 0; i < W.size(); ++i) wf[i] = float(W[i]);
  for (size_t i = 0; i < wq_values.size(); ++i)
    wq_values[i] = int32_t(std::clamp<double>(std::round(W[i] / sw[i % size_t(N)]), -wq, wq));
  std::vector<uint32_t> ins = {x, weight(node_name + ":W", {K, N}, std::move(wq_values), std::move(wf), sw)};
  if (bias_in_acc) {
    std::vector<int32_t> bq(static_cast<size_t>(N));
    std::vector<float> bf(static_cast<size_t>(N));
    std::vector<double> bs(static_cast<size_t>(N));
    for (size_t c = 0; c < size_t(N); ++c) {
      bs[c] = sx * sw[c];
      double v = std::round((*b)[c] / bs[c]);
      if (std::abs(v) > double(1 << 30)) throw NotSupported("node '" + node_name + "': bias too large for its scale");
      bq[c] = int32_t(v), bf[c] = float((*b)[c]);
    }
    ins.push_back(weight(node_name + ":b", {N}, std::move(bq), std::move(bf), bs));
  }
  uint32_t acc = emit(node(Op::MatMul, node_name, ins), out + ":acc", 0.0);
  std::vector<double> in_scales(sw.size());
  for (size_t c = 0; c < sw.size(); ++c) in_scales[c] = sx * sw[c];
  const std::vector<double> offset = b && !bias_in_acc ? *b : std::vector<double>{};
  // A branch that ends in an Add (a residual block's last projection) is emitted at the residual
  // width with 2× headroom over its calibrated range: the Add takes it as it is, and an input
  // beyond the calibration samples (tails the samples missed) is not clamped.
  if (qres_ > qmax_ && !relu_fed && sole_consumer(out, "Add") && !structural()) {
    double sy = 2.0 * scale_for(T(acc).name, false) * double(qmax_) / double(qres_);
    uint32_t y = requant(acc, in_scales, {1.0}, offset, sy, -qres_, qres_, out, node_name + ":requant");
    wide_ids_.insert(y);
    return y;
  }
  uint32_t y = requant(acc, in_scales, {1.0}, offset, scale_for(T(acc).name, relu_fed), -qmax_, qmax_, out, node_name + ":requant");
  narrow_ids_.insert(y);
  return y;
}

void Lowerer::lower_matmul(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* B = cst(n.inputs[1]);
  if (cst(n.inputs[0])) throw NotSupported("node '" + n.name + "': constant left operand");
  if (n.op == "MatMul" && !B) {  // activation × activation
    // Both at the activation width, the wider narrowed a bit at a time while K·|a|max·|b|max would
    // leave the product budget (long sequences in P·V).
    const uint32_t ia = tid(n.inputs[0]), ib = tid(n.inputs[1]);
    int ba = bits_, bb = bits_;
    if (!structural()) {
      auto top = [&](uint32_t t, int bits) {
        return T(t).bits <= bits && T(t).scale > 0 ? double(std::max(-T(t).lo, T(t).hi)) : double((int64_t(1) << (bits - 1)) - 1);
      };
      const double K = double(T(ia).shape.back());
      ba = std::min(ba, std::max(T(ia).bits, 2)), bb = std::min(bb, std::max(T(ib).bits, 2));
      while (K * top(ia, ba) * top(ib, bb) >= double(kProductBudget) && std::max(ba, bb) > 6) (ba >= bb ? ba : bb)--;
    }
    uint32_t a = narrow(ia, n.name, ba), b = narrow(ib, n.name, bb);
    return bind(n.outputs[0], emit(node(Op::MatMul, n.name, {a, b}), n.outputs[0], T(a).scale * T(b).scale));
  }
  if (!B || B->shape.size() != 2) throw NotSupported("node '" + n.name + "': weight operand must be a 2-D constant");
  int64_t K, N;
  std::vector<double> W;
  std::vector<double> bias;
  const std::vector<double>* bp = nullptr;
  std::string out = n.outputs[0];
  if (n.op == "Gemm") {
    if (attr_int(n, "transA", 0)) throw NotSupported("node '" + n.name + "': Gemm with transA");
    double alpha = attr_float(n, "alpha", 1.0), beta = attr_float(n, "beta", 1.0);
    bool tb = attr_int(n, "transB", 0);
    K = tb ? B->shape[1] : B->shape[0], N = tb ? B->shape[0] : B->shape[1];
    W.resize(size_t(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < N; ++c) W[size_t(k * N + c)] = alpha * (tb ? B->data[size_t(c * K + k)] : B->data[size_t(k * N + c)]);
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Const* C = cst(n.inputs[2]);
      if (!C || numel(C->shape) != N) throw NotSupported("node '" + n.name + "': Gemm bias must be a constant [N]");
      for (double v : C->data) bias.push_back(beta * v);
      bp = &bias;
    }
  } else {
    K = B->shape[0], N = B->shape[1];
    W = B->data;
    // MatMul + Add(bias) is one Linear.
    if (const LiveNode* add = sole_consumer(out, "Add")) {
      const std::string& other = add->inputs[0] == out ? add->inputs[1] : add->inputs[0];
      const Const* C = cst(other);
      if (C && numel(C->shape) == N && (C->shape.empty() || C->shape.back() == N)) {
        bias = C->data, bp = &bias;
        done_.insert(index_of(add));
        out = add->outputs[0];
      }
    }
  }
  release_constant(n.inputs[1], i);  // W holds it now
  bind(out, linear(tid(n.inputs[0]), W, K, N, bp, out, n.name, sole_consumer(out, "Relu") != nullptr));
}

}  // namespace zkm31::onnx_import
