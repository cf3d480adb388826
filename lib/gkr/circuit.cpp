#include "gkr/circuit.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <map>

#include "error/error.hpp"

namespace zkm31::gkr {

using model::Graph;
using model::Node;
using model::Op;
using model::TensorKind;

namespace {

unsigned ceil_log2(int64_t n) { return n <= 1 ? 0 : unsigned(std::bit_width(uint64_t(n - 1))); }

QM31 prefix_indicator(int64_t n, std::span<const QM31> c) {
  if (c.empty()) return n >= 1 ? QM31::one() : QM31();
  const int64_t half = int64_t(1) << (c.size() - 1);
  const QM31 top = c.back();
  const auto low = c.first(c.size() - 1);
  if (n >= half) return (QM31::one() - top) + top * prefix_indicator(n - half, low);
  return (QM31::one() - top) * prefix_indicator(n, low);
}

// The real entries of v in row-major order with their padded indices, by an odometer (no divisions).
struct RealWalk {
  model::Shape dims;            // a copy: the walk may outlive a reallocation of the circuit's vecs
  std::vector<int64_t> idx;     // multi-index of entry `at`
  std::vector<unsigned> shift;  // bit offset of each dimension in the padded index
  int64_t at = 0;
  size_t padded = 0;
  explicit RealWalk(const Vec& vec) : dims(vec.dims), idx(vec.dims.size(), 0), shift(vec.dims.size()) {
    unsigned s = 0;
    for (size_t d = vec.dims.size(); d-- > 0;) shift[d] = s, s += vec.log_dims[d];
  }
  void next() {
    ++at;
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < dims[d]) {
        padded += size_t(1) << shift[d];
        return;
      }
      padded -= size_t(idx[d] - 1) << shift[d];
      idx[d] = 0;
    }
  }
};

struct Builder {
  const Graph& g;
  Circuit c;
  std::map<int64_t, uint32_t> by_tensor;
  std::vector<int> consumers;
  Circuit cert;
  Circuit* lookups = &c;  // the circuit that receives new tables and instances

  uint32_t add_vec(std::string name, VecKind kind, const model::Shape& dims, int64_t tensor) {
    Vec v{std::move(name), kind, dims, {}, 0, tensor};
    for (int64_t d : dims) {
      v.log_dims.push_back(ceil_log2(d));
      v.n_vars += v.log_dims.back();
    }
    if (v.n_vars > 30) throw NotSupported("tensor " + v.name + " with more than 2^30 padded entries");
    c.vecs.push_back(std::move(v));
    return uint32_t(c.vecs.size() - 1);
  }

  bool produced_by_lookup(uint32_t t) const {
    for (const Node& n : g.nodes)
      if (n.outputs[0] == t) return n.op == Op::Requant || n.op == Op::Relu || n.op == Op::Lookup || n.op == Op::ReduceMax;
    return false;
  }

  uint32_t vec_of(uint32_t t) {
    auto it = by_tensor.find(t);
    if (it != by_tensor.end()) return it->second;
    const model::Tensor& ten = g.tensors.at(t);
    VecKind kind = VecKind::Virtual;
    if (ten.kind == TensorKind::Input || std::count(g.outputs.begin(), g.outputs.end(), t)) kind = VecKind::Public;
    else if (ten.kind == TensorKind::Weight) kind = VecKind::Weight;
    else if (ten.kind == TensorKind::Constant) throw NotSupported("constant tensor " + ten.name + " in the proof walk");
    else if (produced_by_lookup(t)) kind = VecKind::Committed;
    uint32_t id = add_vec(ten.name, kind, ten.shape, t);
    by_tensor[t] = id;
    return id;
  }

  uint32_t table(const lookup::Table& t) {
    std::vector<lookup::Table>& tables = lookups->tables;
    for (size_t i = 0; i < tables.size(); ++i)
      if (tables[i] == t) return uint32_t(i);
    tables.push_back(t);
    return uint32_t(tables.size() - 1);
  }

  uint32_t add_instance(lookup::Instance inst, std::vector<uint32_t> vecs) {
    lookups->instances.push_back(std::move(inst));
    lookups->instance_vecs.push_back(std::move(vecs));
    return uint32_t(lookups->instances.size() - 1);
  }

  // The public indicator of v's padded entries as a source of inst; returns its source index.
  uint32_t padding_source(const Vec& v, lookup::Instance& inst, std::vector<uint32_t>& srcs) {
    const uint32_t pad = add_vec(v.name + "/padding", VecKind::Padding, v.dims, -1);
    inst.sources.push_back({c.vecs[pad].name, v.n_vars});
    srcs.push_back(pad);
    return uint32_t(srcs.size() - 1);
  }

  // Range columns proving 0 ≤ value < 2^bits (bits ≤ range_bits): the plain limb, and a copy scaled
  // by 2^(range_bits − bits) when the limb is narrower than the table.
  void range_columns(lookup::Instance& inst, uint32_t src, unsigned bits) {
    const unsigned rb = c.config.range_bits;
    const uint32_t rt = table(lookup::Table::range(0, rb));
    inst.columns.push_back({rt, {{src, 1}}, {}, 0});
    if (bits < rb) inst.columns.push_back({rt, {{src, int64_t(1) << (rb - bits)}}, {}, 0});
  }

  void matmul(const Node& n) {
    const model::Tensor& a = g.tensors[n.inputs[0]];
    const model::Tensor& b = g.tensors[n.inputs[1]];
    MatMulStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), vec_of(n.inputs[1]), -1, 0, 0, 0, 0, n.name};
    if (n.inputs.size() == 3) s.bias = vec_of(n.inputs[2]);
    const Vec& av = c.vecs[s.a];
    const Vec& wv = c.vecs[s.w];
    s.k_bits = av.log_dims.back();
    s.n_bits = wv.log_dims.back();
    s.row_bits = av.n_vars - s.k_bits;
    if (a.shape.size() < 2) throw NotSupported("matmul operand of rank < 2 (" + n.name + ")");
    // An activation W [..., K, N] shares A's leading dims (graph validation): the top variables of
    // A's rows are W's top variables.
    if (b.kind != TensorKind::Weight) s.batch_bits = wv.n_vars - s.n_bits - s.k_bits;
    c.steps.push_back(s);
  }

  uint32_t aux(const Vec& like, const std::string& suffix, lookup::Instance& inst, std::vector<uint32_t>& srcs,
               VecKind kind = VecKind::Committed) {
    uint32_t v = add_vec(like.name + "/" + suffix, kind, like.dims, -1);
    inst.sources.push_back({c.vecs[v].name, like.n_vars});
    srcs.push_back(v);
    return v;
  }

  // Limbs of a value in [0, 2^bits): range_bits each, the top one narrower (looked up scaled).
  std::vector<uint32_t> limbs(const Vec& like, const std::string& what, unsigned bits, lookup::Instance& inst,
                              std::vector<uint32_t>& srcs, VecKind kind = VecKind::Committed) {
    const unsigned rb = c.config.range_bits;
    std::vector<uint32_t> out;
    for (unsigned j = 0; j * rb < bits; ++j) {
      out.push_back(aux(like, what + std::to_string(j), inst, srcs, kind));
      range_columns(inst, uint32_t(srcs.size() - 1), std::min(rb, bits - j * rb));
    }
    return out;
  }

  void requant(const Node& n) {
    RequantStep s;
    s.x = vec_of(n.inputs[0]), s.q = vec_of(n.outputs[0]);
    s.mult = n.mult, s.offset = n.offset, s.shift = n.shift, s.lo = n.lo, s.hi = n.hi, s.name = n.name;
    const unsigned eb = c.config.excess_bits;
    // Clamp excess e = y − q over x's proven interval, and uniqueness of the decomposition.
    const model::Tensor& x = g.tensors[n.inputs[0]];
    const model::RequantWindow window = model::requant_window(n, x.lo, x.hi);
    s.excess_total_bits = window.excess_bits;
    s.wide = ceil_log2(n.hi - n.lo + 1) > c.config.wide_log;
    if (n.lo == n.hi)
      throw NotSupported("requant clamp interval [" + std::to_string(n.lo) + ", " + std::to_string(n.hi) + "] (" + n.name + ")");
    if (!window.unique) throw NotSupported("requant " + n.name + ": decomposition is not unique mod p");
    const Vec qv = c.vecs[s.q];
    lookup::Instance inst{"requant:" + n.name, {{qv.name, qv.n_vars}}, {}};
    std::vector<uint32_t> srcs{s.q};
    if (s.wide) {
      // A clamp that x's proven interval never reaches (typically a pre-shift) proves only q − lo's
      // limbs: uniqueness of the decomposition then pins q = y, which lies in [lo, hi].
      s.clamp_free = window.clamp_free;
      if (s.clamp_free) s.excess_total_bits = 0;
      s.ep = limbs(qv, "excess+", s.excess_total_bits, inst, srcs);
      s.en = limbs(qv, "excess-", s.excess_total_bits, inst, srcs);
      s.d_bits = ceil_log2(n.hi - n.lo + 1);
      s.dlo = limbs(qv, "above-lo", s.d_bits, inst, srcs);
      if (!s.clamp_free) s.dhi = limbs(qv, "below-hi", s.d_bits, inst, srcs);
    } else {
      // Padded entries hold q = e = 0 (the wide bound limbs mask them): a clamp interval without 0
      // looks up (q + x0·pad, e) instead, x0 its value nearest 0 and pad the padded entries' indicator.
      const int64_t x0 = std::clamp<int64_t>(0, n.lo, n.hi);
      const bool shift = x0 != 0 && model::numel(qv.dims) < int64_t(qv.size());
      const uint32_t pad = shift ? padding_source(qv, inst, srcs) : 0;
      const unsigned ne = (s.excess_total_bits + eb - 1) / eb;
      for (unsigned j = 0; j < ne; ++j) {
        const unsigned w = std::min(eb, s.excess_total_bits - j * eb);
        s.e.push_back(aux(qv, "excess" + std::to_string(j), inst, srcs));
        lookup::Column col{table(lookup::Table::clamp(n.lo, n.hi, w)), {{0, 1}}, {{uint32_t(srcs.size() - 1), 1}}, 0};
        if (shift) col.a.push_back({pad, x0});
        inst.columns.push_back(std::move(col));
      }
    }
    s.r = limbs(qv, "rem", unsigned(n.shift), inst, srcs);
    s.top_bits = n.shift ? unsigned(n.shift) - c.config.range_bits * unsigned(s.r.size() - 1) : 0;
    inst.check(c.tables);
    s.instance = add_instance(std::move(inst), std::move(srcs));
    c.steps.push_back(s);
  }

  // relu and function lookups: every (x, y) pair is a row of the node's table.
  void lookup_node(const Node& n) {
    LookupStep s{vec_of(n.inputs[0]), vec_of(n.outputs[0]), 0, n.name};
    const model::Tensor& x = g.tensors[n.inputs[0]];
    const Vec xv = c.vecs[s.x];
    lookup::Table t = n.op == Op::Relu
                          ? lookup::Table::relu(std::min<int64_t>(x.lo, 0), std::max<int64_t>(x.hi, 0))
                          : lookup::Table::function(n.table.in_lo, n.table.values);
    lookup::Instance inst{"lookup:" + n.name, {{xv.name, xv.n_vars}, {c.vecs[s.y].name, xv.n_vars}}, {}};
    std::vector<uint32_t> srcs{s.x, s.y};
    lookup::Column col{table(t), {{0, 1}}, {{1, 1}}, 0};
    // Padded entries hold x = y = 0. A table without the row (0, 0) (f(0) ≠ 0: sigmoid, exp; or a
    // domain without 0: recip, rsqrt, log) looks up (x + x0·pad, y + f(x0)·pad) instead, pad the
    // public indicator of the padded entries and (x0, f(x0)) the row at the input nearest 0.
    if (model::numel(xv.dims) < int64_t(xv.size()) && t.row_of(0, 0) < 0) {  // a function table (relu has (0, 0))
      const int64_t x0 = std::clamp<int64_t>(0, t.lo, t.hi);
      const uint32_t pad = padding_source(xv, inst, srcs);
      if (x0) col.a.push_back({pad, x0});
      col.b.push_back({pad, t.values[size_t(x0 - t.lo)]});
    }
    inst.columns.push_back(std::move(col));
    inst.check(c.tables);
    s.instance = add_instance(std::move(inst), std::move(srcs));
    c.steps.push_back(s);
  }

  // (padded index of y, padded index of x) for every real y entry with a source: src(y's multi-index)
  // gives x's padded index, −1 for none. The verifier builds every map: no divisions per entry.
  void index_map(const Node& n, const std::function<int64_t(const std::vector<int64_t>&)>& src) {
    check_map_size(n);
    IndexMapStep st{vec_of(n.inputs[0]), vec_of(n.outputs[0]), {}, n.name};
    const int64_t total = model::numel(g.tensors[n.outputs[0]].shape);
    st.pairs.reserve(size_t(total));
    for (RealWalk y(c.vecs[st.y]); y.at < total; y.next()) {
      const int64_t x = src(y.idx);
      if (x >= 0) st.pairs.push_back({uint32_t(y.padded), uint32_t(x)});
    }
    c.steps.push_back(std::move(st));
  }

  // The verifier walks every map itself: keep them bounded (checked before building one).
  void check_map_size(const Node& n) const {
    if (model::numel(g.tensors[n.outputs[0]].shape) > (int64_t(1) << model::kMaxIndexMapLog))
      throw NotSupported("index map " + n.name + " over more than 2^" + std::to_string(model::kMaxIndexMapLog) + " entries");
  }

  // map[i]: real source index in input `in` of y's real entry i, −1 for none.
  IndexMapStep map_step(const Node& n, size_t in, const std::vector<int64_t>& map) {
    IndexMapStep st{vec_of(n.inputs[in]), vec_of(n.outputs[0]), {}, n.name};
    const Vec& xv = c.vecs[st.x];
    for (RealWalk y(c.vecs[st.y]); y.at < int64_t(map.size()); y.next())
      if (map[size_t(y.at)] >= 0) st.pairs.push_back({uint32_t(y.padded), uint32_t(padded_index(xv, size_t(map[size_t(y.at)])))});
    return st;
  }

  void model_index_map(const Node& n) {
    check_map_size(n);
    c.steps.push_back(map_step(n, 0, model::index_map(g, n)));
  }

  void concat(const Node& n) {
    check_map_size(n);
    if (n.inputs.size() > 64) throw NotSupported("concat of more than 64 tensors (" + n.name + ")");
    const model::Shape& ys = g.tensors[n.outputs[0]].shape;
    const size_t axis = size_t(n.axis);
    int64_t outer = 1, inner = 1;
    for (size_t a = 0; a < axis; ++a) outer *= ys[a];
    for (size_t a = axis + 1; a < ys.size(); ++a) inner *= ys[a];
    ConcatStep st{vec_of(n.outputs[0]), {}, n.name};
    int64_t at = 0;  // first index along the axis of the current input
    for (size_t in = 0; in < n.inputs.size(); ++in) {
      const int64_t len = g.tensors[n.inputs[in]].shape[axis];
      std::vector<int64_t> map(size_t(model::numel(ys)), -1);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < len * inner; ++k) map[size_t((o * ys[axis] + at) * inner + k)] = o * len * inner + k;
      st.parts.push_back(map_step(n, in, map));
      st.parts.back().name += "#" + std::to_string(in);
      at += len;
    }
    c.steps.push_back(std::move(st));
  }

  void add(const Node& n) {
    AddStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), vec_of(n.inputs[1]), {}, {}, n.op == Op::Sub, n.name};
    s.ba = broadcast_to(c.vecs[s.y], c.vecs[s.a].dims);
    s.bb = broadcast_to(c.vecs[s.y], c.vecs[s.b].dims);
    c.steps.push_back(std::move(s));
  }

  void mul(const Node& n) {
    MulStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), vec_of(n.inputs[1]), {}, {}, n.name};
    s.ba = broadcast_to(c.vecs[s.y], c.vecs[s.a].dims);
    s.bb = broadcast_to(c.vecs[s.y], c.vecs[s.b].dims);
    c.steps.push_back(std::move(s));
  }

  // Y = C ⊙ X + D with C, D public, laid out over X's padded layout from the node's constant K:
  //   mul_const, mul by a constant   C = K, D = 0
  //   masked_fill                    C = 1 − K, D = fill·K (K the 0/1 mask)
  //   add / sub of a constant        C = ±1, D = ±K (a learned position table folded by the exporter)
  // x_in: the input that is X; the other one is K.
  void scale(const Node& n, size_t x_in) {
    const uint32_t k = n.inputs[1 - x_in];
    ScaleStep s{vec_of(n.outputs[0]), vec_of(n.inputs[x_in]), {}, {}, false, n.name};
    const Vec& xv = c.vecs[s.x];
    const std::string what = std::string(model::op_name(n.op)) + " " + n.name;
    if (xv.dims != c.vecs[s.y].dims) throw NotSupported(what + ": a constant operand that broadcasts the other operand");
    if (xv.n_vars > 26) throw NotSupported(what + " over more than 2^26 entries");
    const auto& kv = g.constant(k).values;
    const std::vector<int64_t> map = model::broadcast_index(xv.dims, g.tensors[k].shape);
    const bool fill = n.op == Op::MaskedFill, shift = n.op == Op::Add || n.op == Op::Sub;
    const bool minus_x = n.op == Op::Sub && x_in == 1, minus_k = n.op == Op::Sub && x_in == 0;
    if (shift) s.scale = {M31::from_signed(minus_x ? -1 : 1)};
    else s.scale.assign(xv.size(), M31());
    if (fill || shift) s.offset.assign(xv.size(), M31());
    for (size_t i = 0; i < map.size(); ++i) {
      const int64_t v = kv[size_t(map[i])];
      const size_t pi = padded_index(xv, i);
      if (shift) {
        s.offset[pi] = M31::from_signed(minus_k ? -v : v);
      } else if (fill) {
        s.scale[pi] = M31(v ? 0 : 1);
        if (v) s.offset[pi] = M31::from_signed(n.fill);
      } else {
        s.scale[pi] = M31::from_signed(v);
      }
    }
    s.scalar = shift || (!fill && std::all_of(kv.begin(), kv.end(), [&](int64_t v) { return v == kv[0]; }));
    c.steps.push_back(std::move(s));
  }

  // add, sub and mul with one constant operand are scale steps; both operands constant stays refused.
  void elementwise(const Node& n) {
    const bool k0 = g.tensors[n.inputs[0]].kind == TensorKind::Constant;
    const bool k1 = g.tensors[n.inputs[1]].kind == TensorKind::Constant;
    if (k0 != k1) return scale(n, k0 ? 1 : 0);
    if (n.op == Op::Mul) return mul(n);
    add(n);
  }

  void reduce_max(const Node& n) {
    ReduceMaxStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), {}, 0, {}, 0, 0, n.name};
    const Vec xv = c.vecs[s.x];
    const model::Tensor& x = g.tensors[n.inputs[0]];
    s.by = broadcast_to(xv, c.vecs[s.y].dims);
    s.len_bits = xv.log_dims.back();
    lookup::Instance inst{"reduce_max:" + n.name, {}, {}};
    std::vector<uint32_t> srcs;
    s.sel = aux(xv, "argmax", inst, srcs);
    range_columns(inst, 0, 1);
    s.d = limbs(xv, "below-max", std::max(1u, ceil_log2(x.hi - x.lo + 1)), inst, srcs);
    inst.check(c.tables);
    s.instance = add_instance(std::move(inst), std::move(srcs));
    c.steps.push_back(std::move(s));
  }

  void embedding(const Node& n) {
    EmbeddingStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), vec_of(n.inputs[1]), 0, 0, n.name};
    s.col_bits = c.vecs[s.w].log_dims[1];
    s.row_bits = c.vecs[s.w].log_dims[0];
    c.steps.push_back(s);
  }

  void reduce_sum(const Node& n) {
    ReduceSumStep s{vec_of(n.outputs[0]), vec_of(n.inputs[0]), 0, n.name};
    s.len_bits = c.vecs[s.x].log_dims.back();
    c.steps.push_back(std::move(s));
  }

  void reshape(const Node& n) {
    const model::Tensor& x = g.tensors[n.inputs[0]];
    const model::Tensor& y = g.tensors[n.outputs[0]];
    auto strip = [](const model::Shape& s) {
      model::Shape o;
      for (int64_t d : s)
        if (d != 1) o.push_back(d);
      return o;
    };
    auto pow2 = [](const model::Shape& s) { return std::all_of(s.begin(), s.end(), [](int64_t d) { return std::has_single_bit(uint64_t(d)); }); };
    if (strip(x.shape) == strip(y.shape) || (pow2(x.shape) && pow2(y.shape))) {
      c.steps.push_back(ReshapeStep{vec_of(n.inputs[0]), vec_of(n.outputs[0]), n.name});
      return;
    }
    RealWalk xw(c.vecs[vec_of(n.inputs[0])]);
    index_map(n, [&xw](const std::vector<int64_t>&) {  // the same row-major element, walked alongside y
      const int64_t at = int64_t(xw.padded);
      xw.next();
      return at;
    });
  }

  void transpose(const Node& n) {
    const std::vector<unsigned> xshift = RealWalk(c.vecs[vec_of(n.inputs[0])]).shift;
    std::vector<unsigned> shift_of_y(n.ints.size());  // y's axis i is x's axis perm[i]
    for (size_t i = 0; i < n.ints.size(); ++i) shift_of_y[i] = xshift[size_t(n.ints[i])];
    index_map(n, [shift_of_y](const std::vector<int64_t>& yi) {
      int64_t at = 0;
      for (size_t i = 0; i < yi.size(); ++i) at |= yi[i] << shift_of_y[i];
      return at;
    });
  }

  void im2col(const Node& n) {
    const model::Shape xs = g.tensors[n.inputs[0]].shape;
    const model::Shape ys = g.tensors[n.outputs[0]].shape;
    if (n.ints.size() != 10 || xs.size() < 3 || ys.size() != 2) throw NotSupported("im2col parameters (" + n.name + ")");
    const int64_t C = xs[xs.size() - 3], H = xs[xs.size() - 2], W = xs[xs.size() - 1];
    const int64_t KH = n.ints[0], KW = n.ints[1], sh = n.ints[2], sw = n.ints[3], pt = n.ints[4], pl = n.ints[5];
    const int64_t pr = n.ints[7], dh = n.ints[8], dw = n.ints[9];
    const int64_t OW = (W + pl + pr - dw * (KW - 1) - 1) / sw + 1;
    if (ys[1] != C * KH * KW || OW <= 0 || ys[0] % OW) throw NotSupported("im2col shapes (" + n.name + ")");
    const Vec xv = c.vecs[vec_of(n.inputs[0])];  // a copy: index_map may add vecs
    index_map(n, [=](const std::vector<int64_t>& yi) -> int64_t {
      const int64_t oh = yi[0] / OW, ow = yi[0] % OW;
      const int64_t c = yi[1] / (KH * KW), i = yi[1] / KW % KH, j = yi[1] % KW;
      const int64_t h = oh * sh - pt + i * dh, w = ow * sw - pl + j * dw;
      if (h < 0 || h >= H || w < 0 || w >= W) return int64_t(-1);
      return int64_t(padded_index(xv, size_t((c * H + h) * W + w)));
    });
  }

  // The weight certificate: every weight proven inside its declared interval [lo, hi] (the
  // accumulator bounds rely on it), one instance per tensor so that no tensor is padded to another's
  // size. Its tables and instances are its own, so the proof's tables count activations only.
  void weight_instances() {
    if (c.weights.empty()) throw NotSupported("a graph without weights");
    cert.config = c.config;
    lookups = &cert;
    for (uint32_t v : c.weights) {
      const model::Tensor& t = g.tensors[c.vecs[v].tensor];
      if (t.lo > 0 || t.hi < 0) throw NotSupported("weight " + t.name + " whose interval excludes 0");
      const Vec wv = c.vecs[v];
      lookup::Instance inst{"weights:" + t.name, {{wv.name, wv.n_vars}}, {}};
      std::vector<uint32_t> srcs{v};
      Circuit::WeightBound wb{v, t.lo, t.hi, {}, {}, 0};
      const unsigned bits = ceil_log2(t.hi - t.lo + 1);
      if (bits <= c.config.wide_log) {
        inst.columns.push_back({table(lookup::Table::interval(t.lo, t.hi)), {{0, 1}}, {}, 0});
      } else {
        wb.dlo = limbs(wv, "above-lo", bits, inst, srcs, VecKind::Certificate);
        wb.dhi = limbs(wv, "below-hi", bits, inst, srcs, VecKind::Certificate);
      }
      inst.check(cert.tables);
      wb.instance = add_instance(std::move(inst), std::move(srcs));
      cert.weight_bounds.push_back(std::move(wb));
    }
    lookups = &c;
  }

  void multiplicities(Circuit& into, VecKind kind, const std::string& prefix) {
    for (const lookup::Table& tab : into.tables)
      into.mult_vecs.push_back(add_vec(prefix + tab.name(), kind, {int64_t(tab.size())}, -1));
  }
};

}  // namespace

std::vector<std::string> Circuit::names() const {
  std::vector<std::string> out;
  for (const Vec& v : vecs) out.push_back(v.name);
  return out;
}

std::vector<unsigned> Circuit::n_vars() const {
  std::vector<unsigned> out;
  for (const Vec& v : vecs) out.push_back(v.n_vars);
  return out;
}

Compiled compile(const Graph& g, const Config& cfg) {
  if (cfg.range_bits < 8 || cfg.range_bits > 20 || cfg.excess_bits < 1 || cfg.excess_bits > 12 || cfg.wide_log < 4 ||
      cfg.wide_log > 16)
    throw BadInput("gkr config: range_bits must be in [8, 20], excess_bits in [1, 12], wide_log in [4, 16]");
  Builder b{g, {}, {}, std::vector<int>(g.tensors.size(), 0), {}};
  b.c.config = cfg;
  for (const Node& n : g.nodes)
    for (uint32_t t : n.inputs) ++b.consumers[t];
  for (uint32_t t : g.inputs) b.c.inputs.push_back(b.vec_of(t));
  for (const Node& n : g.nodes) {
    switch (n.op) {
      case Op::MatMul: b.matmul(n); break;
      case Op::Requant: b.requant(n); break;
      case Op::Relu:
      case Op::Lookup: b.lookup_node(n); break;
      case Op::Reshape: b.reshape(n); break;
      case Op::Transpose: b.transpose(n); break;
      case Op::Im2col: b.im2col(n); break;
      case Op::Slice:
      case Op::Gather: b.model_index_map(n); break;
      case Op::Add:
      case Op::Sub:
      case Op::Mul: b.elementwise(n); break;
      case Op::MulConst:
      case Op::MaskedFill: b.scale(n, 0); break;
      case Op::ReduceSum: b.reduce_sum(n); break;
      case Op::ReduceMax: b.reduce_max(n); break;
      case Op::Concat: b.concat(n); break;
      case Op::Embedding: b.embedding(n); break;
      default: throw NotSupported(std::string("op ") + model::op_name(n.op) + " in gkr-prove (" + n.name + ")");
    }
  }
  for (uint32_t t : g.outputs) b.c.outputs.push_back(b.vec_of(t));
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    auto it = b.by_tensor.find(int64_t(t));
    if (it == b.by_tensor.end()) continue;
    const Vec& v = b.c.vecs[it->second];
    if (v.kind == VecKind::Virtual && b.consumers[t] == 0)
      throw NotSupported("intermediate tensor " + v.name + " that no node reads");
  }
  for (uint32_t i = 0; i < b.c.vecs.size(); ++i)
    if (b.c.vecs[i].kind == VecKind::Weight) b.c.weights.push_back(i);
  b.weight_instances();
  b.multiplicities(b.c, VecKind::Committed, "multiplicity/");
  b.multiplicities(b.cert, VecKind::Certificate, "certificate multiplicity/");
  for (uint32_t i = 0; i < b.c.vecs.size(); ++i) {
    if (b.c.vecs[i].kind == VecKind::Committed) b.c.committed.push_back(i);
    if (b.c.vecs[i].kind == VecKind::Certificate) b.cert.committed.push_back(i);
  }
  b.cert.vecs = b.c.vecs;
  b.cert.weights = b.c.weights;
  return {std::move(b.c), std::move(b.cert)};
}

size_t padded_index(const Vec& v, size_t real_index) {
  size_t out = 0, shift = 0;
  for (size_t i = v.dims.size(); i-- > 0;) {
    const size_t d = size_t(v.dims[i]);
    out |= (real_index % d) << shift;
    real_index /= d;
    shift += v.log_dims[i];
  }
  return out;
}

Broadcast broadcast_to(const Vec& out, const model::Shape& operand) {
  if (operand.size() > out.dims.size()) throw NotSupported("operand of higher rank than its broadcast output " + out.name);
  Broadcast b;
  const size_t off = out.dims.size() - operand.size();
  unsigned pos = 0;
  for (size_t i = out.dims.size(); i-- > 0;) {
    const unsigned l = out.log_dims[i];
    const int64_t d = i >= off ? operand[i - off] : 1;
    if (d == out.dims[i]) {
      for (unsigned k = 0; k < l; ++k) b.kept.push_back(pos + k);
    } else if (d == 1) {
      if (l) b.masked.push_back({pos, l, out.dims[i]});
    } else {
      throw NotSupported("operand shape " + model::shape_str(operand) + " does not broadcast to " + out.name);
    }
    pos += l;
  }
  return b;
}

std::vector<QM31> Broadcast::project(std::span<const QM31> point) const {
  std::vector<QM31> out;
  for (unsigned k : kept) out.push_back(point[k]);
  return out;
}

QM31 Broadcast::mask(std::span<const QM31> point) const {
  QM31 acc = QM31::one();
  for (const Dim& d : masked) acc *= prefix_indicator(d.size, point.subspan(d.first, d.count));
  return acc;
}

std::vector<QM31> Broadcast::expand(std::span<const M31> x, unsigned out_vars) const {
  std::vector<QM31> out(size_t(1) << out_vars);
  for (size_t i = 0; i < out.size(); ++i) {
    bool real = true;
    for (const Dim& d : masked) real &= int64_t((i >> d.first) & ((size_t(1) << d.count) - 1)) < d.size;
    if (!real) continue;
    size_t src = 0;
    for (size_t k = 0; k < kept.size(); ++k) src |= ((i >> kept[k]) & 1) << k;
    out[i] = QM31() + x[src];
  }
  return out;
}

QM31 real_indicator(const Vec& v, std::span<const QM31> point, size_t skip_last_dims) {
  QM31 acc = QM31::one();
  size_t pos = 0;
  for (size_t i = v.dims.size() - skip_last_dims; i-- > 0;) {
    acc *= prefix_indicator(v.dims[i], point.subspan(pos, v.log_dims[i]));
    pos += v.log_dims[i];
  }
  return acc;
}

}  // namespace zkm31::gkr
