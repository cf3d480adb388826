#include "model/graph.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <utility>

#include "error/error.hpp"
#include "model/tables.hpp"

namespace zkm31::model {

namespace {

constexpr int64_t kHalfP = (int64_t(kP) - 1) / 2;

struct OpEntry {
  Op op;
  const char* name;
};
constexpr std::array<OpEntry, 18> kOps{{
    {Op::MatMul, "matmul"}, {Op::Requant, "requant"}, {Op::Relu, "relu"}, {Op::Lookup, "lookup"},
    {Op::Add, "add"}, {Op::Sub, "sub"}, {Op::Mul, "mul"}, {Op::MulConst, "mul_const"},
    {Op::MaskedFill, "masked_fill"}, {Op::Reshape, "reshape"}, {Op::Transpose, "transpose"},
    {Op::Im2col, "im2col"}, {Op::Slice, "slice"}, {Op::Concat, "concat"}, {Op::Gather, "gather"},
    {Op::ReduceSum, "reduce_sum"}, {Op::ReduceMax, "reduce_max"}, {Op::Embedding, "embedding"},
}};

// Products and sums of interval ends in 128 bits: the no-wrap check must see the true value.
using i128 = __int128;
i128 abs128(i128 v) { return v < 0 ? -v : v; }

[[noreturn]] void fail(const Node& n, const std::string& what) {
  throw BadInput("node '" + n.name + "' (" + op_name(n.op) + "): " + what);
}

int64_t checked(const Node& n, i128 v, const char* what) {
  if (abs128(v) > kHalfP)
    fail(n, "|" + std::string(what) + "| bound " + std::to_string(int64_t(std::min<i128>(abs128(v), INT64_MAX))) +
                " exceeds (p-1)/2 = " + std::to_string(kHalfP) + ": the accumulator could wrap");
  return int64_t(v);
}

std::pair<i128, i128> product_interval(i128 alo, i128 ahi, i128 blo, i128 bhi) {
  std::array<i128, 4> p{alo * blo, alo * bhi, ahi * blo, ahi * bhi};
  return {*std::min_element(p.begin(), p.end()), *std::max_element(p.begin(), p.end())};
}

std::pair<int64_t, int64_t> minmax_values(const std::vector<int64_t>& v) {
  if (v.empty()) return {0, 0};
  auto [a, b] = std::minmax_element(v.begin(), v.end());
  return {*a, *b};
}

const Tensor& input(const Graph& g, const Node& n, size_t i) {
  if (i >= n.inputs.size()) fail(n, "missing input " + std::to_string(i));
  if (n.inputs[i] >= g.tensors.size()) fail(n, "input tensor id out of range");
  return g.tensors[n.inputs[i]];
}

// The float track's real_mult / real_offset of a requant or mul_const: scalar or one per channel of
// the last axis (C entries), real_mult never empty.
void check_float_track(const Node& n, int64_t C) {
  auto ok = [&](size_t sz) { return sz == 1 || int64_t(sz) == C; };
  if (n.real_mult.empty() || !ok(n.real_mult.size())) fail(n, "float-track multiplier must be scalar or per channel");
  if (!n.real_offset.empty() && !ok(n.real_offset.size())) fail(n, "float-track offset must be scalar or per channel");
}

void arity(const Node& n, size_t lo, size_t hi) {
  if (n.inputs.size() < lo || n.inputs.size() > hi) fail(n, "wrong number of inputs");
  if (n.outputs.size() != 1) fail(n, "expected exactly one output");
}

}  // namespace

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (__builtin_mul_overflow(n, d, &n)) throw BadInput("shape " + shape_str(s) + " has too many elements");
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

bool is_index_map(Op op) {
  return op == Op::Reshape || op == Op::Transpose || op == Op::Im2col || op == Op::Slice || op == Op::Gather ||
         op == Op::Concat;
}

const char* op_name(Op op) {
  for (const auto& e : kOps)
    if (e.op == op) return e.name;
  return "?";
}

Op op_from_name(const std::string& name) {
  for (const auto& e : kOps)
    if (name == e.name) return e.op;
  throw BadInput("unknown graph op '" + name + "'");
}

int signed_bits(int64_t lo, int64_t hi) {
  int b = 1;
  while (b < 63 && (lo < -(int64_t(1) << (b - 1)) || hi >= (int64_t(1) << (b - 1)))) ++b;
  return b;
}

const WeightData& Graph::weight(uint32_t tensor) const {
  for (const auto& w : weights)
    if (w.tensor == tensor) return w;
  throw BadInput("graph: no weight data for tensor " + std::to_string(tensor));
}

WeightData& Graph::weight(uint32_t tensor) { return const_cast<WeightData&>(std::as_const(*this).weight(tensor)); }

const ConstantData& Graph::constant(uint32_t tensor) const {
  for (const auto& c : constants)
    if (c.tensor == tensor) return c;
  throw BadInput("graph: no constant data for tensor " + std::to_string(tensor));
}

size_t Graph::parameter_count() const {
  size_t n = 0;
  for (const auto& w : weights) n += w.values.size();
  return n;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      throw BadInput("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_index(const Shape& out, const Shape& in) {
  std::vector<int64_t> ist(in.size(), 1);
  for (size_t i = in.size(); i-- > 1;) ist[i - 1] = ist[i] * in[i];
  size_t off = out.size() - in.size();
  std::vector<int64_t> map(size_t(numel(out)));
  std::vector<int64_t> o(out.size(), 0);
  for (size_t i = 0; i < map.size(); ++i) {
    int64_t src = 0;
    for (size_t a = 0; a < in.size(); ++a) src += (in[a] == 1 ? 0 : o[a + off]) * ist[a];
    map[i] = src;
    for (size_t a = out.size(); a-- > 0;) {
      if (++o[a] < out[a]) break;
      o[a] = 0;
    }
  }
  return map;
}

Inferred infer(const Graph& g, const Node& n) {
  Inferred r;
  switch (n.op) {
    case Op::MatMul: {
      arity(n, 2, 3);
      const Tensor& a = input(g, n, 0);
      const Tensor& b = input(g, n, 1);
      if (a.shape.size() < 2 || b.shape.size() < 2) fail(n, "operands must have rank >= 2");
      int64_t K = a.shape.back();
      if (b.shape[b.shape.size() - 2] != K)
        fail(n, "inner dimensions differ: " + shape_str(a.shape) + " x " + shape_str(b.shape));
      if (b.kind == TensorKind::Weight) {
        if (b.shape.size() != 2) fail(n, "a weight operand must be [K, N]");
      } else if (b.shape.size() != a.shape.size() ||
                 !std::equal(a.shape.begin(), a.shape.end() - 2, b.shape.begin())) {
        fail(n, "activation operands need equal leading dims: " + shape_str(a.shape) + " x " + shape_str(b.shape));
      }
      int64_t N = b.shape.back();
      r.shape = a.shape;
      r.shape.back() = N;
      auto [plo, phi] = product_interval(a.lo, a.hi, b.lo, b.hi);
      i128 lo = plo * K, hi = phi * K;
      if (n.inputs.size() == 3) {
        const Tensor& bias = input(g, n, 2);
        if (bias.kind != TensorKind::Weight || bias.shape != Shape{N}) fail(n, "bias must be a weight vector [N]");
        lo += bias.lo, hi += bias.hi;
      }
      r.lo = checked(n, lo, "accumulator");
      r.hi = checked(n, hi, "accumulator");
      return r;
    }
    case Op::Requant: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      r.shape = x.shape;
      int64_t C = x.shape.empty() ? 1 : x.shape.back();
      auto per_channel_ok = [&](size_t sz) { return sz == 1 || int64_t(sz) == C; };
      if (n.mult.empty() || !per_channel_ok(n.mult.size())) fail(n, "multiplier must be scalar or per channel");
      if (!n.offset.empty() && !per_channel_ok(n.offset.size())) fail(n, "offset must be scalar or per channel");
      if (n.shift < 0 || n.shift > 40) fail(n, "shift out of range");
      if (n.lo > n.hi) fail(n, "empty clamp interval");
      check_float_track(n, C);
      i128 xmax = std::max(abs128(x.lo), abs128(x.hi));
      i128 mmax = 0, bmax = 0;
      for (int64_t m : n.mult) mmax = std::max(mmax, abs128(m));
      for (int64_t b : n.offset) bmax = std::max(bmax, abs128(b));
      i128 half = n.shift ? i128(1) << (n.shift - 1) : 0;
      i128 top = xmax * mmax + bmax + half;
      checked(n, top, "requant product");
      i128 U = (top >> n.shift) + 1;
      if (n.unclamped_bound != int64_t(U))
        fail(n, "unclamped bound " + std::to_string(n.unclamped_bound) + " should be " + std::to_string(int64_t(U)));
      // Uniqueness of the decomposition X·M + B + 2^(s−1) = 2^s·(q + e) + r modulo p.
      i128 uniq = top + (U + 1) * (i128(1) << n.shift);
      if (uniq >= kP)
        fail(n, "requant decomposition is not unique mod p: |X|max·M + 2^(s-1) + (Y+1)·2^s = " +
                    std::to_string(int64_t(std::min<i128>(uniq, INT64_MAX))) + " >= p");
      r.lo = n.lo, r.hi = n.hi;
      return r;
    }
    case Op::Relu: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      r.shape = x.shape;
      r.lo = std::max<int64_t>(x.lo, 0), r.hi = std::max<int64_t>(x.hi, 0);
      return r;
    }
    case Op::Lookup: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      const auto& t = n.table;
      if (t.values.empty()) fail(n, "empty table");
      if (t.values.size() > (size_t(1) << 16)) fail(n, "table larger than 2^16 entries");
      if (!n.real_mult.empty() && n.real_mult.size() != 2) fail(n, "float-track gains must be {input, output}");
      if (x.lo < t.in_lo || x.hi >= t.in_lo + int64_t(t.values.size()))
        fail(n, "input interval [" + std::to_string(x.lo) + ", " + std::to_string(x.hi) + "] is outside the table domain");
      r.shape = x.shape;
      std::tie(r.lo, r.hi) = minmax_values(t.values);
      return r;
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul: {
      arity(n, 2, 2);
      const Tensor& a = input(g, n, 0);
      const Tensor& b = input(g, n, 1);
      r.shape = broadcast_shapes(a.shape, b.shape);
      i128 lo, hi;
      if (n.op == Op::Add) lo = i128(a.lo) + b.lo, hi = i128(a.hi) + b.hi;
      else if (n.op == Op::Sub) lo = i128(a.lo) - b.hi, hi = i128(a.hi) - b.lo;
      else std::tie(lo, hi) = product_interval(a.lo, a.hi, b.lo, b.hi);
      r.lo = checked(n, lo, "result"), r.hi = checked(n, hi, "result");
      return r;
    }
    case Op::MulConst: {
      arity(n, 2, 2);
      const Tensor& x = input(g, n, 0);
      const Tensor& c = input(g, n, 1);
      if (c.kind != TensorKind::Constant) fail(n, "second operand must be a constant");
      r.shape = broadcast_shapes(x.shape, c.shape);
      if (r.shape != x.shape) fail(n, "constant must broadcast to the input shape");
      // The float track multiplies by one real factor per element of the constant (or one in all).
      if (n.real_mult.size() != 1 && int64_t(n.real_mult.size()) != numel(c.shape))
        fail(n, "float-track multiplier must be scalar or one per element of the constant");
      auto [lo, hi] = product_interval(x.lo, x.hi, c.lo, c.hi);
      r.lo = checked(n, lo, "result"), r.hi = checked(n, hi, "result");
      return r;
    }
    case Op::MaskedFill: {
      arity(n, 2, 2);
      const Tensor& x = input(g, n, 0);
      const Tensor& m = input(g, n, 1);
      if (m.kind != TensorKind::Constant || m.lo < 0 || m.hi > 1) fail(n, "mask must be a 0/1 constant");
      if (broadcast_shapes(x.shape, m.shape) != x.shape) fail(n, "mask must broadcast to the input shape");
      r.shape = x.shape;
      r.lo = std::min(x.lo, n.fill), r.hi = std::max(x.hi, n.fill);
      checked(n, std::max(abs128(r.lo), abs128(r.hi)), "fill");
      return r;
    }
    case Op::Reshape: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      if (n.ints.empty() && numel(x.shape) != 1) fail(n, "missing target shape");
      r.shape = Shape(n.ints.begin(), n.ints.end());
      if (numel(r.shape) != numel(x.shape)) fail(n, "reshape changes the element count");
      r.lo = x.lo, r.hi = x.hi;
      return r;
    }
    case Op::Transpose: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      if (n.ints.size() != x.shape.size()) fail(n, "permutation rank differs from the input rank");
      std::vector<bool> seen(x.shape.size());
      for (int64_t p : n.ints) {
        if (p < 0 || p >= int64_t(x.shape.size()) || seen[p]) fail(n, "not a permutation");
        seen[p] = true;
        r.shape.push_back(x.shape[p]);
      }
      r.lo = x.lo, r.hi = x.hi;
      return r;
    }
    case Op::Im2col: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      Shape s = x.shape;
      if (s.size() == 4 && s[0] == 1) s.erase(s.begin());
      if (s.size() != 3) fail(n, "input must be [C, H, W] or [1, C, H, W]");
      if (n.ints.size() != 10) fail(n, "expects 10 parameters");
      const auto& p = n.ints;
      for (int64_t v : p)
        if (v < 0) fail(n, "negative parameter");
      if (p[0] < 1 || p[1] < 1 || p[2] < 1 || p[3] < 1 || p[8] < 1 || p[9] < 1) fail(n, "zero kernel, stride or dilation");
      int64_t oh = (s[1] + p[4] + p[6] - p[8] * (p[0] - 1) - 1) / p[2] + 1;
      int64_t ow = (s[2] + p[5] + p[7] - p[9] * (p[1] - 1) - 1) / p[3] + 1;
      if (oh < 1 || ow < 1) fail(n, "kernel larger than the padded image");
      r.shape = {oh * ow, s[0] * p[0] * p[1]};
      r.lo = std::min<int64_t>(x.lo, 0), r.hi = std::max<int64_t>(x.hi, 0);
      return r;
    }
    case Op::Slice: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      if (n.axes.size() != n.starts.size() || n.axes.size() != n.ends.size() || n.axes.size() != n.steps.size())
        fail(n, "axes/starts/ends/steps differ in length");
      r.shape = x.shape;
      for (size_t i = 0; i < n.axes.size(); ++i) {
        int64_t ax = n.axes[i];
        if (ax < 0 || ax >= int64_t(x.shape.size())) fail(n, "axis out of range");
        if (n.steps[i] < 1 || n.starts[i] < 0 || n.ends[i] > x.shape[ax] || n.starts[i] > n.ends[i])
          fail(n, "slice bounds out of range");
        r.shape[ax] = (n.ends[i] - n.starts[i] + n.steps[i] - 1) / n.steps[i];
      }
      r.lo = x.lo, r.hi = x.hi;
      return r;
    }
    case Op::Concat: {
      if (n.inputs.empty() || n.outputs.size() != 1) fail(n, "needs inputs and one output");
      const Tensor& x0 = input(g, n, 0);
      if (n.axis < 0 || n.axis >= int(x0.shape.size())) fail(n, "axis out of range");
      r.shape = x0.shape;
      r.shape[n.axis] = 0;
      r.lo = x0.lo, r.hi = x0.hi;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const Tensor& x = input(g, n, i);
        Shape a = x.shape, b = x0.shape;
        if (a.size() != b.size()) fail(n, "inputs differ in rank");
        a[n.axis] = b[n.axis] = 0;
        if (a != b) fail(n, "inputs differ outside the concat axis");
        r.shape[n.axis] += x.shape[n.axis];
        r.lo = std::min(r.lo, x.lo), r.hi = std::max(r.hi, x.hi);
      }
      return r;
    }
    case Op::Gather: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      if (n.axis < 0 || n.axis >= int(x.shape.size())) fail(n, "axis out of range");
      if (numel(n.idx_shape) != int64_t(n.ints.size())) fail(n, "index count differs from the index shape");
      for (int64_t i : n.ints)
        if (i < 0 || i >= x.shape[n.axis]) fail(n, "index out of range");
      r.shape.assign(x.shape.begin(), x.shape.begin() + n.axis);
      r.shape.insert(r.shape.end(), n.idx_shape.begin(), n.idx_shape.end());
      r.shape.insert(r.shape.end(), x.shape.begin() + n.axis + 1, x.shape.end());
      r.lo = x.lo, r.hi = x.hi;
      return r;
    }
    case Op::Embedding: {
      arity(n, 2, 2);
      const Tensor& w = input(g, n, 0);
      const Tensor& ids = input(g, n, 1);
      if (w.kind != TensorKind::Weight || w.shape.size() != 2) fail(n, "the table must be a weight [V, D]");
      if (ids.kind != TensorKind::Input) fail(n, "token ids must be a graph input");
      if (ids.lo < 0 || ids.hi >= w.shape[0])
        fail(n, "token ids [" + std::to_string(ids.lo) + ", " + std::to_string(ids.hi) + "] exceed the " +
                    std::to_string(w.shape[0]) + " rows of the table");
      r.shape = ids.shape;
      r.shape.push_back(w.shape[1]);
      r.lo = w.lo, r.hi = w.hi;
      return r;
    }
    case Op::ReduceSum:
    case Op::ReduceMax: {
      arity(n, 1, 1);
      const Tensor& x = input(g, n, 0);
      if (x.shape.empty()) fail(n, "input must have rank >= 1");
      r.shape = x.shape;
      int64_t len = r.shape.back();
      r.shape.back() = 1;
      if (n.op == Op::ReduceMax) {
        r.lo = x.lo, r.hi = x.hi;
      } else {
        r.lo = checked(n, i128(x.lo) * len, "sum"), r.hi = checked(n, i128(x.hi) * len, "sum");
      }
      return r;
    }
  }
  fail(n, "unknown op");
}

void validate(const Graph& g, WeightValues weights, TableValues tables) {
  const size_t T = g.tensors.size();
  std::vector<bool> ready(T, false);
  auto check_id = [&](uint32_t id, const std::string& what) {
    if (id >= T) throw BadInput("graph: " + what + " refers to tensor " + std::to_string(id) + " of " + std::to_string(T));
  };
  for (size_t i = 0; i < T; ++i) {
    const Tensor& t = g.tensors[i];
    int64_t elems = 1;
    for (int64_t d : t.shape) {
      if (d < 1 || d > (int64_t(1) << 31)) throw BadInput("graph: tensor '" + t.name + "' has a dimension out of range");
      elems *= d;
      if (elems > (int64_t(1) << 32)) throw BadInput("graph: tensor '" + t.name + "' has more than 2^32 elements");
    }
    if (t.lo > t.hi || std::max(-t.lo, t.hi) > kHalfP) throw BadInput("graph: tensor '" + t.name + "' has a bad interval");
    if (t.bits != signed_bits(t.lo, t.hi)) throw BadInput("graph: tensor '" + t.name + "' declares the wrong bit width");
    if (t.kind != TensorKind::Activation) ready[i] = true;
  }
  for (uint32_t id : g.inputs) {
    check_id(id, "an input");
    if (g.tensors[id].kind != TensorKind::Input) throw BadInput("graph: input " + g.tensors[id].name + " is not of kind input");
  }
  auto check_data = [&](uint32_t id, TensorKind kind, size_t n, const std::vector<int64_t>* vals,
                        const std::vector<int32_t>* ivals) {
    check_id(id, "weight/constant data");
    const Tensor& t = g.tensors[id];
    if (t.kind != kind || int64_t(n) != numel(t.shape))
      throw BadInput("graph: data for tensor '" + t.name + "' has the wrong kind or length");
    auto in_range = [&](int64_t v) { return v >= t.lo && v <= t.hi; };
    bool ok = vals ? std::all_of(vals->begin(), vals->end(), in_range) : std::all_of(ivals->begin(), ivals->end(), in_range);
    if (!ok) throw BadInput("graph: data for tensor '" + t.name + "' lies outside its declared interval");
  };
  for (const auto& w : g.weights) {
    if (weights == WeightValues::absent) {
      check_id(w.tensor, "weight data");
      if (g.tensors[w.tensor].kind != TensorKind::Weight || !w.values.empty() || !w.original.empty())
        throw BadInput("graph: weight-free graph with values for tensor '" + g.tensors[w.tensor].name + "'");
      continue;
    }
    check_data(w.tensor, TensorKind::Weight, w.values.size(), nullptr, &w.values);
    if (!w.original.empty() && w.original.size() != w.values.size())
      throw BadInput("graph: float weights of '" + g.tensors[w.tensor].name + "' have the wrong length");
  }
  for (const auto& c : g.constants) {
    check_data(c.tensor, TensorKind::Constant, c.values.size(), &c.values, nullptr);
    if (!c.original.empty() && c.original.size() != c.values.size())
      throw BadInput("graph: float values of constant '" + g.tensors[c.tensor].name + "' have the wrong length");
  }
  for (size_t i = 0; i < T; ++i) {
    const Tensor& t = g.tensors[i];
    if (t.kind == TensorKind::Weight) g.weight(uint32_t(i));
    if (t.kind == TensorKind::Constant) g.constant(uint32_t(i));
  }
  // Each distinct table definition (function, parameters, domain, output interval) is computed once:
  // a deep model repeats its blocks' tables.
  std::map<std::tuple<std::string, std::vector<int64_t>, int64_t, int64_t, int64_t, int64_t>, std::vector<int64_t>> defined;
  for (const Node& n : g.nodes) {
    for (uint32_t id : n.inputs) {
      check_id(id, "node '" + n.name + "'");
      if (!ready[id]) throw BadInput("graph: node '" + n.name + "' reads tensor '" + g.tensors[id].name + "' before it is produced");
    }
    for (uint32_t id : n.outputs) {
      check_id(id, "node '" + n.name + "'");
      if (ready[id] || g.tensors[id].kind != TensorKind::Activation)
        throw BadInput("graph: node '" + n.name + "' writes tensor '" + g.tensors[id].name + "' twice or writes a non-activation");
    }
    if (n.op == Op::Lookup && tables == TableValues::check) {
      const Tensor& out = g.tensors[n.outputs.at(0)];
      const int64_t size = int64_t(n.table.values.size());
      auto [at, fresh] = defined.try_emplace({n.table.fn, n.table.params, n.table.in_lo, size, out.lo, out.hi});
      if (fresh) at->second = make_table(n.table.fn, n.table.params, n.table.in_lo, size, out.lo, out.hi);
      if (at->second != n.table.values) throw BadInput("graph: node '" + n.name + "': table differs from its definition");
    }
    Inferred r = infer(g, n);
    const Tensor& out = g.tensors[n.outputs[0]];
    if (r.shape != out.shape)
      throw BadInput("graph: node '" + n.name + "' output shape " + shape_str(out.shape) + " should be " + shape_str(r.shape));
    if (r.lo != out.lo || r.hi != out.hi)
      throw BadInput("graph: node '" + n.name + "' output interval differs from the derived one");
    if (n.op == Op::MatMul && n.acc_bound != std::max(-r.lo, r.hi))
      throw BadInput("graph: node '" + n.name + "' records a wrong accumulator bound");
    ready[n.outputs[0]] = true;
  }
  for (uint32_t id : g.outputs) {
    check_id(id, "an output");
    if (!ready[id]) throw BadInput("graph: output '" + g.tensors[id].name + "' is never produced");
  }
  if (g.inputs.empty() || g.outputs.empty()) throw BadInput("graph: needs at least one input and one output");
}

RequantWindow requant_window(const Node& n, int64_t x_lo, int64_t x_hi) {
  using i128 = __int128;
  const i128 half = n.shift ? i128(1) << (n.shift - 1) : 0;
  i128 ylo = 0, yhi = 0;
  const size_t channels = std::max(n.mult.size(), n.offset.size());
  for (size_t ch = 0; ch < channels; ++ch) {
    const i128 m = n.mult[n.mult.size() == 1 ? 0 : ch];
    const i128 b = n.offset.empty() ? 0 : n.offset[n.offset.size() == 1 ? 0 : ch];
    for (const int64_t xv : {x_lo, x_hi}) {
      const i128 y = (xv * m + b + half) >> n.shift;  // floor division (arithmetic shift)
      const bool first = ch == 0 && xv == x_lo;
      ylo = first ? y : std::min(ylo, y), yhi = first ? y : std::max(yhi, y);
    }
  }
  const i128 emax = std::max<i128>({0, yhi - n.hi, n.lo - ylo});
  RequantWindow w;
  while ((i128(1) << w.excess_bits) < emax + 1) ++w.excess_bits;
  const i128 window = (i128(1) << w.excess_bits) - 1 + std::max<int64_t>(n.hi, -n.lo);
  i128 mmax = 0, bmax = 0;
  for (int64_t m : n.mult) mmax = std::max<i128>(mmax, m < 0 ? -i128(m) : m);
  for (int64_t b : n.offset) bmax = std::max<i128>(bmax, b < 0 ? -i128(b) : b);
  const i128 xmax = std::max<i128>(-i128(x_lo), x_hi);
  const i128 reach = xmax * mmax + bmax + half;
  w.unique = reach + (window + 1) * (i128(1) << n.shift) < kP;
  // Without saturation q needs only q − lo ∈ [0, 2^d), d = ⌈log2(hi − lo + 1)⌉, for uniqueness.
  unsigned d = 0;
  while ((i128(1) << d) < i128(n.hi) - n.lo + 1) ++d;
  const i128 qmax = std::max<i128>(n.lo < 0 ? -i128(n.lo) : i128(n.lo), i128(n.lo) + (i128(1) << d) - 1);
  w.clamp_free = emax == 0 && reach + (qmax + 1) * (i128(1) << n.shift) < kP;
  return w;
}

}  // namespace zkm31::model
