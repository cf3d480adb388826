// MaxPool / AveragePool (2-D, NCHW with N = 1) and GlobalAveragePool / GlobalMaxPool. A window
// pool is im2col, a reduce over the window (reduce_max, or reduce_sum then a requant by 1/count
// per output position), and a transpose back to [1, C, OH, OW]. Max pooling pads by repeating the
// border (see below), so the zeros im2col pads with are never used.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

void Lowerer::lower_pool(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const bool is_max = n.op == "MaxPool";
  const std::string& out = n.outputs[0];
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) throw NotSupported("node '" + n.name + "': MaxPool with an Indices output");
  // A 1-D pool ([1, C, L]) is the 2-D one over [1, C, 1, L] with a 1×k window.
  const bool one_d = m_.shape(n.inputs[0]).size() == 3;
  model::Shape xs = m_.shape(n.inputs[0]), os = m_.shape(out);  // ONNX shape inference applied auto_pad and ceil_mode
  if (one_d && os.size() == 3) xs.insert(xs.begin() + 2, 1), os.insert(os.begin() + 2, 1);
  if (xs.size() != 4 || xs[0] != 1) throw NotSupported("node '" + n.name + "': " + n.op + " input must be [1, C, L] or [1, C, H, W]");
  auto k = attr_ints(n, "kernel_shape"), pads = attr_ints(n, "pads"), strides = attr_ints(n, "strides"),
       dil = attr_ints(n, "dilations");
  if (one_d && k.size() == 1) {
    k = {1, k[0]};
    pads = pads.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{0, pads.at(0), 0, pads.at(1)};
    strides = {1, strides.empty() ? k[1] : strides[0]}, dil = {1, dil.empty() ? 1 : dil[0]};
  }
  if (k.size() != 2) throw NotSupported("node '" + n.name + "': " + n.op + " other than 1-D or 2-D");
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  const int64_t C = xs[1], H = xs[2], W = xs[3];
  const int64_t OH = os[2], OW = os[3];
  // Padding that auto_pad or ceil_mode adds: whatever the last window needs beyond the given pads.
  int64_t need_h = (OH - 1) * strides[0] + (k[0] - 1) * dil[0] + 1, need_w = (OW - 1) * strides[1] + (k[1] - 1) * dil[1] + 1;
  int64_t pt = pads[0], pl = pads[1], pb = pads[2], pr = pads[3];
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    int64_t th = std::max<int64_t>(0, need_h - H), tw = std::max<int64_t>(0, need_w - W);
    bool upper = auto_pad == "SAME_UPPER";
    pt = upper ? th / 2 : th - th / 2, pb = th - pt, pl = upper ? tw / 2 : tw - tw / 2, pr = tw - pl;
  } else if (auto_pad == "VALID") {
    pt = pl = pb = pr = 0;
  }
  const int64_t pb_given = pb, pr_given = pr;
  pb = std::max(pb, need_h - H - pt), pr = std::max(pr, need_w - W - pl);
  const bool padded = pt || pl || pb || pr;

  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  if (one_d) {
    Node r2 = node(Op::Reshape, n.name + ":2d", {x});
    r2.ints = xs;
    x = index_node(r2, out + ":in2d", x);
  }
  const double s = T(x).scale;
  if (is_max && padded) {
    // Max over padding (−inf in ONNX) = max over the window's image elements: pad by repeating the
    // border (a gather), which only adds values the window already holds when every window that
    // reaches past a border also samples that border row (always so without dilation).
    auto border_sampled = [&](int64_t len, int64_t before, int64_t O, int64_t st, int64_t kk, int64_t d) {
      for (int64_t o = 0; o < O; ++o) {
        bool low = false, high = false, has0 = false, has_end = false;
        for (int64_t j = 0; j < kk; ++j) {
          int64_t t = o * st - before + j * d;
          low |= t < 0, high |= t >= len, has0 |= t == 0, has_end |= t == len - 1;
        }
        if ((low && !has0) || (high && !has_end)) return false;
      }
      return true;
    };
    if (!border_sampled(H, pt, OH, strides[0], k[0], dil[0]) || !border_sampled(W, pl, OW, strides[1], k[1], dil[1]))
      throw NotSupported("node '" + n.name + "': MaxPool whose dilated windows skip the border they pad");
    if (pt || pb) x = gather_pad(x, 2, pt, pb, "edge", 0.0, out + ":pad_h", out + ":pad_h", n.name + ":pad_h");
    if (pl || pr) x = gather_pad(x, 3, pl, pr, "edge", 0.0, out + ":pad_w", out + ":pad_w", n.name + ":pad_w");
    pt = pl = pb = pr = 0;
  }
  Node im = node(Op::Im2col, n.name + ":im2col", {x});
  im.ints = {k[0], k[1], strides[0], strides[1], pt, pl, pb, pr, dil[0], dil[1]};
  uint32_t cols = index_node(im, out + ":cols", x);
  if (T(cols).shape[0] != OH * OW) throw BadInput("node '" + n.name + "': " + n.op + " output size disagrees with its attributes");
  Node win = node(Op::Reshape, n.name + ":windows", {cols});
  win.ints = {OH * OW, C, k[0] * k[1]};
  uint32_t w = index_node(win, out + ":windows", cols);
  uint32_t red = emit(node(is_max ? Op::ReduceMax : Op::ReduceSum, n.name + (is_max ? ":max" : ":sum"), {w}),
                      out + (is_max ? ":max" : ":sum"), s);
  Node flat = node(Op::Reshape, n.name + ":flat", {red});
  flat.ints = {OH * OW, C};
  uint32_t f = index_node(flat, out + ":flat", red);
  Node tr = node(Op::Transpose, n.name + ":chw", {f});
  tr.ints = {1, 0};
  uint32_t chw = index_node(tr, out + ":chw", f);  // [C, OH·OW]: a requant's channel axis is the position
  uint32_t y = chw;
  if (!is_max) {
    // divisor per output position: the window's elements inside the image (count_include_pad = 0),
    // or inside the image with its given pads (= 1)
    const bool with_pad = attr_int(n, "count_include_pad", 0) != 0;
    std::vector<double> inv(size_t(OH * OW));
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t cnt = 0;
        for (int64_t a = 0; a < k[0]; ++a)
          for (int64_t b = 0; b < k[1]; ++b) {
            int64_t h = oh * strides[0] - pt + a * dil[0], v = ow * strides[1] - pl + b * dil[1];
            bool in_image = h >= 0 && h < H && v >= 0 && v < W;
            bool in_padded = h >= -pt && h < H + pb_given && v >= -pl && v < W + pr_given;
            cnt += with_pad ? in_padded : in_image;
          }
        inv[size_t(oh * OW + ow)] = 1.0 / double(std::max<int64_t>(cnt, 1));
      }
    y = requant(chw, {s}, inv, {}, scale_for(out + ":pooled", false), -qmax_, qmax_, out + ":pooled", n.name + ":mean");
  }
  narrow_ids_.insert(y);
  Node rs = node(Op::Reshape, n.name + ":reshape", {y});
  rs.ints = m_.shape(out);
  bind(out, index_node(rs, out, y));
}

// GlobalAveragePool / GlobalMaxPool: [N, C, spatial…] → [N, C, 1, …] by a reduce over the spatial axes.
void Lowerer::lower_global_pool(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = tid(n.inputs[0]);
  std::vector<int64_t> axes;
  for (int64_t a = 2; a < int64_t(T(x).shape.size()); ++a) axes.push_back(a);
  if (axes.empty()) throw BadInput("node '" + n.name + "': " + n.op + " of a tensor without spatial axes");
  const std::string& out = n.outputs[0];
  bool is_max = n.op == "GlobalMaxPool";
  uint32_t y = reduce(x, axes, is_max ? Op::ReduceMax : Op::ReduceSum, !is_max, out + ":reduced", n.name);
  Node r = node(Op::Reshape, n.name + ":reshape", {y});
  r.ints = m_.shape(out);
  bind(out, index_node(r, out, y));
}

}  // namespace zkm31::onnx_import
