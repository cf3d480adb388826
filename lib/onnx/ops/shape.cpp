// Index maps: Reshape/Flatten/Squeeze/Unsqueeze, Transpose, Slice, Split, Concat, Gather with
// constant indices, Identity/Cast. The integers move; nothing is recomputed.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

// Identity and Cast pass the integers through (a Cast of an activation keeps its real meaning).
void Lowerer::lower_identity(size_t i) {
  const LiveNode& n = m_.nodes[i];
  bind(n.outputs[0], tid(n.inputs[0]));
}

uint32_t Lowerer::index_node(Node n, const std::string& out, uint32_t x) {
  bool nar = narrow_ids_.count(x) > 0;
  uint32_t y = emit(std::move(n), out, T(x).scale);
  if (nar) narrow_ids_.insert(y);
  return y;
}

void Lowerer::lower_reshape(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const auto& os = m_.shape(n.outputs[0]);
  if (os == T(x).shape) return bind(n.outputs[0], x);
  Node r = node(Op::Reshape, n.name, {x});
  r.ints = os;
  bind(n.outputs[0], index_node(r, n.outputs[0], x));
}

void Lowerer::lower_transpose(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  auto perm = attr_ints(n, "perm");
  if (perm.empty())
    for (size_t i = T(x).shape.size(); i-- > 0;) perm.push_back(int64_t(i));
  Node t = node(Op::Transpose, n.name, {x});
  t.ints = perm;
  bind(n.outputs[0], index_node(t, n.outputs[0], x));
}

void Lowerer::slice_axis(uint32_t x, int64_t axis, int64_t start, int64_t end, int64_t step, const std::string& out,
                         const std::string& name) {
  Node s = node(Op::Slice, name, {x});
  s.axes = {axis}, s.starts = {start}, s.ends = {end}, s.steps = {step};
  bind(out, index_node(s, out, x));
}

void Lowerer::lower_slice(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const model::Shape xs = T(x).shape;  // a copy: lowering adds tensors, which may move T(x)
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

void Lowerer::lower_split(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  const model::Shape xs = T(x).shape;  // a copy: lowering adds tensors, which may move T(x)
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

// Concat of activations; with constant inputs too (a ViT's class token): the activations' concat
// spread to the output's rows with zero rows where the constants go (a gather), plus the constants in
// place with zeros elsewhere (a weight, as Add of a constant).
void Lowerer::lower_concat(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const model::Shape os = m_.shape(out);
  const int64_t axis = axis_in(n, attr_int(n, "axis", 0), os.size());
  std::vector<uint32_t> acts;
  std::vector<int64_t> idx;
  std::vector<double> placed(size_t(numel(os)), 0.0);
  int64_t rows = 0, outer = 1, inner = 1;
  for (int64_t a = 0; a < int64_t(os.size()); ++a) (a < axis ? outer : inner) *= a == axis ? 1 : os[size_t(a)];
  bool constants = false;
  for (const auto& in : n.inputs) {
    const Const* c = cst(in);
    const int64_t len = (c ? c->shape : m_.shape(in)).at(size_t(axis)), at = int64_t(idx.size());
    if (c) {
      constants = true;
      if (numel(c->shape) != outer * len * inner) throw BadInput("node '" + n.name + "': Concat input of the wrong shape");
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t r = 0; r < len; ++r)
          for (int64_t t = 0; t < inner; ++t)
            placed[size_t((o * os[size_t(axis)] + at + r) * inner + t)] = c->data[size_t((o * len + r) * inner + t)];
      idx.insert(idx.end(), size_t(len), -1);
    } else {
      acts.push_back(tid(in));
      for (int64_t r = 0; r < len; ++r) idx.push_back(rows + r);
      rows += len;
    }
  }
  if (!constants) return bind(out, concat(acts, axis, out, n.name));
  if (acts.empty()) throw BadInput("internal: constant Concat not folded");
  uint32_t a = acts.size() == 1 ? narrow(acts[0], n.name) : concat(acts, axis, out + ":acts", n.name + ":acts");
  a = gather_rows(a, axis, idx, 0.0, out + ":spread", out + ":spread", n.name + ":spread");
  const Const in_place{os, placed};
  bind(out, add_sub(a, nullptr, UINT32_MAX, &in_place, true, out, n.name + ":constants"));
}

uint32_t Lowerer::concat(std::vector<uint32_t> ins, int64_t axis, const std::string& out, const std::string& node_name) {
  double s = 0;
  for (uint32_t& t : ins) {
    t = narrow(t, node_name);
    s = std::max(s, T(t).scale);
  }
  for (uint32_t& t : ins)
    if (!structural() && T(t).scale != s) t = requant(t, {T(t).scale}, {1.0}, {}, s, -qmax_, qmax_, T(t).name + ":common", node_name);
  Node c = node(Op::Concat, node_name, ins);
  c.axis = int(axis);
  uint32_t y = emit(c, out, s);
  narrow_ids_.insert(y);
  return y;
}

void Lowerer::lower_gather(size_t i) {
  const LiveNode& n = m_.nodes[i];
  if (m_.token_ids.count(n.inputs[1])) return lower_embedding(i);
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

// Pad, per padded axis, as one gather of source indices (gather_pad). Negative pads crop.
void Lowerer::lower_pad(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const std::string mode = attr_string(n, "mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect") throw NotSupported("node '" + n.name + "': Pad mode " + mode);
  uint32_t x = tid(n.inputs[0]);
  const size_t rank = T(x).shape.size();
  std::vector<int64_t> pads = attr_ints(n, "pads");  // opset < 11
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    const Const* c = cst(n.inputs[1]);
    if (!c) throw NotSupported("node '" + n.name + "': Pad with non-constant pads");
    pads.assign(c->data.begin(), c->data.end());
  }
  std::vector<int64_t> axes;
  if (n.inputs.size() > 3 && !n.inputs[3].empty()) {
    const Const* c = cst(n.inputs[3]);
    if (!c) throw NotSupported("node '" + n.name + "': Pad with non-constant axes");
    for (double v : c->data) axes.push_back(axis_in(n, int64_t(v), rank));
  } else {
    for (size_t a = 0; a < rank; ++a) axes.push_back(int64_t(a));
  }
  if (pads.size() != 2 * axes.size()) throw BadInput("node '" + n.name + "': Pad has " + std::to_string(pads.size()) + " pads for " + std::to_string(axes.size()) + " axes");
  double value = attr_float(n, "value", 0.0);
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* c = cst(n.inputs[2]);
    if (!c || numel(c->shape) != 1) throw NotSupported("node '" + n.name + "': Pad with a non-constant value");
    value = c->data[0];
  }
  x = narrow(x, n.name);
  size_t last = axes.size();
  for (size_t k = 0; k < axes.size(); ++k)
    if (pads[k] || pads[k + axes.size()]) last = k;
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t before = pads[k], after = pads[k + axes.size()];
    if (!before && !after) continue;
    const std::string sfx = ":axis" + std::to_string(axes[k]);
    x = gather_pad(x, axes[k], before, after, mode, value, out + sfx, k == last ? out : out + sfx, n.name + sfx);
  }
  bind(out, x);
}

// Expand / Tile of an activation (e.g. GQA's repeat_kv: expand + reshape): a reshape that adds the
// leading axes, then per grown axis a gather of repeated indices (Expand: index 0 repeated; Tile:
// 0…d−1 repeated).
void Lowerer::lower_expand(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  if (!cst(n.inputs.at(1))) throw NotSupported("node '" + n.name + "': " + n.op + " with a non-constant shape");
  uint32_t x = tid(n.inputs[0]);
  const auto& os = m_.shape(out);
  if (T(x).shape.size() > os.size()) throw BadInput("node '" + n.name + "': " + n.op + " output of lower rank than its input");
  if (T(x).shape.size() < os.size()) {
    Node r = node(Op::Reshape, n.name + ":rank", {x});
    r.ints = model::Shape(os.size() - T(x).shape.size(), 1);
    r.ints.insert(r.ints.end(), T(x).shape.begin(), T(x).shape.end());
    x = index_node(r, out + ":rank", x);
  }
  std::vector<size_t> grown;
  for (size_t a = 0; a < os.size(); ++a)
    if (T(x).shape[a] != os[a]) grown.push_back(a);
  for (size_t k = 0; k < grown.size(); ++k) {
    const size_t a = grown[k];
    const int64_t d = T(x).shape[a];
    if (os[a] % d) throw BadInput("node '" + n.name + "': " + n.op + " to " + model::shape_str(os) + " from a dimension of " + std::to_string(d));
    Node g = node(Op::Gather, n.name + ":axis" + std::to_string(a), {x});
    g.axis = int(a), g.idx_shape = {os[a]};
    for (int64_t j = 0; j < os[a]; ++j) g.ints.push_back(j % d);
    x = index_node(g, k + 1 == grown.size() ? out : out + ":axis" + std::to_string(a), x);
  }
  bind(out, x);
}

// Resize, per resized axis by the ONNX coordinate map (coordinate_transformation_mode): nearest
// mode is one gather of the source index each output position rounds to (nearest_mode); linear mode
// a Linear of that axis by the interpolation matrix (the axis moved last and back; edge values
// repeat beyond the ends). Cubic is refused.
void Lowerer::lower_resize(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const std::string& out = n.outputs[0];
  const std::string mode = attr_string(n, "mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic") throw NotSupported("node '" + n.name + "': Resize mode " + mode);
  if (attr_int(n, "antialias", 0) != 0) throw NotSupported("node '" + n.name + "': Resize with antialias");
  const double cubic_a = attr_float(n, "cubic_coeff_a", -0.75);
  const bool exclude_outside = mode == "cubic" && attr_int(n, "exclude_outside", 0) != 0;
  const std::string ctm = attr_string(n, "coordinate_transformation_mode", "half_pixel");
  const std::string nearest = attr_string(n, "nearest_mode", "round_prefer_floor");
  if (ctm != "half_pixel" && ctm != "asymmetric" && ctm != "pytorch_half_pixel" && ctm != "align_corners")
    throw NotSupported("node '" + n.name + "': Resize coordinate_transformation_mode " + ctm);
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" && nearest != "floor" && nearest != "ceil")
    throw NotSupported("node '" + n.name + "': Resize nearest_mode " + nearest);
  if (attr_ints(n, "axes").size()) throw NotSupported("node '" + n.name + "': Resize with axes");
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  const model::Shape xs = T(x).shape, os = m_.shape(out);
  if (os.size() != xs.size()) throw BadInput("node '" + n.name + "': Resize changes the rank");
  std::vector<double> scales;  // given scales decide the coordinate map (sizes give out/in)
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* c = cst(n.inputs[2]);
    if (!c) throw NotSupported("node '" + n.name + "': Resize with non-constant scales");
    scales.assign(c->data.begin(), c->data.end());
  }
  if (!scales.empty() && scales.size() != xs.size()) throw BadInput("node '" + n.name + "': Resize scales of the wrong rank");
  const size_t rank = xs.size();
  for (size_t a = 0; a < rank; ++a) {
    const int64_t L = xs[a], O = os[a];
    if (L == O && (scales.empty() || scales[a] == 1.0)) continue;
    const double s = scales.empty() ? double(O) / double(L) : scales[a];
    if (!(s > 0)) throw BadInput("node '" + n.name + "': Resize scale must be positive");
    auto source = [&](int64_t o) {  // the input coordinate of output position o
      return ctm == "asymmetric"                  ? double(o) / s
             : ctm == "align_corners"             ? (O == 1 ? 0.0 : double(o) * double(L - 1) / double(O - 1))
             : ctm == "pytorch_half_pixel" && O == 1 ? 0.0
                                                     : (double(o) + 0.5) / s - 0.5;
    };
    const std::string sfx = ":axis" + std::to_string(a);
    if (mode == "nearest") {
      std::vector<int64_t> idx(static_cast<size_t>(O));
      for (int64_t o = 0; o < O; ++o) {
        const double c = source(o), f = std::floor(c);
        const int64_t k = nearest == "floor" ? int64_t(f)
                          : nearest == "ceil" ? int64_t(std::ceil(c))
                          : c - f == 0.5      ? int64_t(nearest == "round_prefer_floor" ? f : f + 1.0)
                                              : int64_t(std::round(c));
        idx[size_t(o)] = std::clamp<int64_t>(k, 0, L - 1);
      }
      Node g = node(Op::Gather, n.name + sfx, {x});
      g.axis = int(a), g.ints = idx, g.idx_shape = {O};
      x = index_node(g, out + sfx, x);
      continue;
    }
    // [L, O]: output o reads the taps around its source coordinate (2 linear, 4 cubic: Keys' kernel
    // with coefficient a); a tap beyond the edge reads the edge, or with exclude_outside is dropped and
    // the others renormalized (ONNX's definition).
    std::vector<double> interp(static_cast<size_t>(L * O), 0.0);
    for (int64_t o = 0; o < O; ++o) {
      const double c = source(o), f = std::floor(c), t = c - f;
      std::vector<std::pair<int64_t, double>> taps;
      if (mode == "linear") {
        taps = {{int64_t(f), 1.0 - t}, {int64_t(f) + 1, t}};
      } else {
        auto keys = [&](double d) {
          d = std::abs(d);
          return d <= 1 ? ((cubic_a + 2) * d - (cubic_a + 3)) * d * d + 1
                 : d < 2 ? ((cubic_a * d - 5 * cubic_a) * d + 8 * cubic_a) * d - 4 * cubic_a
                         : 0.0;
        };
        for (int64_t k = -1; k <= 2; ++k) taps.push_back({int64_t(f) + k, keys(t - double(k))});
      }
      double kept = 0;
      for (const auto& [at, w] : taps) kept += at >= 0 && at < L ? w : 0.0;
      for (const auto& [at, w] : taps) {
        if (exclude_outside && (at < 0 || at >= L)) continue;
        interp[size_t(std::clamp<int64_t>(at, 0, L - 1) * O + o)] += exclude_outside ? w / kept : w;
      }
    }
    std::vector<int64_t> perm, back(rank);  // axis a last, and back
    for (size_t k = 0; k < rank; ++k)
      if (k != a) perm.push_back(int64_t(k));
    perm.push_back(int64_t(a));
    for (size_t k = 0; k < rank; ++k) back[size_t(perm[k])] = int64_t(k);
    if (a + 1 != rank) {
      Node tr = node(Op::Transpose, n.name + sfx + ":last", {x});
      tr.ints = perm;
      x = index_node(tr, out + sfx + ":last", x);
    }
    x = linear(x, interp, L, O, nullptr, out + sfx, n.name + sfx, false);
    if (a + 1 != rank) {
      Node tr = node(Op::Transpose, n.name + sfx + ":back", {x});
      tr.ints = back;
      x = index_node(tr, out + sfx + ":back", x);
    }
  }
  if (T(x).shape != os) throw BadInput("node '" + n.name + "': Resize output shape disagrees with its inputs");
  bind(out, x);
}

// x padded along `axis` by one gather of source indices: edge repeats the end rows, reflect mirrors
// them, constant reads a row of the value appended to x (a slice of x times 0, plus the value's code
// by a requant offset). Negative pads crop. The result is named `out`, intermediates `prefix:…`.
uint32_t Lowerer::gather_pad(uint32_t x, int64_t axis, int64_t before, int64_t after, const std::string& mode,
                             double value, const std::string& prefix, const std::string& out, const std::string& node_name,
                             int64_t dilation) {
  const int64_t len = T(x).shape[size_t(axis)], span = (len - 1) * dilation + 1;
  if (dilation > 1 && mode != "constant") throw BadInput("internal: a dilated pad of mode " + mode);
  std::vector<int64_t> idx;
  for (int64_t j = -before; j < span + after; ++j) {
    if (j >= 0 && j < span && j % dilation == 0) idx.push_back(j / dilation);
    else if (j >= 0 && j < span) idx.push_back(-1);  // between two rows: the value row
    else if (mode == "edge") idx.push_back(std::clamp<int64_t>(j, 0, len - 1));
    else if (mode == "reflect") {
      if (len < 2 || j < -(len - 1) || j > 2 * (len - 1)) throw NotSupported("node '" + node_name + "': reflect Pad wider than the input");
      idx.push_back(j < 0 ? -j : 2 * (len - 1) - j);
    } else idx.push_back(-1);
  }
  return gather_rows(x, axis, idx, value, prefix, out, node_name);
}

// A row of the value, when one is read, is appended to x first: a slice of x times 0, plus the
// value's code by a requant offset.
uint32_t Lowerer::gather_rows(uint32_t x, int64_t axis, const std::vector<int64_t>& idx, double value, const std::string& prefix,
                              const std::string& out, const std::string& node_name) {
  const int64_t len = T(x).shape[size_t(axis)];
  uint32_t src = x;
  if (std::ranges::find(idx, -1) != idx.end()) {
    Node row = node(Op::Slice, node_name + ":row", {x});
    row.axes = {axis}, row.starts = {0}, row.ends = {1}, row.steps = {1};
    uint32_t r = index_node(row, prefix + ":row", x);
    Node zero = node(Op::MulConst, node_name + ":zero", {r, constant(prefix + ":zero_c", {1}, {0}, {}, 1.0)});
    zero.real_mult = {0.0};
    uint32_t z = emit(zero, prefix + ":zeros", T(x).scale);
    if (value != 0) {  // the value's code at x's scale, added by a requant's offset
      const double s = T(x).scale;
      const int64_t code = structural() ? 0 : std::llround(value / s), bound = std::max(qmax_, std::abs(code) + 1);
      Node r = node(Op::Requant, node_name + ":value", {z});
      r.mult = {1}, r.offset = {code}, r.shift = 0, r.lo = -bound, r.hi = bound;
      r.real_mult = {1.0}, r.real_offset = {value};
      z = emit(r, prefix + ":value", s);
    }
    narrow_ids_.insert(z);
    Node cat = node(Op::Concat, node_name + ":append", {x, z});
    cat.axis = int(axis);
    src = index_node(cat, prefix + ":ext", x);
  }
  std::vector<int64_t> rows(idx);
  for (int64_t& k : rows)
    if (k < 0) k = len;  // the appended row
  Node g = node(Op::Gather, node_name, {src});
  g.axis = int(axis), g.ints = rows, g.idx_shape = {int64_t(rows.size())};
  return index_node(g, out, src);
}

}  // namespace zkm31::onnx_import
