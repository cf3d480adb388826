// Conv: im2col, then the Linear of the flattened kernel; the [OH·OW, Co] result is laid back
// out as [1, Co, OH, OW].
#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

void Lowerer::lower_conv(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* W = cst(n.inputs[1]);
  if (!W || W->shape.size() != 4) throw NotSupported("node '" + n.name + "': Conv needs a constant 4-D weight (2-D conv)");
  const int64_t G = attr_int(n, "group", 1);
  const auto& xs = m_.shape(n.inputs[0]);
  if (xs.size() != 4 || xs[0] != 1) throw NotSupported("node '" + n.name + "': Conv input must be [1, C, H, W]");
  int64_t Co = W->shape[0], Ci = W->shape[1], KH = W->shape[2], KW = W->shape[3];
  if (G < 1 || xs[1] != Ci * G || Co % G) throw BadInput("node '" + n.name + "': Conv group " + std::to_string(G) + " does not divide the channels");
  if (attr_string(n, "auto_pad", "NOTSET") != "NOTSET") throw NotSupported("node '" + n.name + "': Conv auto_pad");
  auto pads = attr_ints(n, "pads"), strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  std::vector<double> bias;
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* b = cst(n.inputs[2]);
    if (!b) throw NotSupported("node '" + n.name + "': non-constant Conv bias");
    bias = b->data;
  }
  const auto& os = m_.shape(n.outputs[0]);
  // The requant output [OH·OW, Co] is calibrated under the conv output's name, so a following
  // ReLU sees the positive range.
  const bool relu_fed = sole_consumer(n.outputs[0], "Relu") != nullptr;
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  // Group g: its Ci input channels, im2col, the Linear of its Co/G kernels → [OH·OW, Co/G].
  const int64_t K = Ci * KH * KW, Cg = Co / G;
  std::vector<uint32_t> parts;
  for (int64_t g = 0; g < G; ++g) {
    const std::string sfx = G == 1 ? "" : ":g" + std::to_string(g);
    uint32_t xg = x;
    if (G > 1) {
      Node sl = node(Op::Slice, n.name + sfx, {x});
      sl.axes = {1}, sl.starts = {g * Ci}, sl.ends = {(g + 1) * Ci}, sl.steps = {1};
      xg = index_node(sl, n.outputs[0] + sfx + ":in", x);
    }
    Node im = node(Op::Im2col, n.name + sfx + ":im2col", {xg});
    im.ints = {KH, KW, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dil[0], dil[1]};
    uint32_t cols = emit(im, n.outputs[0] + sfx + ":cols", T(xg).scale);
    narrow_ids_.insert(cols);
    if (T(cols).shape[0] * Co != numel(os)) throw BadInput("node '" + n.name + "': Conv output size disagrees with its attributes");
    std::vector<double> Wt(size_t(K * Cg));
    for (int64_t o = 0; o < Cg; ++o)
      for (int64_t k = 0; k < K; ++k) Wt[size_t(k * Cg + o)] = W->data[size_t((g * Cg + o) * K + k)];
    std::vector<double> bg(bias.begin() + (bias.empty() ? 0 : g * Cg), bias.begin() + (bias.empty() ? 0 : (g + 1) * Cg));
    parts.push_back(linear(cols, Wt, K, Cg, bias.empty() ? nullptr : &bg, n.outputs[0] + ":hwc" + sfx, n.name + sfx, relu_fed));
  }
  uint32_t hwc = G == 1 ? parts[0] : concat(parts, 1, n.outputs[0] + ":hwc", n.name + ":groups");
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

}  // namespace zkm31::onnx_import
