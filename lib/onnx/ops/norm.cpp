// LayerNorm (decomposed or the opset-17 op), RMSNorm, and ReduceMean over the last axis.
#include <algorithm>

#include "error/error.hpp"
#include "field/m31.hpp"
#include "model/tables.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

namespace {

constexpr int kVarBits = 16;  // variance code for the rsqrt table: [1, 2^16)

}  // namespace

// ReduceMean over the last axis (keepdims) that starts a decomposed LayerNorm:
// ReduceMean(x) → Sub(x, mean) → Pow(·, 2) → ReduceMean → Add(eps) → Sqrt → Div(c, ·) [→ Mul(γ) → Add(β)];
// any other ReduceMean is a plain mean (ops/reduce.cpp).
void Lowerer::lower_reduce_mean(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const auto& xs = m_.shape(n.inputs[0]);
  auto axes = attr_ints(n, "axes");
  bool last = axes.size() == 1 && (axes[0] == -1 || axes[0] == int64_t(xs.size()) - 1) && attr_int(n, "keepdims", 1) == 1;
  if (last)
    if (auto ln = match_layer_norm(n)) return layer_norm(*ln);
  reduce_node(n, Op::ReduceSum, true);
}

std::optional<Lowerer::LnMatch> Lowerer::match_layer_norm(const LiveNode& mean) {
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
bool Lowerer::rms_norm(const LiveNode& sq) {
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

void Lowerer::lower_layer_norm(size_t i) {
  const LiveNode& n = m_.nodes[i];
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
void Lowerer::layer_norm(const LnMatch& ln) {
  const std::string& out = ln.out;
  const std::string& nm = ln.name;
  // The residual stream is normalized at its own width (Σc² pre-shifted below when it must be).
  uint32_t x = wide_ids_.count(tid(ln.x)) ? tid(ln.x) : narrow(tid(ln.x), nm);
  double sx = T(x).scale;
  int64_t d = T(x).shape.back();
  uint32_t c = x;
  if (ln.center) {
    uint32_t sum = emit(node(Op::ReduceSum, nm + ":sum", {x}), out + ":sum", sx);
    uint32_t mean = requant(sum, {sx}, {1.0 / double(d)}, {}, sx, T(x).lo, T(x).hi, out + ":mean", nm + ":mean");
    c = emit(node(Op::Sub, nm + ":center", {x, mean}), out + ":c", sx);
  }
  // Σc² must stay inside the product budget (its requant to the variance code is then unique mod p
  // with room for the clamp window): wide activations square a rounded c·2^−t instead.
  uint32_t cs = c;
  int t = 0;
  if (!structural()) {
    const __int128 cmax = std::max(-T(c).lo, T(c).hi), limit = kProductBudget;
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
    // Σc²·sc²/d at sv with a power-of-two ratio: the requant multiplier is then exact (a narrow one,
    // as wide sums leave, misscaled every row's variance by up to 1.5 %).
    const double ratio = sc * sc / double(d) / sv;
    sv = sc * sc / double(d) / std::ldexp(1.0, int(std::floor(std::log2(ratio))));
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

// BatchNormalization in inference form: y = (x − mean)·γ/√(var + ε) + β per channel (axis 1), one
// requant with a per-channel multiplier and offset over x with its channel axis moved last.
void Lowerer::lower_batch_norm(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  if (attr_int(n, "training_mode", 0) || (n.outputs.size() > 1 && !n.outputs[1].empty()))
    throw NotSupported("node '" + n.name + "': BatchNormalization in training mode (running statistics as outputs)");
  const Const *g = cst(n.inputs.at(1)), *b = cst(n.inputs.at(2)), *mean = cst(n.inputs.at(3)), *var = cst(n.inputs.at(4));
  if (!g || !b || !mean || !var) throw NotSupported("node '" + n.name + "': BatchNormalization with non-constant parameters");
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  const model::Shape xs = T(x).shape;
  if (xs.size() < 2) throw BadInput("node '" + n.name + "': BatchNormalization of a tensor without a channel axis");
  const int64_t C = xs[1];
  if (numel(g->shape) != C || numel(b->shape) != C || numel(mean->shape) != C || numel(var->shape) != C)
    throw BadInput("node '" + n.name + "': BatchNormalization parameters are not one per channel");
  const double eps = attr_float(n, "epsilon", 1e-5);
  std::vector<double> a(static_cast<size_t>(C)), off(static_cast<size_t>(C));
  for (size_t c = 0; c < size_t(C); ++c) {
    a[c] = g->data[c] / std::sqrt(var->data[c] + eps);
    off[c] = b->data[c] - mean->data[c] * a[c];
  }
  std::vector<int64_t> perm = {0};
  for (int64_t d = 2; d < int64_t(xs.size()); ++d) perm.push_back(d);
  perm.push_back(1);
  const bool move = xs.size() > 2;
  uint32_t t = x;
  if (move) {
    Node tr = node(Op::Transpose, n.name + ":channels_last", {x});
    tr.ints = perm;
    t = index_node(tr, out + ":nhwc", x);
  }
  const bool relu_fed = sole_consumer(out, "Relu") != nullptr;
  const std::string cl = move ? out + ":cl" : out;
  uint32_t y = requant(t, {T(t).scale}, a, off, scale_for(cl, relu_fed), -qmax_, qmax_, cl, n.name);
  narrow_ids_.insert(y);
  if (move) {
    std::vector<int64_t> inv(perm.size());
    for (size_t d = 0; d < perm.size(); ++d) inv[size_t(perm[d])] = int64_t(d);
    Node back = node(Op::Transpose, n.name + ":channels_first", {y});
    back.ints = inv;
    y = index_node(back, out, y);
  }
  bind(out, y);
}

}  // namespace zkm31::onnx_import
