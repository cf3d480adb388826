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

}  // namespace zkm31::onnx_import
