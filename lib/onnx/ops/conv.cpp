// Conv (1-D and 2-D): im2col, then the Linear of the flattened kernel; the [OH·OW, Co] result is
// laid back out as [1, Co, OH, OW]. ConvTranspose: the same conv over the input spread by its strides.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

Lowerer::ConvInput Lowerer::conv_input(const LiveNode& n, const std::string& op) {
  ConvInput ci;
  ci.W = cst(n.inputs[1]);
  ci.one_d = ci.W && ci.W->shape.size() == 3;
  if (!ci.W || (ci.W->shape.size() != 4 && !ci.one_d))
    throw NotSupported("node '" + n.name + "': " + op + " needs a constant 3-D or 4-D weight (1-D or 2-D)");
  ci.xs = m_.shape(n.inputs[0]);
  if (ci.xs.size() != (ci.one_d ? 3u : 4u) || ci.xs[0] != 1)
    throw NotSupported("node '" + n.name + "': " + op + " input must be " + (ci.one_d ? "[1, C, L]" : "[1, C, H, W]"));
  ci.pads = attr_ints(n, "pads"), ci.strides = attr_ints(n, "strides"), ci.dil = attr_ints(n, "dilations");
  if (ci.one_d) {
    ci.xs.insert(ci.xs.begin() + 2, 1);
    ci.pads = ci.pads.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{0, ci.pads.at(0), 0, ci.pads.at(1)};
    ci.strides = {1, ci.strides.empty() ? 1 : ci.strides[0]}, ci.dil = {1, ci.dil.empty() ? 1 : ci.dil[0]};
  }
  if (ci.pads.empty()) ci.pads = {0, 0, 0, 0};
  if (ci.strides.empty()) ci.strides = {1, 1};
  if (ci.dil.empty()) ci.dil = {1, 1};
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    const Const* b = cst(n.inputs[2]);
    if (!b) throw NotSupported("node '" + n.name + "': non-constant " + op + " bias");
    ci.bias = b->data;
  }
  ci.x = narrow(tid(n.inputs[0]), n.name);
  if (ci.one_d) {
    Node rs = node(Op::Reshape, n.name + ":2d", {ci.x});
    rs.ints = ci.xs;
    ci.x = index_node(rs, n.outputs[0] + ":in2d", ci.x);
  }
  return ci;
}

void Lowerer::lower_conv(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const ConvInput ci = conv_input(n, "Conv");
  const Const& W = *ci.W;
  ConvSpec c{W.shape[0], W.shape[1], ci.one_d ? 1 : W.shape[2], W.shape[ci.one_d ? 2 : 3], attr_int(n, "group", 1),
             ci.pads, ci.strides, ci.dil};
  if (c.G < 1 || ci.xs[1] != c.Ci * c.G || c.Co % c.G)
    throw BadInput("node '" + n.name + "': Conv group " + std::to_string(c.G) + " does not divide the channels");
  // auto_pad (converters from TensorFlow and Keras write it): SAME pads so that out = ceil(in / stride),
  // the odd pixel after (SAME_UPPER) or before (SAME_LOWER); VALID none.
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") c.pads = {0, 0, 0, 0};
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int64_t in[2] = {ci.xs[2], ci.xs[3]}, k[2] = {c.KH, c.KW};
    c.pads.assign(4, 0);
    for (size_t a = 0; a < 2; ++a) {
      const int64_t out = (in[a] + c.strides[a] - 1) / c.strides[a];
      const int64_t total = std::max<int64_t>(0, (out - 1) * c.strides[a] + (k[a] - 1) * c.dil[a] + 1 - in[a]);
      c.pads[a] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2, c.pads[a + 2] = total - c.pads[a];
    }
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    throw BadInput("node '" + n.name + "': Conv auto_pad " + auto_pad);
  }
  // The requant output [OH·OW, Co] is calibrated under the conv output's name, so a following
  // ReLU sees the positive range.
  const bool relu_fed = sole_consumer(n.outputs[0], "Relu") != nullptr;
  bind(n.outputs[0], conv2d(ci.x, W.data, c, ci.bias, m_.shape(n.outputs[0]), n.outputs[0], n.name, relu_fed));
}

// ConvTranspose as a Conv: x with stride − 1 zero rows between its rows (a gather), padded
// by dilation·(K − 1) − pad (plus output_padding after), then convolved with stride 1 by the kernel
// flipped in space and with its in/out channels swapped.
void Lowerer::lower_conv_transpose(size_t i) {
  const LiveNode& n = m_.nodes[i];
  if (attr_string(n, "auto_pad", "NOTSET") != "NOTSET") throw NotSupported("node '" + n.name + "': ConvTranspose auto_pad");
  const ConvInput ci = conv_input(n, "ConvTranspose");
  const Const& W = *ci.W;
  const model::Shape& xs = ci.xs;
  model::Shape os = m_.shape(n.outputs[0]);  // shape inference applied output_shape
  if (ci.one_d) os.insert(os.begin() + 2, 1);
  // Weight [Ci, Co/G, …]: group g maps input channels g·Ci/G… to output channels g·Co/G….
  const int64_t G = attr_int(n, "group", 1), Ci = W.shape[0], Cog = W.shape[1], Co = Cog * G;
  const int64_t KH = ci.one_d ? 1 : W.shape[2], KW = W.shape[ci.one_d ? 2 : 3];
  if (xs[1] != Ci || G < 1 || Ci % G)
    throw BadInput("node '" + n.name + "': ConvTranspose weight has " + std::to_string(Ci) + " input channels in " +
                   std::to_string(G) + " groups for an input of " + std::to_string(xs[1]));
  const int64_t Cig = Ci / G;
  // The conv's kernels [Co][Ci/G][KH][KW]: flipped in space, in and out channels swapped per group.
  std::vector<double> flipped(W.data.size());
  for (int64_t o = 0; o < Co; ++o)
    for (int64_t c = 0; c < Cig; ++c)
      for (int64_t a = 0; a < KH; ++a)
        for (int64_t b = 0; b < KW; ++b)
          flipped[size_t(((o * Cig + c) * KH + a) * KW + b)] =
              W.data[size_t((((o / Cog) * Cig + c) * Cog + o % Cog) * KH * KW + (KH - 1 - a) * KW + (KW - 1 - b))];
  const std::string& out = n.outputs[0];
  uint32_t x = ci.x;
  for (int axis : {2, 3}) {
    const size_t a = size_t(axis - 2);
    const int64_t k = (a ? KW : KH), reach = ci.dil[a] * (k - 1);
    // Rows beyond what the given output size needs are cropped (negative pads).
    const int64_t before = reach - ci.pads[a],
                  after = os[size_t(axis)] - ((xs[size_t(axis)] - 1) * ci.strides[a] + 1) - before + reach;
    x = gather_pad(x, axis, before, after, "constant", 0.0, out + ":up" + std::to_string(axis), out + ":up" + std::to_string(axis),
                   n.name + ":up" + std::to_string(axis), ci.strides[a]);
  }
  narrow_ids_.insert(x);
  const ConvSpec c{Co, Cig, KH, KW, G, {0, 0, 0, 0}, {1, 1}, ci.dil};
  bind(out, conv2d(x, flipped, c, ci.bias, m_.shape(out), out, n.name, sole_consumer(out, "Relu") != nullptr));
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
