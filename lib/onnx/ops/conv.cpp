// Conv (1-D and 2-D): im2col, then the Linear of the flattened kernel; the [OH·OW, Co] result is
// laid back out as [1, Co, OH, OW]. ConvTranspose: the same conv over the input spread by its strides.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

void Lowerer::lower_conv(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* W = cst(n.inputs[1]);
  // A 1-D conv ([1, C, L], kernel [Co, Ci, K]) is the 2-D one over [1, C, 1, L] with a 1×K kernel.
  const bool one_d = W && W->shape.size() == 3;
  if (!W || (W->shape.size() != 4 && !one_d))
    throw NotSupported("node '" + n.name + "': Conv needs a constant 3-D or 4-D weight (1-D or 2-D conv)");
  const auto& xs = m_.shape(n.inputs[0]);
  if (xs.size() != (one_d ? 3u : 4u) || xs[0] != 1)
    throw NotSupported("node '" + n.name + "': Conv input must be " + (one_d ? "[1, C, L]" : "[1, C, H, W]"));
  ConvSpec c{W->shape[0], W->shape[1], one_d ? 1 : W->shape[2], W->shape[one_d ? 2 : 3], attr_int(n, "group", 1),
             attr_ints(n, "pads"), attr_ints(n, "strides"), attr_ints(n, "dilations")};
  if (c.G < 1 || xs[1] != c.Ci * c.G || c.Co % c.G)
    throw BadInput("node '" + n.name + "': Conv group " + std::to_string(c.G) + " does not divide the channels");
  if (one_d) {
    c.pads = c.pads.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{0, c.pads.at(0), 0, c.pads.at(1)};
    c.strides = {1, c.strides.empty() ? 1 : c.strides[0]}, c.dil = {1, c.dil.empty() ? 1 : c.dil[0]};
  }
  if (c.strides.empty()) c.strides = {1, 1};
  if (c.dil.empty()) c.dil = {1, 1};
  // auto_pad (converters from TensorFlow and Keras write it): SAME pads so that out = ceil(in / stride),
  // the odd pixel after (SAME_UPPER) or before (SAME_LOWER); VALID none.
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") c.pads = {0, 0, 0, 0};
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int64_t in[2] = {one_d ? 1 : xs[2], xs[one_d ? 2 : 3]}, k[2] = {c.KH, c.KW};
    c.pads.assign(4, 0);
    for (size_t a = 0; a < 2; ++a) {
      const int64_t out = (in[a] + c.strides[a] - 1) / c.strides[a];
      const int64_t total = std::max<int64_t>(0, (out - 1) * c.strides[a] + (k[a] - 1) * c.dil[a] + 1 - in[a]);
      c.pads[a] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2, c.pads[a + 2] = total - c.pads[a];
    }
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    throw BadInput("node '" + n.name + "': Conv auto_pad " + auto_pad);
  }
  std::vector<double> bias;
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* b = cst(n.inputs[2]);
    if (!b) throw NotSupported("node '" + n.name + "': non-constant Conv bias");
    bias = b->data;
  }
  // The requant output [OH·OW, Co] is calibrated under the conv output's name, so a following
  // ReLU sees the positive range.
  const bool relu_fed = sole_consumer(n.outputs[0], "Relu") != nullptr;
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  if (one_d) {
    Node rs = node(Op::Reshape, n.name + ":2d", {x});
    rs.ints = {1, xs[1], 1, xs[2]};
    x = index_node(rs, n.outputs[0] + ":in2d", x);
  }
  bind(n.outputs[0], conv2d(x, W->data, c, bias, m_.shape(n.outputs[0]), n.outputs[0], n.name, relu_fed));
}

// ConvTranspose as a Conv: x with stride − 1 zero rows between its rows (a gather), padded
// by dilation·(K − 1) − pad (plus output_padding after), then convolved with stride 1 by the kernel
// flipped in space and with its in/out channels swapped.
void Lowerer::lower_conv_transpose(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const Const* W = cst(n.inputs[1]);
  // 1-D ([1, C, L], kernel [Ci, Co, K]) as 2-D over [1, C, 1, L], as for Conv.
  const bool one_d = W && W->shape.size() == 3;
  if (!W || (W->shape.size() != 4 && !one_d))
    throw NotSupported("node '" + n.name + "': ConvTranspose needs a constant 3-D or 4-D weight (1-D or 2-D)");
  model::Shape xs = m_.shape(n.inputs[0]), os = m_.shape(n.outputs[0]);  // shape inference applied output_shape
  if (xs.size() != (one_d ? 3u : 4u) || xs[0] != 1)
    throw NotSupported("node '" + n.name + "': ConvTranspose input must be " + (one_d ? "[1, C, L]" : "[1, C, H, W]"));
  if (attr_string(n, "auto_pad", "NOTSET") != "NOTSET") throw NotSupported("node '" + n.name + "': ConvTranspose auto_pad");
  // Weight [Ci, Co/G, …]: group g maps input channels g·Ci/G… to output channels g·Co/G….
  const int64_t G = attr_int(n, "group", 1), Ci = W->shape[0], Cog = W->shape[1], Co = Cog * G;
  const int64_t KH = one_d ? 1 : W->shape[2], KW = W->shape[one_d ? 2 : 3];
  if (xs[1] != Ci || G < 1 || Ci % G)
    throw BadInput("node '" + n.name + "': ConvTranspose weight has " + std::to_string(Ci) + " input channels in " +
                   std::to_string(G) + " groups for an input of " + std::to_string(xs[1]));
  const int64_t Cig = Ci / G;
  auto pads = attr_ints(n, "pads"), strides = attr_ints(n, "strides"), dil = attr_ints(n, "dilations");
  if (one_d) {
    xs.insert(xs.begin() + 2, 1), os.insert(os.begin() + 2, 1);
    pads = pads.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{0, pads.at(0), 0, pads.at(1)};
    strides = {1, strides.empty() ? 1 : strides[0]}, dil = {1, dil.empty() ? 1 : dil[0]};
  }
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (strides.empty()) strides = {1, 1};
  if (dil.empty()) dil = {1, 1};
  // The conv's kernels [Co][Ci/G][KH][KW]: flipped in space, in and out channels swapped per group.
  std::vector<double> flipped(W->data.size());
  for (int64_t o = 0; o < Co; ++o)
    for (int64_t c = 0; c < Cig; ++c)
      for (int64_t a = 0; a < KH; ++a)
        for (int64_t b = 0; b < KW; ++b)
          flipped[size_t(((o * Cig + c) * KH + a) * KW + b)] =
              W->data[size_t((((o / Cog) * Cig + c) * Cog + o % Cog) * KH * KW + (KH - 1 - a) * KW + (KW - 1 - b))];
  std::vector<double> bias;
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* b = cst(n.inputs[2]);
    if (!b) throw NotSupported("node '" + n.name + "': non-constant ConvTranspose bias");
    bias = b->data;
  }
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  const std::string& out = n.outputs[0];
  if (one_d) {
    Node rs = node(Op::Reshape, n.name + ":2d", {x});
    rs.ints = xs;
    x = index_node(rs, out + ":in2d", x);
  }
  for (int axis : {2, 3}) {
    const size_t a = size_t(axis - 2);
    const int64_t k = (a ? KW : KH), reach = dil[a] * (k - 1);
    // Rows beyond what the given output size needs are cropped (negative pads).
    const int64_t before = reach - pads[a], after = os[size_t(axis)] - ((xs[size_t(axis)] - 1) * strides[a] + 1) - before + reach;
    x = gather_pad(x, axis, before, after, "constant", 0.0, out + ":up" + std::to_string(axis), out + ":up" + std::to_string(axis),
                   n.name + ":up" + std::to_string(axis), strides[a]);
  }
  narrow_ids_.insert(x);
  const ConvSpec c{Co, Cig, KH, KW, G, {0, 0, 0, 0}, {1, 1}, dil};
  bind(out, conv2d(x, flipped, c, bias, m_.shape(out), out, n.name, sole_consumer(out, "Relu") != nullptr));
}

uint32_t Lowerer::conv2d(uint32_t x, const std::vector<double>& W, const ConvSpec& c, const std::vector<double>& bias,
                         const model::Shape& os, const std::string& out, const std::string& node_name, bool relu_fed) {
  const std::vector<int64_t> pads = c.pads.empty() ? std::vector<int64_t>{0, 0, 0, 0} : c.pads;
  const std::vector<int64_t> strides = c.strides.empty() ? std::vector<int64_t>{1, 1} : c.strides;
  const std::vector<int64_t> dil = c.dil.empty() ? std::vector<int64_t>{1, 1} : c.dil;
  // Group g: its Ci input channels, im2col, the Linear of its Co/G kernels → [OH·OW, Co/G].
  const int64_t G = c.G, Co = c.Co, Ci = c.Ci, K = Ci * c.KH * c.KW, Cg = Co / G;
  std::vector<uint32_t> parts;
  for (int64_t g = 0; g < G; ++g) {
    const std::string sfx = G == 1 ? "" : ":g" + std::to_string(g);
    uint32_t xg = x;
    if (G > 1) {
      Node sl = node(Op::Slice, node_name + sfx, {x});
      sl.axes = {1}, sl.starts = {g * Ci}, sl.ends = {(g + 1) * Ci}, sl.steps = {1};
      xg = index_node(sl, out + sfx + ":in", x);
    }
    Node im = node(Op::Im2col, node_name + sfx + ":im2col", {xg});
    im.ints = {c.KH, c.KW, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dil[0], dil[1]};
    uint32_t cols = emit(im, out + sfx + ":cols", T(xg).scale);
    narrow_ids_.insert(cols);
    if (T(cols).shape[0] * Co != numel(os)) throw BadInput("node '" + node_name + "': Conv output size disagrees with its attributes");
    std::vector<double> Wt(size_t(K * Cg));
    for (int64_t o = 0; o < Cg; ++o)
      for (int64_t k = 0; k < K; ++k) Wt[size_t(k * Cg + o)] = W[size_t((g * Cg + o) * K + k)];
    std::vector<double> bg(bias.begin() + (bias.empty() ? 0 : g * Cg), bias.begin() + (bias.empty() ? 0 : (g + 1) * Cg));
    parts.push_back(linear(cols, Wt, K, Cg, bias.empty() ? nullptr : &bg, out + ":hwc" + sfx, node_name + sfx, relu_fed));
  }
  uint32_t hwc = G == 1 ? parts[0] : concat(parts, 1, out + ":hwc", node_name + ":groups");
  Node tr = node(Op::Transpose, node_name + ":chw", {hwc});
  tr.ints = {1, 0};
  uint32_t chw = emit(tr, out + ":chw", T(hwc).scale);
  narrow_ids_.insert(chw);
  Node rs = node(Op::Reshape, node_name + ":reshape", {chw});
  rs.ints = os;
  uint32_t y = emit(rs, out, T(hwc).scale);
  narrow_ids_.insert(y);
  return y;
}

}  // namespace zkm31::onnx_import
