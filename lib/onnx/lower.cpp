// Lowering of the folded ONNX graph to the integer graph. The lowering runs twice: a structural
// pass (provisional integer parameters, exact float semantics) whose float track calibrates every
// tensor, then the real pass that quantizes with those statistics. Tensor names are deterministic,
// so the real pass looks statistics up by name.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>

#include "error/error.hpp"
#include "model/tables.hpp"
#include "onnx/import.hpp"
#include "onnx/loader.hpp"

namespace zkm31::onnx_import {

using model::Graph;
using model::Node;
using model::numel;
using model::Op;
using model::shape_str;
using model::Tensor;
using model::TensorKind;

namespace {

struct Stats {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  double absmax() const { return std::max(std::abs(lo), std::abs(hi)); }
};
using StatsMap = std::map<std::string, Stats>;

constexpr int64_t kProductBudget = int64_t(1) << 29;  // |x|max·M + … stays below this (< p/4)
constexpr int kMinMultBits = 12, kSatMultBits = 8, kGuardBits = 3, kMaxMultBits = 24;
constexpr int kExpLog2 = 10;      // exp table entries (softmax)
constexpr int kExpOutBits = 15;   // exp values in [0, 2^15]
constexpr int kRecipShift = 14;   // reciprocal values ≤ 2^14
constexpr int kScoreBits = 16;    // softmax scores are requantized to this width first
constexpr int kVarBits = 16;      // LayerNorm variance code for the rsqrt table: [1, 2^16)

int64_t bits_of(double v) { return v < 1 ? 0 : int64_t(std::floor(std::log2(v))) + 1; }

const std::set<std::string> kElementwise = {"Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Sigmoid",
                                            "Tanh", "Erf", "Neg", "Reciprocal"};
const std::set<std::string> kNonlinear = {"Sigmoid", "Tanh", "Erf", "Sqrt", "Reciprocal"};
const char* const kTableFns[] = {"sigmoid", "tanh", "silu", "gelu_tanh", "gelu_erf"};

class Lowerer {
 public:
  Lowerer(const OnnxModel& m, const ImportOptions& opt, const StatsMap* stats)
      : m_(m), stats_(stats), bits_(opt.act_bits), qmax_((int64_t(1) << (opt.act_bits - 1)) - 1) {}

  Graph run() {
    g_.name = m_.name.empty() ? "model" : m_.name;
    for (const auto& [name, shape] : m_.inputs) {
      double s = scale_for(name, false);
      uint32_t id = add_tensor(name, TensorKind::Input, shape, lo_q(), qmax_q(), s);
      g_.inputs.push_back(id);
      val_[name] = id;
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

 private:
  // ---- tensors and nodes --------------------------------------------------------------------
  bool structural() const { return stats_ == nullptr; }
  int64_t lo_q() const { return structural() ? -1 : -qmax_; }
  int64_t qmax_q() const { return structural() ? 1 : qmax_; }

  std::string unique(const std::string& base) {
    int k = name_count_[base]++;
    return k ? base + "#" + std::to_string(k) : base;
  }

  uint32_t add_tensor(const std::string& name, TensorKind kind, const model::Shape& shape, int64_t lo, int64_t hi,
                      double scale) {
    g_.tensors.push_back({unique(name), kind, shape, model::signed_bits(lo, hi), lo, hi, scale});
    return uint32_t(g_.tensors.size() - 1);
  }

  const Tensor& T(uint32_t id) const { return g_.tensors[id]; }

  uint32_t emit(Node n, const std::string& out_name, double scale) {
    if (n.op == Op::Requant) n.unclamped_bound = unclamped(n);
    uint32_t out = add_tensor(out_name, TensorKind::Activation, {}, 0, 0, scale);
    n.outputs = {out};
    auto r = model::infer(g_, n);
    Tensor& t = g_.tensors[out];
    t.shape = r.shape, t.lo = r.lo, t.hi = r.hi, t.bits = model::signed_bits(r.lo, r.hi);
    if (n.op == Op::MatMul) n.acc_bound = std::max(-r.lo, r.hi);
    g_.nodes.push_back(std::move(n));
    return out;
  }

  int64_t unclamped(const Node& n) const {
    const Tensor& x = T(n.inputs[0]);
    __int128 xmax = std::max(-x.lo, x.hi), mmax = 0, bmax = 0;
    for (int64_t v : n.mult) mmax = std::max<__int128>(mmax, v < 0 ? -v : v);
    for (int64_t v : n.offset) bmax = std::max<__int128>(bmax, v < 0 ? -v : v);
    __int128 top = xmax * mmax + bmax + (n.shift ? __int128(1) << (n.shift - 1) : 0);
    return int64_t(std::min<__int128>((top >> n.shift) + 1, INT64_MAX));
  }

  Node node(Op op, const std::string& name, std::vector<uint32_t> inputs) {
    Node n;
    n.op = op, n.name = name, n.inputs = std::move(inputs);
    return n;
  }

  uint32_t constant(const std::string& name, const model::Shape& shape, std::vector<int64_t> values,
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

  uint32_t weight(const std::string& name, const model::Shape& shape, std::vector<int32_t> values,
                  std::vector<float> original, std::vector<double> scales) {
    int64_t lo = 0, hi = 0;
    if (structural()) {
      std::fill(values.begin(), values.end(), 0);
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

  // ---- calibration --------------------------------------------------------------------------
  const Stats& stat(const std::string& tensor_name) const {
    auto it = stats_->find(tensor_name);
    if (it == stats_->end() || !std::isfinite(it->second.hi)) throw BadInput("internal: no calibration for '" + tensor_name + "'");
    return it->second;
  }
  // Scale of a tensor at the activation width from the calibrated range of `key`.
  double scale_for(const std::string& key, bool relu_fed) const {
    if (structural()) return 1.0;
    const Stats& s = stat(key);
    double m = relu_fed ? std::max(s.hi, 0.0) : s.absmax();
    return std::max(m, 1e-8) / double(qmax_);
  }

  // ---- requantization -----------------------------------------------------------------------
  // y ≈ x_real·real_mult[c] + real_offset[c] at out_scale, clamped to [lo, hi]. in_scales: the
  // scale of x (one, or one per channel). Emits a pre-shift first when M would be too narrow.
  uint32_t requant(uint32_t x, std::vector<double> in_scales, const std::vector<double>& real_mult,
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
      return std::min({int(std::floor(std::log2(room))), kMaxMultBits - 1 - int(std::floor(std::log2(rm))), 40});
    };
    int s = shift_for(1.0);
    // A pre-step (M = 1) that drops accumulator bits far below the output LSB when M would be too
    // narrow; if M is still very narrow after it, the pre-step also clamps to the saturation range
    // (only then: the clamp excess of that step is wide, which costs the prover range limbs).
    int s1 = std::log2(rmax) + s < kMinMultBits ? std::max(0, int(std::floor(-std::log2(rmax))) - kGuardBits) : 0;
    if (s1 > 0 && std::log2(rmax) + s1 + shift_for(std::ldexp(1.0, s1)) < kSatMultBits && xsat_all < xfull) xsat = xsat_all;
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
    for (size_t c = 0; c < (scalar ? 1 : C); ++c) n.mult.push_back(std::llround(std::ldexp(r[c], s)));
    if (omax > 0)
      for (size_t c = 0; c < C; ++c) n.offset.push_back(std::llround(std::ldexp(o[c], s)));
    n.shift = s, n.lo = lo, n.hi = hi, n.real_mult = real_mult, n.real_offset = real_offset;
    return emit(n, out_name, out_scale);
  }

  // The tensor at the activation width (requantized to its calibrated scale when wider).
  uint32_t narrow(uint32_t x, const std::string& node_name) {
    const Tensor& t = T(x);
    if (structural() ? t.kind != TensorKind::Activation || narrow_ids_.count(x) : t.bits <= bits_ && t.scale > 0)
      return x;
    uint32_t y = requant(x, {t.scale}, {1.0}, {}, scale_for(t.name, false), -qmax_, qmax_, t.name + ":q", node_name);
    narrow_ids_.insert(y);
    return y;
  }

  // Identity on the integers with a new real meaning (scale change by a constant factor c).
  uint32_t rescale(uint32_t x, double c, const std::string& out_name, const std::string& node_name) {
    Node n = node(Op::Requant, node_name, {x});
    const Tensor& t = T(x);
    n.mult = {c < 0 ? -1 : 1}, n.shift = 0, n.real_mult = {c};
    n.lo = c < 0 ? -t.hi : t.lo, n.hi = c < 0 ? -t.lo : t.hi;
    uint32_t y = emit(n, out_name, t.scale * std::abs(c));
    if (narrow_ids_.count(x)) narrow_ids_.insert(y);
    return y;
  }

  // ---- value access -------------------------------------------------------------------------
  uint32_t tid(const std::string& name) const {
    auto it = val_.find(name);
    if (it == val_.end()) throw NotSupported("value '" + name + "' is not available as an activation");
    return it->second;
  }
  const Const* cst(const std::string& name) const { return name.empty() ? nullptr : m_.constant(name); }
  std::vector<size_t> consumers(const std::string& name) const {
    auto it = m_.consumers.find(name);
    return it == m_.consumers.end() ? std::vector<size_t>{} : it->second;
  }
  // The single live consumer of `name` with op `op`, if that is its only use.
  const LiveNode* sole_consumer(const std::string& name, const std::string& op) const {
    auto c = consumers(name);
    if (c.size() != 1 || m_.graph_outputs.count(name) || m_.nodes[c[0]].op != op) return nullptr;
    return &m_.nodes[c[0]];
  }
  size_t index_of(const LiveNode* n) const { return size_t(n - m_.nodes.data()); }
  // An axis in [-rank, rank) normalized to [0, rank); BadInput naming the node otherwise.
  static int64_t axis_in(const LiveNode& n, int64_t axis, size_t rank) {
    if (axis < -int64_t(rank) || axis >= int64_t(rank)) throw BadInput("node '" + n.name + "': axis " + std::to_string(axis) + " out of range");
    return axis < 0 ? axis + int64_t(rank) : axis;
  }
  void bind(const std::string& onnx_name, uint32_t id) { val_[onnx_name] = id; }

  // ---- dispatch -----------------------------------------------------------------------------
  void lower(size_t i) {
    const LiveNode& n = m_.nodes[i];
    done_.insert(i);
    const std::string& op = n.op;
    if (op == "MatMul" || op == "Gemm") return matmul(n);
    if (op == "Conv") return conv(n);
    if (op == "Relu") {
      uint32_t x = narrow(tid(n.inputs[0]), n.name);
      uint32_t y = emit(node(Op::Relu, n.name, {x}), n.outputs[0], T(x).scale);
      narrow_ids_.insert(y);
      return bind(n.outputs[0], y);
    }
    if ((op == "Pow" || op == "Mul") && rms_norm(n)) return;
    if (kElementwise.count(op) && region(i)) return;
    if (op == "Add" || op == "Sub") return add_sub(n);
    if (op == "Mul") return mul(n);
    if (op == "Div") {
      const Const* c = cst(n.inputs[1]);
      if (!c || numel(c->shape) != 1) throw NotSupported("node '" + n.name + "': Div by a non-scalar or non-constant");
      return bind(n.outputs[0], rescale(tid(n.inputs[0]), 1.0 / c->data[0], n.outputs[0], n.name));
    }
    if (op == "Neg") return bind(n.outputs[0], rescale(tid(n.inputs[0]), -1.0, n.outputs[0], n.name));
    if (op == "Pow") {
      const Const* c = cst(n.inputs[1]);
      if (!c || numel(c->shape) != 1 || c->data[0] != 2.0) throw NotSupported("node '" + n.name + "': Pow other than x^2");
      uint32_t x = narrow(tid(n.inputs[0]), n.name);
      return bind(n.outputs[0], emit(node(Op::Mul, n.name, {x, x}), n.outputs[0], T(x).scale * T(x).scale));
    }
    if (op == "Where") return where(n);
    if (op == "Softmax") return softmax(n);
    if (op == "ReduceMean") return reduce_mean(i);
    if (op == "LayerNormalization") return layer_norm_op(n);
    if (op == "Identity" || op == "Cast") return bind(n.outputs[0], tid(n.inputs[0]));
    if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") return reshape(n);
    if (op == "Transpose") return transpose(n);
    if (op == "Slice") return slice(n);
    if (op == "Split") return split(n);
    if (op == "Concat") return concat(n);
    if (op == "Gather") return gather(n);
    throw NotSupported("ONNX op '" + op + "' (node '" + n.name + "') with these inputs");
  }

  // ---- linear layers ------------------------------------------------------------------------
  // x (activation) · W[K,N] + b → requant to the calibrated scale of `out`.
  uint32_t linear(uint32_t x, const std::vector<double>& W, int64_t K, int64_t N, const std::vector<double>* b,
                  const std::string& out, const std::string& node_name, bool relu_fed) {
    x = narrow(x, node_name);
    // A NaN or infinite weight has no int8 code (and converting it to an integer is undefined).
    for (const auto* v : {&W, b})
      if (v && std::ranges::any_of(*v, [](double w) { return !std::isfinite(w); }))
        throw BadInput("node '" + node_name + "': " + (v == b ? "bias" : "weight") + " holds a NaN or infinite value");
    double sx = T(x).scale;
    std::vector<double> sw(size_t(N), 0.0);
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < N; ++c) sw[size_t(c)] = std::max(sw[size_t(c)], std::abs(W[size_t(k * N + c)]));
    for (double& s : sw) s = std::max(s, 1e-12) / 127.0;
    std::vector<int32_t> wq(W.size());
    std::vector<float> wf(W.size());
    for (size_t i = 0; i < W.size(); ++i) {
      wq[i] = int32_t(std::clamp<double>(std::round(W[i] / sw[i % size_t(N)]), -127, 127));
      wf[i] = float(W[i]);
    }
    std::vector<uint32_t> ins = {x, weight(node_name + ":W", {K, N}, std::move(wq), std::move(wf), sw)};
    if (b) {
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
    uint32_t y = requant(acc, in_scales, {1.0}, {}, scale_for(T(acc).name, relu_fed), -qmax_, qmax_, out, node_name + ":requant");
    narrow_ids_.insert(y);
    return y;
  }

  void matmul(const LiveNode& n) {
    const Const* B = cst(n.inputs[1]);
    if (cst(n.inputs[0])) throw NotSupported("node '" + n.name + "': constant left operand");
    if (n.op == "MatMul" && !B) {  // activation × activation
      uint32_t a = narrow(tid(n.inputs[0]), n.name), b = narrow(tid(n.inputs[1]), n.name);
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
    bind(out, linear(tid(n.inputs[0]), W, K, N, bp, out, n.name, sole_consumer(out, "Relu") != nullptr));
  }

  void conv(const LiveNode& n) {
    const Const* W = cst(n.inputs[1]);
    if (!W || W->shape.size() != 4) throw NotSupported("node '" + n.name + "': Conv needs a constant 4-D weight (2-D conv)");
    if (attr_int(n, "group", 1) != 1) throw NotSupported("node '" + n.name + "': grouped Conv");
    const auto& xs = m_.shape(n.inputs[0]);
    if (xs.size() != 4 || xs[0] != 1) throw NotSupported("node '" + n.name + "': Conv input must be [1, C, H, W]");
    int64_t Co = W->shape[0], Ci = W->shape[1], KH = W->shape[2], KW = W->shape[3];
    auto pads = attr_ints(n, "pads"), strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (strides.empty()) strides = {1, 1};
    if (dil.empty()) dil = {1, 1};
    uint32_t x = narrow(tid(n.inputs[0]), n.name);
    Node im = node(Op::Im2col, n.name + ":im2col", {x});
    im.ints = {KH, KW, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dil[0], dil[1]};
    uint32_t cols = emit(im, n.outputs[0] + ":cols", T(x).scale);
    narrow_ids_.insert(cols);
    int64_t K = Ci * KH * KW;
    std::vector<double> Wt(size_t(K * Co));
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t k = 0; k < K; ++k) Wt[size_t(k * Co + o)] = W->data[size_t(o * K + k)];
    std::vector<double> bias;
    const std::vector<double>* bp = nullptr;
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Const* b = cst(n.inputs[2]);
      if (!b) throw NotSupported("node '" + n.name + "': non-constant Conv bias");
      bias = b->data, bp = &bias;
    }
    const auto& os = m_.shape(n.outputs[0]);
    // The requant output [OH·OW, Co] is calibrated under the conv output's name, so a following
    // ReLU sees the positive range.
    if (numel(os) != numel(T(cols).shape) / K * Co) throw NotSupported("node '" + n.name + "': Conv auto_pad");
    uint32_t hwc = linear(cols, Wt, K, Co, bp, n.outputs[0] + ":hwc", n.name, sole_consumer(n.outputs[0], "Relu") != nullptr);
    Node tr = node(Op::Transpose, n.name + ":chw", {hwc});
    tr.ints = {1, 0};
    uint32_t chw = emit(tr, n.outputs[0] + ":chw", T(hwc).scale);
    narrow_ids_.insert(chw);
    Node rs = node(Op::Reshape, n.name + ":reshape", {chw});
    rs.ints = os;
    uint32_t y = emit(rs, n.outputs[0], T(hwc).scale);
    narrow_ids_.insert(y);
    bind(n.outputs[0], y);
  }

  // ---- elementwise --------------------------------------------------------------------------
  // a·Ma (+|−) b·Mb at a common scale, then a rounding shift to the calibrated output scale.
  void add_sub(const LiveNode& n) {
    const std::string& out = n.outputs[0];
    const Const* ca = cst(n.inputs[0]);
    const Const* cb = cst(n.inputs[1]);
    if (ca && cb) throw BadInput("internal: constant Add not folded");
    if (n.op == "Add" && (ca || cb) && mask_like(ca ? *ca : *cb) && sole_consumer(out, "Softmax")) {
      pending_[out] = {n.inputs[ca ? 1 : 0], *(ca ? ca : cb), n.name, false};
      return;
    }
    double sy = scale_for(out + ":sum", false);
    int64_t budget = kProductBudget / 4;
    uint32_t a = ca ? UINT32_MAX : narrow(tid(n.inputs[0]), n.name);
    uint32_t b = cb ? UINT32_MAX : narrow(tid(n.inputs[1]), n.name);
    // Common scale sy/2^sh with both multipliers ≥ 1 and the sum inside the budget.
    double amax = a == UINT32_MAX ? 0 : double(qmax_) * T(a).scale, bmax = b == UINT32_MAX ? 0 : double(qmax_) * T(b).scale;
    if (ca) amax = std::max(amax, absmax(*ca));
    if (cb) bmax = std::max(bmax, absmax(*cb));
    int sh = structural() ? 0 : int(std::floor(std::log2(double(budget) * sy / std::max(amax + bmax, 1e-30))));
    sh = std::clamp(sh, 0, 30);
    double sc = sy / std::ldexp(1.0, sh);
    auto scaled = [&](uint32_t t, const Const* c, size_t i) -> uint32_t {
      std::string nm = out + (i == 0 ? ":a" : ":b");
      if (c) {
        std::vector<int64_t> q;
        std::vector<float> f;
        for (double v : c->data) q.push_back(structural() ? 0 : std::llround(v / sc)), f.push_back(float(v));
        return constant(nm, c->shape, std::move(q), std::move(f), sc);
      }
      int64_t M = structural() ? 1 : std::max<int64_t>(1, std::llround(T(t).scale / sc));
      uint32_t mc = constant(nm + ":M", {1}, {M}, {}, 1.0);
      Node k = node(Op::MulConst, n.name + (i == 0 ? ":scale_a" : ":scale_b"), {t, mc});
      k.real_mult = {1.0};
      return emit(k, nm, sc);
    };
    uint32_t sa = scaled(a, ca, 0), sb = scaled(b, cb, 1);
    uint32_t sum = emit(node(n.op == "Add" ? Op::Add : Op::Sub, n.name, {sa, sb}), out + ":sum", sc);
    uint32_t y = requant(sum, {sc}, {1.0}, {}, sy, -qmax_, qmax_, out, n.name + ":requant");
    narrow_ids_.insert(y);
    bind(out, y);
  }

  static double absmax(const Const& c) {
    double m = 0;
    for (double v : c.data) m = std::max(m, std::abs(v));
    return m;
  }

  void mul(const LiveNode& n) {
    const Const* ca = cst(n.inputs[0]);
    const Const* cb = cst(n.inputs[1]);
    const std::string& out = n.outputs[0];
    if (ca || cb) {
      const Const& c = ca ? *ca : *cb;
      uint32_t x = tid(n.inputs[ca ? 1 : 0]);
      if (numel(c.shape) == 1) return bind(out, rescale(x, c.data[0], out, n.name));
      const auto& xs = T(x).shape;
      if (c.shape.empty() || c.shape.back() != xs.back() || numel(c.shape) != xs.back())
        throw NotSupported("node '" + n.name + "': Mul by a constant that is not a scalar or a last-axis vector");
      x = narrow(x, n.name);
      double sc = std::max(absmax(c), 1e-12) / 32767.0;
      std::vector<int64_t> q;
      for (double v : c.data) q.push_back(structural() ? 0 : std::llround(v / sc));
      uint32_t k = constant(out + ":c", {xs.back()}, std::move(q), {}, sc);
      Node mc = node(Op::MulConst, n.name, {x, k});
      mc.real_mult = c.data;
      return bind(out, emit(mc, out, T(x).scale * sc));
    }
    uint32_t a = narrow(tid(n.inputs[0]), n.name), b = narrow(tid(n.inputs[1]), n.name);
    bind(out, emit(node(Op::Mul, n.name, {a, b}), out, T(a).scale * T(b).scale));
  }

  // A maximal elementwise region whose only activation input is x, containing a non-linear
  // function: recognised numerically among the table functions and lowered to one lookup.
  bool region(size_t start) {
    const LiveNode& first = m_.nodes[start];
    std::string x;
    for (const auto& in : first.inputs)
      if (!in.empty() && !cst(in)) {
        if (!x.empty() && in != x) return false;
        x = in;
      }
    if (x.empty()) return false;
    std::set<std::string> inside = {x};
    std::vector<size_t> nodes;
    bool grew = true, nonlinear = false;
    while (grew) {
      grew = false;
      for (size_t i = start; i < m_.nodes.size(); ++i) {
        const LiveNode& n = m_.nodes[i];
        if ((done_.count(i) && i != start) || std::find(nodes.begin(), nodes.end(), i) != nodes.end() ||
            !kElementwise.count(n.op))
          continue;
        bool ok = true, touches = false;
        for (const auto& in : n.inputs) {
          if (in.empty()) continue;
          if (inside.count(in)) touches = true;
          else if (const Const* c = cst(in); !c || numel(c->shape) != 1) ok = false;
        }
        if (!ok || !touches) continue;
        nodes.push_back(i);
        for (const auto& o : n.outputs) inside.insert(o);
        if (kNonlinear.count(n.op)) nonlinear = true;
        grew = true;
      }
    }
    if (!nonlinear) return false;
    std::sort(nodes.begin(), nodes.end());
    // The region's result: the one value used outside it.
    std::string result;
    for (size_t i : nodes)
      for (const auto& o : m_.nodes[i].outputs) {
        bool outside = m_.graph_outputs.count(o) > 0;
        for (size_t c : consumers(o))
          if (std::find(nodes.begin(), nodes.end(), c) == nodes.end()) outside = true;
        if (outside) {
          if (!result.empty()) throw NotSupported("node '" + m_.nodes[i].name + "': elementwise region with several results");
          result = o;
        }
      }
    std::string names;
    for (size_t i : nodes) names += (names.empty() ? "" : ", ") + m_.nodes[i].name;
    if (result.empty()) return false;
    // Evaluate the region on sample points and match a table function.
    std::vector<double> pts;
    for (int k = -200; k <= 200; ++k) pts.push_back(k * 0.04);
    std::map<std::string, std::vector<double>> v = {{x, pts}};
    for (size_t i : nodes) {
      const LiveNode& n = m_.nodes[i];
      auto get = [&](size_t k) {
        if (const Const* c = cst(n.inputs[k])) return std::vector<double>(pts.size(), c->data[0]);
        return v.at(n.inputs[k]);
      };
      std::vector<double> a = get(0), r(pts.size());
      std::vector<double> b = n.inputs.size() > 1 ? get(1) : a;
      for (size_t p = 0; p < pts.size(); ++p) {
        double s = a[p], t = b[p];
        const std::string& op = n.op;
        r[p] = op == "Add" ? s + t : op == "Sub" ? s - t : op == "Mul" ? s * t : op == "Div" ? s / t
             : op == "Pow" ? std::pow(s, t) : op == "Sqrt" ? std::sqrt(s) : op == "Sigmoid" ? 1 / (1 + std::exp(-s))
             : op == "Tanh" ? std::tanh(s) : op == "Erf" ? std::erf(s) : op == "Neg" ? -s : 1 / s;
      }
      v[n.outputs[0]] = r;
    }
    const auto& y = v.at(result);
    // Candidates: one table function, or a chain of two (consecutive activations fuse into one table).
    std::vector<std::string> cands(std::begin(kTableFns), std::end(kTableFns));
    for (const char* f1 : kTableFns)
      for (const char* f2 : kTableFns) cands.push_back(std::string(f1) + ">" + f2);
    std::string fn;
    for (const auto& cand : cands) {
      bool match = true;
      for (size_t p = 0; p < pts.size() && match; ++p) {
        double want = model::table_fn_real(cand, pts[p]);
        match = std::abs(y[p] - want) <= 1e-5 * (1 + std::abs(want));
      }
      if (match) {
        fn = cand;
        break;
      }
    }
    if (fn.empty())
      throw NotSupported("elementwise function of '" + x + "' in nodes " + names +
                         " is not a supported table (sigmoid, tanh, silu, gelu_tanh, gelu_erf)");
    for (size_t i : nodes) done_.insert(i);
    bind(result, lookup(narrow(tid(x), first.name), fn, result, names));
    return true;
  }

  uint32_t lookup(uint32_t x, const std::string& fn, const std::string& out, const std::string& node_name) {
    Node n = node(Op::Lookup, node_name, {x});
    double so = scale_for(out, false);
    n.table.fn = fn;
    if (structural()) {
      n.table.in_lo = -1, n.table.values = {0, 0, 0};
      uint32_t y = emit(n, out, so);
      narrow_ids_.insert(y);
      return y;
    }
    auto [im, is] = model::scale_to_fixed(T(x).scale);
    auto [om, os] = model::scale_to_fixed(so);
    n.table.params = {im, is, om, os};
    n.table.in_lo = T(x).lo;
    n.table.values = model::make_table(fn, n.table.params, T(x).lo, T(x).hi - T(x).lo + 1, -qmax_, qmax_);
    uint32_t y = emit(n, out, so);
    return y;
  }

  // ---- softmax and masks --------------------------------------------------------------------
  struct Pending {
    std::string scores;
    Const mask;  // nonzero = masked (for Add masks: the additive constant)
    std::string node;
    bool where;
  };

  static bool mask_like(const Const& c) {
    bool any = false;
    for (double v : c.data) {
      if (v <= -1e4) any = true;
      else if (v != 0) return false;
    }
    return any;
  }

  void where(const LiveNode& n) {
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
    pending_[n.outputs[0]] = {n.inputs[all_neg(a) ? 2 : 1], m, n.name, true};
  }

  void softmax(const LiveNode& n) {
    std::string in = n.inputs[0];
    const auto& shape = m_.shape(in);
    int64_t axis = attr_int(n, "axis", -1);
    if (axis != -1 && axis != int64_t(shape.size()) - 1) throw NotSupported("node '" + n.name + "': Softmax over an axis other than the last");
    std::optional<Pending> mask;
    if (auto it = pending_.find(in); it != pending_.end()) {
      mask = it->second;
      in = it->second.scores;
      pending_.erase(it);
    }
    const std::string& out = n.outputs[0];
    const std::string& nm = n.name;
    int64_t T_len = shape.back();
    // 1. scores at 16 bits
    uint32_t s = tid(in);
    int64_t smax = (int64_t(1) << (kScoreBits - 1)) - 1;
    double ss = structural() ? 1.0 : std::max(stat(T(s).name).absmax(), 1e-8) / double(smax);
    s = requant(s, {T(s).scale}, {1.0}, {}, ss, -smax, smax, out + ":scores", nm + ":scores");
    const int64_t N = int64_t(1) << kExpLog2;
    const double range = (kExpOutBits + 1) * std::log(2.0);  // exp(−d)·2^15 rounds to 0 beyond
    // 2. mask: masked scores become so negative that their distance to any row max exceeds the
    //    exp range, so the exp index saturates at its last entry, which is 0
    if (mask) {
      std::vector<int64_t> mv;
      for (double v : mask->mask.data) mv.push_back(mask->where ? (v != 0) : (v <= -1e4));
      uint32_t mk = constant(out + ":mask", mask->mask.shape, std::move(mv), {}, 1.0);
      Node mf = node(Op::MaskedFill, mask->node, {s, mk});
      mf.fill = structural() ? -1 : -(smax + int64_t(std::ceil(range / ss)) + 1);
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
    bind(out, P);
  }

  // ---- normalization ------------------------------------------------------------------------
  // ReduceMean(x) → Sub(x, mean) → Pow(·, 2) → ReduceMean → Add(eps) → Sqrt → Div(c, ·) [→ Mul(γ) → Add(β)]
  void reduce_mean(size_t i) {
    const LiveNode& n = m_.nodes[i];
    const std::string& x = n.inputs[0];
    const auto& xs = m_.shape(x);
    auto axes = attr_ints(n, "axes");
    if (axes.size() != 1 || (axes[0] != -1 && axes[0] != int64_t(xs.size()) - 1) || attr_int(n, "keepdims", 1) != 1)
      throw NotSupported("node '" + n.name + "': ReduceMean other than over the last axis with keepdims");
    if (auto ln = match_layer_norm(n)) return layer_norm(*ln);
    // A plain mean: sum, then a requant by 1/d.
    uint32_t t = narrow(tid(x), n.name);
    uint32_t sum = emit(node(Op::ReduceSum, n.name + ":sum", {t}), n.outputs[0] + ":sum", T(t).scale);
    double d = double(xs.back());
    uint32_t y = requant(sum, {T(t).scale}, {1.0 / d}, {}, scale_for(n.outputs[0], false), -qmax_, qmax_,
                         n.outputs[0], n.name);
    narrow_ids_.insert(y);
    bind(n.outputs[0], y);
  }

  struct LnMatch {
    std::string x, out, name;
    double eps = 1e-5;
    std::vector<double> gamma, beta;
    bool center = true;  // false: RMSNorm (no mean subtraction)
  };

  std::optional<LnMatch> match_layer_norm(const LiveNode& mean) {
    const std::string& x = mean.inputs[0];
    const LiveNode* sub = sole_consumer(mean.outputs[0], "Sub");
    if (!sub || sub->inputs[0] != x || sub->inputs[1] != mean.outputs[0]) return std::nullopt;
    const std::string& c = sub->outputs[0];
    auto cons = consumers(c);
    if (cons.size() != 2) return std::nullopt;
    const LiveNode *sq = nullptr, *div = nullptr;
    for (size_t k : cons) {
      const LiveNode& u = m_.nodes[k];
      if (u.op == "Pow" && cst(u.inputs[1]) && cst(u.inputs[1])->data[0] == 2.0) sq = &u;
      else if (u.op == "Mul" && u.inputs[0] == c && u.inputs[1] == c) sq = &u;
      else if (u.op == "Div" && u.inputs[0] == c) div = &u;
    }
    if (!sq || !div) return std::nullopt;
    const LiveNode* var = sole_consumer(sq->outputs[0], "ReduceMean");
    if (!var) return std::nullopt;
    const LiveNode* add = sole_consumer(var->outputs[0], "Add");
    if (!add) return std::nullopt;
    const Const* eps = cst(add->inputs[1] == var->outputs[0] ? add->inputs[0] : add->inputs[1]);
    if (!eps || numel(eps->shape) != 1) return std::nullopt;
    const LiveNode* sqrt = sole_consumer(add->outputs[0], "Sqrt");
    if (!sqrt || div->inputs[1] != sqrt->outputs[0]) return std::nullopt;
    LnMatch r{x, div->outputs[0], mean.name, eps->data[0], {}, {}};
    std::vector<const LiveNode*> used = {&mean, sub, sq, var, add, sqrt, div};
    int64_t C = m_.shape(x).back();
    if (const LiveNode* mg = sole_consumer(r.out, "Mul")) {
      const Const* g = cst(mg->inputs[0] == r.out ? mg->inputs[1] : mg->inputs[0]);
      if (g && numel(g->shape) == C) {
        r.gamma = g->data, r.out = mg->outputs[0];
        used.push_back(mg);
        if (const LiveNode* ab = sole_consumer(r.out, "Add")) {
          const Const* b = cst(ab->inputs[0] == r.out ? ab->inputs[1] : ab->inputs[0]);
          if (b && numel(b->shape) == C) r.beta = b->data, r.out = ab->outputs[0], used.push_back(ab);
        }
      }
    }
    for (const LiveNode* u : used) done_.insert(index_of(u));
    return r;
  }

  // RMSNorm: Pow(x, 2) | Mul(x, x) → ReduceMean → Add(eps) → Sqrt → Div(x, ·) | Reciprocal → Mul(x, ·)
  // [→ Mul(γ)]. Returns false (nothing consumed) when n does not start this pattern.
  bool rms_norm(const LiveNode& sq) {
    const std::string& x = sq.inputs[0];
    if (sq.op == "Pow" ? !(cst(sq.inputs[1]) && cst(sq.inputs[1])->data[0] == 2.0) : sq.inputs[1] != x) return false;
    const LiveNode* mean = sole_consumer(sq.outputs[0], "ReduceMean");
    if (!mean) return false;
    auto axes = attr_ints(*mean, "axes");
    int64_t rank = int64_t(m_.shape(x).size());
    if (axes.size() != 1 || (axes[0] != -1 && axes[0] != rank - 1) || attr_int(*mean, "keepdims", 1) != 1) return false;
    const LiveNode* add = sole_consumer(mean->outputs[0], "Add");
    if (!add) return false;
    const Const* eps = cst(add->inputs[1] == mean->outputs[0] ? add->inputs[0] : add->inputs[1]);
    const LiveNode* sqrt = sole_consumer(add->outputs[0], "Sqrt");
    if (!eps || numel(eps->shape) != 1 || !sqrt) return false;
    std::vector<const LiveNode*> used = {&sq, mean, add, sqrt};
    std::string out;
    double k = 1.0;  // a constant numerator k/sqrt(·) (torch.rsqrt exports as Div(1, Sqrt))
    const LiveNode* div = sole_consumer(sqrt->outputs[0], "Div");
    const LiveNode* rec = div ? nullptr : sole_consumer(sqrt->outputs[0], "Reciprocal");
    if (div && div->inputs[0] != x) {
      const Const* kc = cst(div->inputs[0]);
      if (!kc || numel(kc->shape) != 1) return false;
      k = kc->data[0], rec = div, div = nullptr;
    }
    if (div) {
      used.push_back(div), out = div->outputs[0];
    } else if (rec) {
      const LiveNode* mul = sole_consumer(rec->outputs[0], "Mul");
      const std::string& o = mul ? (mul->inputs[0] == rec->outputs[0] ? mul->inputs[1] : mul->inputs[0]) : "";
      if (!mul || o != x) return false;
      used.push_back(rec), used.push_back(mul), out = mul->outputs[0];
    } else {
      return false;
    }
    LnMatch r{x, out, sq.name, eps->data[0], {k}, {}, false};
    if (const LiveNode* mg = sole_consumer(out, "Mul")) {
      const Const* g = cst(mg->inputs[0] == out ? mg->inputs[1] : mg->inputs[0]);
      if (g && numel(g->shape) == m_.shape(x).back()) {
        r.gamma = g->data, r.out = mg->outputs[0], used.push_back(mg);
        for (double& v : r.gamma) v *= k;
      }
    }
    for (const LiveNode* u : used) done_.insert(index_of(u));
    layer_norm(r);
    return true;
  }

  void layer_norm_op(const LiveNode& n) {
    int64_t axis = attr_int(n, "axis", -1);
    const auto& xs = m_.shape(n.inputs[0]);
    if (axis != -1 && axis != int64_t(xs.size()) - 1) throw NotSupported("node '" + n.name + "': LayerNormalization over several axes");
    LnMatch r{n.inputs[0], n.outputs[0], n.name, attr_float(n, "epsilon", 1e-5), {}, {}};
    const Const* g = cst(n.inputs.size() > 1 ? n.inputs[1] : "");
    const Const* b = cst(n.inputs.size() > 2 ? n.inputs[2] : "");
    if (!g) throw NotSupported("node '" + n.name + "': non-constant LayerNormalization scale");
    r.gamma = g->data;
    if (b) r.beta = b->data;
    layer_norm(r);
  }

  // Integer LayerNorm: mean by a requant, centred c, Σc², variance code → rsqrt table, c·rsqrt,
  // then γ/β as the per-channel requant multiplier and offset.
  void layer_norm(const LnMatch& ln) {
    const std::string& out = ln.out;
    const std::string& nm = ln.name;
    uint32_t x = narrow(tid(ln.x), nm);
    double sx = T(x).scale;
    int64_t d = T(x).shape.back();
    uint32_t c = x;
    if (ln.center) {
      uint32_t sum = emit(node(Op::ReduceSum, nm + ":sum", {x}), out + ":sum", sx);
      uint32_t mean = requant(sum, {sx}, {1.0 / double(d)}, {}, sx, T(x).lo, T(x).hi, out + ":mean", nm + ":mean");
      c = emit(node(Op::Sub, nm + ":center", {x, mean}), out + ":c", sx);
    }
    // Σc² must stay within (p−1)/2: wide activations square a rounded c·2^−t instead.
    uint32_t cs = c;
    int t = 0;
    if (!structural()) {
      const __int128 cmax = std::max(-T(c).lo, T(c).hi), limit = (int64_t(kP) - 1) / 2;
      while (__int128(d) * ((cmax >> t) + 1) * ((cmax >> t) + 1) > limit) ++t;
    }
    if (t > 0) {
      Node sh = node(Op::Requant, nm + ":square_shift", {c});
      sh.mult = {1}, sh.shift = t, sh.real_mult = {1.0};
      int64_t half = int64_t(1) << (t - 1);
      sh.lo = (T(c).lo + half) >> t, sh.hi = (T(c).hi + half) >> t;
      cs = emit(sh, out + ":c_shift", std::ldexp(sx, t));
    }
    double sc = T(cs).scale;
    uint32_t c2 = emit(node(Op::Mul, nm + ":square", {cs, cs}), out + ":c2", sc * sc);
    uint32_t V = emit(node(Op::ReduceSum, nm + ":sumsq", {c2}), out + ":sumsq", sc * sc);
    // variance code v ∈ [1, 2^16): var_real = V·sx²/d + eps at the calibrated scale sv
    int64_t vmax = (int64_t(1) << kVarBits) - 1;
    double sv = 1.0;
    if (!structural()) {
      double top = stat(out + ":var").hi;
      sv = std::max(top, ln.eps) / double(vmax);
    }
    uint32_t var = requant(V, {sc * sc}, {1.0 / double(d)}, {ln.eps}, sv, 1, vmax, out + ":var", nm + ":variance");
    // r = 2^ns / sqrt(var_real), with c·r below the product budget
    Node rs = node(Op::Lookup, nm + ":rsqrt", {var});
    rs.table.fn = "rsqrt";
    int ns = 0;
    if (structural()) {
      rs.table.in_lo = -1, rs.table.values = {0, 0, 0};
    } else {
      double cmax = double(std::max(-T(c).lo, T(c).hi));
      ns = std::clamp(int(std::floor(std::log2(double(kProductBudget) / cmax * std::sqrt(sv)))), 0, 30);
      auto [im, is] = model::scale_to_fixed(sv);
      rs.table.params = {ns, im, is};
      rs.table.in_lo = 1;
      rs.table.values = model::make_table("rsqrt", rs.table.params, 1, vmax, 0, int64_t(1) << 30);
    }
    uint32_t r = emit(rs, out + ":rsqrt", std::ldexp(1.0, -ns));
    uint32_t nrm = emit(node(Op::Mul, nm + ":normalize", {c, r}), out + ":n", sx * std::ldexp(1.0, -ns));
    std::vector<double> gamma = ln.gamma.empty() ? std::vector<double>{1.0} : ln.gamma;
    uint32_t y = requant(nrm, {T(nrm).scale}, gamma, ln.beta, scale_for(out, false), -qmax_, qmax_, out, nm + ":affine");
    narrow_ids_.insert(y);
    bind(out, y);
  }

  // ---- index maps ---------------------------------------------------------------------------
  uint32_t index_node(Node n, const std::string& out, uint32_t x) {
    bool nar = narrow_ids_.count(x) > 0;
    uint32_t y = emit(std::move(n), out, T(x).scale);
    if (nar) narrow_ids_.insert(y);
    return y;
  }

  void reshape(const LiveNode& n) {
    uint32_t x = tid(n.inputs[0]);
    const auto& os = m_.shape(n.outputs[0]);
    if (os == T(x).shape) return bind(n.outputs[0], x);
    Node r = node(Op::Reshape, n.name, {x});
    r.ints = os;
    bind(n.outputs[0], index_node(r, n.outputs[0], x));
  }

  void transpose(const LiveNode& n) {
    uint32_t x = tid(n.inputs[0]);
    auto perm = attr_ints(n, "perm");
    if (perm.empty())
      for (size_t i = T(x).shape.size(); i-- > 0;) perm.push_back(int64_t(i));
    Node t = node(Op::Transpose, n.name, {x});
    t.ints = perm;
    bind(n.outputs[0], index_node(t, n.outputs[0], x));
  }

  void slice_axis(uint32_t x, int64_t axis, int64_t start, int64_t end, int64_t step, const std::string& out,
                  const std::string& name) {
    Node s = node(Op::Slice, name, {x});
    s.axes = {axis}, s.starts = {start}, s.ends = {end}, s.steps = {step};
    bind(out, index_node(s, out, x));
  }

  void slice(const LiveNode& n) {
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

  void split(const LiveNode& n) {
    uint32_t x = tid(n.inputs[0]);
    const model::Shape xs = T(x).shape;  // a copy: slice_axis adds tensors, which may move T(x)
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

  void concat(const LiveNode& n) {
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

  void gather(const LiveNode& n) {
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

  const OnnxModel& m_;
  const StatsMap* stats_;
  int bits_;
  int64_t qmax_;
  Graph g_;
  std::map<std::string, uint32_t> val_;
  std::set<size_t> done_;
  std::set<uint32_t> narrow_ids_;
  std::map<std::string, int> name_count_;
  std::map<std::string, Pending> pending_;
};

// Float-track statistics of every tensor over the calibration inputs.
StatsMap calibrate(const Graph& g, const std::vector<std::vector<model::InputTensor>>& sets) {
  StatsMap stats;
  for (const auto& set : sets) {
    auto inputs = model::match_inputs(g, set);
    std::vector<std::vector<float>> fin;
    for (auto& t : inputs) fin.push_back(t.data);
    auto vals = model::forward_float(g, fin);
    for (size_t i = 0; i < vals.size(); ++i) {
      Stats& s = stats[g.tensors[i].name];
      for (float v : vals[i])
        if (std::isfinite(v)) s.lo = std::min(s.lo, double(v)), s.hi = std::max(s.hi, double(v));
    }
  }
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
      for (int64_t i = 0; i < numel(shape); ++i) t.data.push_back(float(normal(rng)));
      set.push_back(std::move(t));
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace

Graph import_onnx(std::span<const uint8_t> bytes, const ImportOptions& opt) {
  if (opt.act_bits < 2 || opt.act_bits > 16) throw BadInput("activation bits must be in [2, 16]");
  OnnxModel m = load_onnx(bytes);
  Graph structure = Lowerer(m, opt, nullptr).run();
  bool synthetic = opt.calibration.empty();
  StatsMap stats = calibrate(structure, synthetic ? default_calibration(m, opt.default_samples) : opt.calibration);
  Graph g = Lowerer(m, opt, &stats).run();
  g.notes.push_back("activations " + std::to_string(opt.act_bits) + " bits, int8 per-channel weights");
  g.notes.push_back(synthetic ? "calibration: " + std::to_string(opt.default_samples) + " synthetic N(0,1) inputs (default)"
                              : "calibration: " + std::to_string(opt.calibration.size()) + " given inputs");
  model::validate(g);
  return g;
}

std::vector<std::vector<model::InputTensor>> parse_calibration_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw BadInput(std::string("malformed calibration JSON: ") + e.what());
  }
  if (!j.is_array() || j.empty()) throw BadInput("calibration JSON: expected a non-empty array of input sets");
  std::vector<std::vector<model::InputTensor>> sets;
  for (const auto& item : j) sets.push_back(model::parse_inputs_json(item.dump()));
  return sets;
}

}  // namespace zkm31::onnx_import
