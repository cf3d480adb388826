#include "synthetic/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "error/error.hpp"
#include "model/forward.hpp"
#include "model/tables.hpp"

namespace zkm31::synthetic {

using model::Node;
using model::Op;
using model::Shape;
using model::TensorKind;

namespace {

constexpr int64_t kQmax = 511;                       // 10-bit activations
constexpr double kProductBudget = double(1 << 29);   // |x|max·M + … (the importer's budget)
constexpr int kMinMultBits = 12, kGuardBits = 3, kMaxMultBits = 24;
constexpr int64_t kScoreMax = 32767, kVarMax = 65535;  // softmax scores, LayerNorm variance code
constexpr int kExpLog2 = 10, kExpOutBits = 15, kRecipShift = 14;

int64_t bits_of(double v) { return v < 1 ? 0 : int64_t(std::floor(std::log2(v))) + 1; }

// A graph tensor with the real scale of its integers and the nominal standard deviation of its real
// values (what calibration would measure), from which output scales are set: absmax ≈ 4σ.
struct Act {
  uint32_t id;
  double scale, sigma;
};

struct Builder {
  model::Graph g;
  std::mt19937 rng;

  const model::Tensor& T(uint32_t id) const { return g.tensors[id]; }

  uint32_t tensor(const std::string& name, TensorKind kind, Shape shape, int64_t lo, int64_t hi) {
    g.tensors.push_back({name, kind, std::move(shape), model::signed_bits(lo, hi), lo, hi, 1.0});
    return uint32_t(g.tensors.size() - 1);
  }

  uint32_t emit(Node n, const std::string& name) {
    n.name = name;
    const uint32_t out = tensor(name, TensorKind::Activation, {}, 0, 0);
    n.outputs = {out};
    const model::Inferred r = model::infer(g, n);
    model::Tensor& t = g.tensors[out];
    t.shape = r.shape, t.lo = r.lo, t.hi = r.hi, t.bits = model::signed_bits(r.lo, r.hi);
    if (n.op == Op::MatMul) n.acc_bound = std::max(-r.lo, r.hi);
    g.nodes.push_back(std::move(n));
    return out;
  }

  uint32_t op(Op o, const std::string& name, std::vector<uint32_t> in) {
    Node n;
    n.op = o, n.inputs = std::move(in);
    return emit(std::move(n), name);
  }

  uint32_t constant(const std::string& name, Shape shape, std::vector<int64_t> values) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const uint32_t id = tensor(name, TensorKind::Constant, std::move(shape), std::min<int64_t>(*lo, 0), std::max<int64_t>(*hi, 0));
    g.constants.push_back({id, std::move(values), {}});
    return id;
  }

  // y ≈ x·r[c] + o[c] in output integers, clamped to [lo, hi] (per channel c or scalar), with the
  // importer's rule: the widest M the product budget allows, after a rounding pre-shift (M = 1)
  // when M would be narrower than kMinMultBits.
  uint32_t requant(uint32_t x, std::vector<double> r, std::vector<double> o, int64_t lo, int64_t hi, const std::string& name) {
    double rmax = 1e-30, omax = 0;
    for (double v : r) rmax = std::max(rmax, std::abs(v));
    for (double v : o) omax = std::max(omax, std::abs(v));
    const double xfull = double(std::max(-T(x).lo, T(x).hi));
    auto shift_for = [&](double pre) {
      const double xm = std::ceil(xfull / pre) + 1.0, rm = rmax * pre;
      const double room = kProductBudget / (xm * rm + omax + 1.0);
      return std::min({int(std::floor(std::log2(room))), kMaxMultBits - 1 - int(std::floor(std::log2(rm))), 40});
    };
    int s = shift_for(1.0);
    const int s1 = std::log2(rmax) + s < kMinMultBits ? std::max(0, int(std::floor(-std::log2(rmax))) - kGuardBits) : 0;
    if (s1 > 0) {
      Node p;
      p.op = Op::Requant, p.inputs = {x}, p.mult = {1}, p.shift = s1, p.real_mult = {1.0};
      const int64_t half = int64_t(1) << (s1 - 1);
      p.lo = (T(x).lo + half) >> s1, p.hi = (T(x).hi + half) >> s1;
      x = emit(finish(p), name + ":preshift");
      s = shift_for(std::ldexp(1.0, s1));
      for (double& v : r) v = std::ldexp(v, s1);
    }
    if (s < 0) throw NotSupported("synthetic requant " + name + ": ratio too large");
    Node n;
    n.op = Op::Requant, n.inputs = {x}, n.shift = s, n.lo = lo, n.hi = hi;
    const bool scalar = std::all_of(r.begin(), r.end(), [&](double v) { return v == r[0]; });
    for (size_t c = 0; c < (scalar ? 1 : r.size()); ++c) n.mult.push_back(std::llround(std::ldexp(r[c], s)));
    if (omax > 0)
      for (double v : o) n.offset.push_back(std::llround(std::ldexp(v, s)));
    n.real_mult = {1.0};
    return emit(finish(n), name);
  }

  // The bound on |q + e| a requant's decomposition needs (as the importer sets it).
  Node finish(Node n) const {
    const model::Tensor& x = T(n.inputs[0]);
    __int128 xmax = std::max(-x.lo, x.hi), mmax = 0, bmax = 0;
    for (int64_t v : n.mult) mmax = std::max<__int128>(mmax, v < 0 ? -v : v);
    for (int64_t v : n.offset) bmax = std::max<__int128>(bmax, v < 0 ? -v : v);
    const __int128 top = xmax * mmax + bmax + (n.shift ? __int128(1) << (n.shift - 1) : 0);
    n.unclamped_bound = int64_t(std::min<__int128>((top >> n.shift) + 1, INT64_MAX));
    return n;
  }

  // An int10 activation at the nominal scale of σ.
  Act narrow(uint32_t x, double in_scale, double sigma, const std::string& name, std::vector<double> per_channel = {1.0},
             std::vector<double> offsets = {}) {
    const double out = 4.0 * sigma / double(kQmax);
    for (double& v : per_channel) v *= in_scale / out;
    for (double& v : offsets) v /= out;
    return {requant(x, per_channel, offsets, -kQmax, kQmax, name), out, sigma};
  }

  uint32_t lookup(uint32_t x, const std::string& fn, std::vector<int64_t> params, int64_t out_lo, int64_t out_hi,
                  const std::string& name) {
    Node n;
    n.op = Op::Lookup, n.inputs = {x};
    n.table.fn = fn, n.table.in_lo = T(x).lo, n.table.params = params;
    n.table.values = model::make_table(fn, params, T(x).lo, T(x).hi - T(x).lo + 1, out_lo, out_hi);
    return emit(std::move(n), name);
  }

  // An elementwise function table at the activation width (sigmoid, silu, gelu_tanh).
  Act function(const Act& x, const std::string& fn, const std::string& name) {
    const auto [im, is] = model::scale_to_fixed(x.scale);
    const auto [om, os] = model::scale_to_fixed(x.scale);
    return {lookup(x.id, fn, {im, is, om, os}, -kQmax, kQmax, name), x.scale, x.sigma};
  }

  uint32_t weight(const std::string& name, Shape shape, std::vector<int32_t> values, std::vector<double> scales) {
    const auto [a, b] = std::minmax_element(values.begin(), values.end());
    const int bits = model::signed_bits(std::min<int64_t>(*a, 0), std::max<int64_t>(*b, 0));
    const uint32_t id = tensor(name, TensorKind::Weight, std::move(shape), -(int64_t(1) << (bits - 1)),
                               (int64_t(1) << (bits - 1)) - 1);
    g.weights.push_back({id, std::move(values), {}, std::move(scales)});
    return id;
  }

  // x·W (+ b), W [K, N] uniform int8 with real σ 1/√K per entry (so the output keeps x's σ),
  // per-column scales, then the requant back to 10 bits.
  Act linear(const Act& x, int64_t N, bool bias, const std::string& name) {
    const int64_t K = T(x.id).shape.back();
    std::uniform_int_distribution<int32_t> w8(-127, 127);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::vector<int32_t> w(static_cast<size_t>(K * N));
    for (int32_t& v : w) v = w8(rng);
    std::vector<double> ws(static_cast<size_t>(N));
    for (double& v : ws) v = (1.0 + 0.1 * unit(rng)) / std::sqrt(double(K)) / (127.0 / std::sqrt(3.0));
    std::vector<uint32_t> in{x.id, weight(name + ".weight", {K, N}, std::move(w), ws)};
    if (bias) {
      std::vector<int32_t> b(static_cast<size_t>(N));
      for (size_t n = 0; n < b.size(); ++n) b[n] = int32_t(std::llround(0.1 * unit(rng) / (x.scale * ws[n])));
      in.push_back(weight(name + ".bias", {N}, std::move(b), {}));
    }
    const uint32_t acc = op(Op::MatMul, name, std::move(in));
    std::vector<double> r(static_cast<size_t>(N));
    for (size_t n = 0; n < r.size(); ++n) r[n] = x.scale * ws[n];
    return narrow(acc, 1.0, x.sigma, name + ":requant", r);
  }

  // LayerNorm (centred, γ and β) or RMSNorm (γ only) over the last axis, as the importer lowers it.
  Act norm(const Act& x, bool center, const std::string& name) {
    const int64_t d = T(x.id).shape.back();
    uint32_t c = x.id;
    if (center) {
      const uint32_t sum = op(Op::ReduceSum, name + ":sum", {x.id});
      const uint32_t mean = requant(sum, {1.0 / double(d)}, {}, T(x.id).lo, T(x.id).hi, name + ":mean");
      c = op(Op::Sub, name + ":center", {x.id, mean});
    }
    // Σc² stays within (p−1)/2: square c·2^−t when c is wide.
    const __int128 cmax = std::max(-T(c).lo, T(c).hi), limit = (int64_t(kP) - 1) / 2;
    int t = 0;
    while (__int128(d) * ((cmax >> t) + 1) * ((cmax >> t) + 1) > limit) ++t;
    uint32_t cs = c;
    if (t > 0) cs = requant(c, {std::ldexp(1.0, -t)}, {}, (T(c).lo >> t) - 1, (T(c).hi >> t) + 1, name + ":square_shift");
    const double sc = x.scale * std::ldexp(1.0, t);
    const uint32_t c2 = op(Op::Mul, name + ":square", {cs, cs});
    const uint32_t V = op(Op::ReduceSum, name + ":sumsq", {c2});
    const double sv = 4.0 * x.sigma * x.sigma / double(kVarMax);  // calibrated top of the variance
    const double eps = 1e-5;
    const uint32_t var = requant(V, {sc * sc / double(d) / sv}, {eps / sv}, 1, kVarMax, name + ":variance");
    const int ns = std::clamp(int(std::floor(std::log2(kProductBudget / double(cmax) * std::sqrt(sv)))), 0, 30);
    const auto [im, is] = model::scale_to_fixed(sv);
    const uint32_t r = lookup(var, "rsqrt", {ns, im, is}, 0, int64_t(1) << 30, name + ":rsqrt");
    const uint32_t nrm = op(Op::Mul, name + ":normalize", {c, r});
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::vector<double> gamma(static_cast<size_t>(d)), beta;
    for (double& v : gamma) v = 1.0 + 0.1 * unit(rng);
    if (center)
      for (int64_t i = 0; i < d; ++i) beta.push_back(0.1 * unit(rng));
    return narrow(nrm, x.scale * std::ldexp(1.0, -ns), 1.0, name + ":affine", gamma, beta);
  }

  uint32_t index_op(Op o, const std::string& name, uint32_t x, std::vector<int64_t> ints) {
    Node n;
    n.op = o, n.inputs = {x}, n.ints = std::move(ints);
    return emit(std::move(n), name);
  }

  uint32_t slice(uint32_t x, int64_t axis, int64_t start, int64_t end, const std::string& name) {
    Node n;
    n.op = Op::Slice, n.inputs = {x}, n.axes = {axis}, n.starts = {start}, n.ends = {end}, n.steps = {1};
    return emit(std::move(n), name);
  }

  // a + b as the importer lowers a residual add: both scaled to a common fine scale by mul_const,
  // added, and requantized.
  Act residual(const Act& a, const Act& b, const std::string& name) {
    const double sigma = std::sqrt(a.sigma * a.sigma + b.sigma * b.sigma), sy = 4.0 * sigma / double(kQmax);
    const double amax = double(kQmax) * a.scale, bmax = double(kQmax) * b.scale;
    const int sh = std::clamp(int(std::floor(std::log2(kProductBudget / 4 * sy / (amax + bmax)))), 0, 30);
    const double sc = sy / std::ldexp(1.0, sh);
    auto scaled = [&](const Act& x, const char* part) {
      const int64_t M = std::max<int64_t>(1, std::llround(x.scale / sc));
      Node k;
      k.op = Op::MulConst, k.inputs = {x.id, constant(name + ":" + part + ":M", {1}, {M})}, k.real_mult = {1.0};
      return emit(std::move(k), name + ":scale_" + part);
    };
    const uint32_t sum = op(Op::Add, name, {scaled(a, "a"), scaled(b, "b")});
    return {requant(sum, {sc / sy}, {}, -kQmax, kQmax, name + ":requant"), sy, sigma};
  }

  // Causal softmax over the last axis of scores [1, H, T, T] at `scale` (the importer's lowering).
  Act softmax(uint32_t scores, double scale, double absmax, const std::string& name) {
    const int64_t T_len = T(scores).shape.back();
    const double ss = absmax / double(kScoreMax);
    uint32_t s = requant(scores, {scale / ss}, {}, -kScoreMax, kScoreMax, name + ":scores");
    const double range = (kExpOutBits + 1) * std::log(2.0);
    std::vector<int64_t> mask;
    for (int64_t i = 0; i < T_len; ++i)
      for (int64_t j = 0; j < T_len; ++j) mask.push_back(j > i);
    Node mf;
    mf.op = Op::MaskedFill, mf.inputs = {s, constant(name + ":mask", {T_len, T_len}, std::move(mask))};
    mf.fill = -(kScoreMax + int64_t(std::ceil(range / ss)) + 1);
    s = emit(std::move(mf), name + ":masked");
    const uint32_t mx = op(Op::ReduceMax, name + ":max", {s});
    const uint32_t d = op(Op::Sub, name + ":sub", {mx, s});
    const int64_t N = int64_t(1) << kExpLog2;
    const double step = range / double(N);
    const uint32_t idx = requant(d, {ss / step}, {}, 0, N - 1, name + ":exp_index");
    const auto [im, is] = model::scale_to_fixed(step);
    const uint32_t E = lookup(idx, "exp_neg", {im, is, 1, kExpOutBits}, 0, int64_t(1) << kExpOutBits, name + ":exp");
    const uint32_t Z = op(Op::ReduceSum, name + ":sum", {E});
    const int64_t zmax = T_len << kExpOutBits;
    const int sz = int(std::max<int64_t>(0, bits_of(double(zmax)) - 14));
    const int64_t zlo = std::max<int64_t>(1, (int64_t(1) << kExpOutBits) >> sz), zhi = (zmax >> sz) + 1;
    const uint32_t Zq = requant(Z, {std::ldexp(1.0, -sz)}, {}, zlo, zhi, name + ":sum_requant");
    const uint32_t R = lookup(Zq, "recip", {kRecipShift, 1, kExpOutBits - sz}, 0, int64_t(1) << kRecipShift, name + ":recip");
    const uint32_t PE = op(Op::Mul, name + ":mul", {E, R});
    const double sp = 1.0 / double(kQmax);
    return {requant(PE, {std::ldexp(1.0, -kExpOutBits - kRecipShift) / sp}, {}, 0, kQmax, name + ":prob"), sp, 0.25};
  }

  // Rotary embedding (rotate-half) of x [1, T, H, hd] at positions 0..T−1: x·cos + rot(x)·sin',
  // rot(x) = concat(x2, x1) and sin' = (−sin, sin) over the two halves, both tables public.
  Act rope(const Act& x, const std::string& name) {
    const Shape& s = T(x.id).shape;
    const int64_t Tn = s[1], hd = s[3], half = hd / 2;
    std::vector<int64_t> cosv, sinv;
    for (int64_t t = 0; t < Tn; ++t)
      for (int64_t i = 0; i < hd; ++i) {
        const double a = double(t) * std::pow(1e6, -double(i % half) / double(half));
        cosv.push_back(std::llround(std::cos(a) * kScoreMax));
        sinv.push_back(std::llround((i < half ? -1.0 : 1.0) * std::sin(a) * kScoreMax));
      }
    Node rot;
    rot.op = Op::Concat, rot.axis = 3;
    rot.inputs = {slice(x.id, 3, half, hd, name + ":x2"), slice(x.id, 3, 0, half, name + ":x1")};
    const uint32_t r = emit(std::move(rot), name + ":rotate_half");
    auto times = [&](uint32_t v, std::vector<int64_t> table, const std::string& what) {
      Node k;
      k.op = Op::MulConst, k.inputs = {v, constant(name + ":" + what, {Tn, 1, hd}, std::move(table))}, k.real_mult = {1.0};
      return emit(std::move(k), name + ":" + what + "_mul");
    };
    const uint32_t sum = op(Op::Add, name, {times(x.id, cosv, "cos"), times(r, sinv, "sin")});
    return {requant(sum, {1.0 / kScoreMax}, {}, -kQmax, kQmax, name + ":requant"), x.scale, x.sigma};
  }

  // Pre-norm causal self-attention of h [1, T, d]; returns the projected output.
  Act attention(const TransformerShape& sh, const Act& h, const std::string& p) {
    const int64_t Tn = sh.seq, H = sh.heads, KV = sh.kv_heads, hd = sh.head_dim;
    auto heads = [&](const Act& x, int64_t n, const std::string& nm) {
      return Act{index_op(Op::Reshape, nm + ":heads", x.id, {1, Tn, n, hd}), x.scale, x.sigma};
    };
    Act q, k, v;
    if (sh.swiglu) {  // separate q/k/v projections (GQA), no biases
      q = heads(linear(h, H * hd, false, p + "q_proj"), H, p + "q");
      k = heads(linear(h, KV * hd, false, p + "k_proj"), KV, p + "k");
      v = heads(linear(h, KV * hd, false, p + "v_proj"), KV, p + "v");
    } else {
      const Act qkv = linear(h, 3 * sh.d_model, true, p + "attn.c_attn");
      auto part = [&](int64_t i, const char* nm) {
        return heads({slice(qkv.id, 2, i * sh.d_model, (i + 1) * sh.d_model, p + "split:" + nm), qkv.scale, qkv.sigma}, H,
                     p + nm);
      };
      q = part(0, "q"), k = part(1, "k"), v = part(2, "v");
    }
    if (sh.qk_norm) q = norm(q, false, p + "q_norm"), k = norm(k, false, p + "k_norm");
    if (sh.rope) q = rope(q, p + "rope_q"), k = rope(k, p + "rope_k");
    if (KV != H) {  // each KV head serves H/KV query heads
      auto repeat = [&](const Act& x, const std::string& nm) {
        Node n;
        n.op = Op::Gather, n.inputs = {x.id}, n.axis = 2, n.idx_shape = {H};
        for (int64_t i = 0; i < H; ++i) n.ints.push_back(i / (H / KV));
        return Act{emit(std::move(n), nm), x.scale, x.sigma};
      };
      k = repeat(k, p + "k:repeat"), v = repeat(v, p + "v:repeat");
    }
    const uint32_t qt = index_op(Op::Transpose, p + "q:transpose", q.id, {0, 2, 1, 3});
    const uint32_t kt = index_op(Op::Transpose, p + "k:transpose", k.id, {0, 2, 3, 1});
    const uint32_t vt = index_op(Op::Transpose, p + "v:transpose", v.id, {0, 2, 1, 3});
    const uint32_t scores = op(Op::MatMul, p + "scores", {qt, kt});
    // the importer's identity requant of the division by √hd (a change of real scale only)
    Node div;
    div.op = Op::Requant, div.inputs = {scores}, div.mult = {1}, div.lo = T(scores).lo, div.hi = T(scores).hi, div.real_mult = {1.0};
    const uint32_t scaled = emit(finish(div), p + "scores:div");
    const Act P = softmax(scaled, q.scale * k.scale / std::sqrt(double(hd)), 6.0, p + "softmax");
    const uint32_t pv = op(Op::MatMul, p + "attn", {P.id, vt});
    const uint32_t back = index_op(Op::Transpose, p + "attn:transpose", pv, {0, 2, 1, 3});
    const uint32_t merged = index_op(Op::Reshape, p + "attn:merge", back, {1, Tn, H * hd});
    const Act a = narrow(merged, P.scale * v.scale, v.sigma, p + "attn:requant");
    return linear(a, sh.d_model, !sh.swiglu, p + (sh.swiglu ? "o_proj" : "attn.c_proj"));
  }

  Act mlp(const TransformerShape& sh, const Act& h, const std::string& p) {
    if (!sh.swiglu) return linear(function(linear(h, sh.hidden, true, p + "mlp.c_fc"), "gelu_tanh", p + "gelu"), sh.d_model, true, p + "mlp.c_proj");
    const Act gate = function(linear(h, sh.hidden, false, p + "gate_proj"), "silu", p + "silu");
    const Act up = linear(h, sh.hidden, false, p + "up_proj");
    const uint32_t prod = op(Op::Mul, p + "gate_up", {gate.id, up.id});
    // 9 bits: a 10-bit input would let the down projection's K = hidden accumulator wrap
    const double so = 4.0 * gate.sigma * up.sigma / 255.0;
    const Act m{requant(prod, {gate.scale * up.scale / so}, {}, -255, 255, p + "gate_up:requant"), so, gate.sigma * up.sigma};
    return linear(m, sh.d_model, false, p + "down_proj");
  }
};

}  // namespace

TransformerShape gpt2_small_body() { return {}; }

TransformerShape qwen3_14b_block() {
  TransformerShape s;
  s.d_model = 5120, s.heads = 40, s.kv_heads = 8, s.head_dim = 128, s.hidden = 17408, s.seq = 8, s.blocks = 1;
  s.rms_norm = s.qk_norm = s.rope = s.swiglu = true;
  s.final_norm = false;
  return s;
}

model::Graph transformer(const TransformerShape& s, uint32_t seed) {
  if (s.heads % s.kv_heads || (s.rope && s.head_dim % 2) || (!s.swiglu && s.heads * s.head_dim != s.d_model))
    throw BadInput("synthetic transformer: inconsistent head shape");
  Builder b{{}, std::mt19937(seed)};
  b.g.name = "synthetic-transformer";
  Act x{b.tensor("x", TensorKind::Input, {1, s.seq, s.d_model}, -kQmax, kQmax), 4.0 / double(kQmax), 1.0};
  b.g.inputs = {x.id};
  for (int64_t i = 0; i < s.blocks; ++i) {
    const std::string p = "h." + std::to_string(i) + ".";
    x = b.residual(x, b.attention(s, b.norm(x, !s.rms_norm, p + "ln_1"), p), p + "residual_1");
    x = b.residual(x, b.mlp(s, b.norm(x, !s.rms_norm, p + "ln_2"), p), p + "residual_2");
  }
  if (s.final_norm) x = b.norm(x, !s.rms_norm, "ln_f");
  b.g.tensors[x.id].name = "y";
  b.g.outputs = {x.id};
  model::validate(b.g);
  return std::move(b.g);
}

std::vector<int32_t> random_input(const TransformerShape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n01;
  std::vector<int32_t> x(static_cast<size_t>(s.seq * s.d_model));
  for (int32_t& v : x) v = int32_t(std::clamp<int64_t>(std::llround(n01(rng) * double(kQmax) / 4.0), -kQmax, kQmax));
  return x;
}

model::Trace integer_trace(model::Graph g, const std::vector<int32_t>& x) {
  model::Trace t;
  t.digest = model::graph_digest(g);
  const auto vals = model::forward_int(g, {x});
  t.values.resize(vals.size());
  for (size_t i = 0; i < vals.size(); ++i)
    if (g.tensors[i].kind == TensorKind::Input || g.tensors[i].kind == TensorKind::Activation) {
      t.values[i].resize(vals[i].size());
      for (size_t k = 0; k < vals[i].size(); ++k) t.values[i][k] = M31::from_signed(vals[i][k]);
    }
  for (uint32_t o : g.outputs) t.float_outputs.emplace_back(vals[o].size());
  t.graph = std::move(g);
  return t;
}

}  // namespace zkm31::synthetic
