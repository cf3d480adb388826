// Attention masks given as an input (Hugging Face's attention_mask): an integer input m of 0s and 1s
// that reaches the scores of a Softmax as a + b·m — through Unsqueeze/Squeeze/Reshape/Flatten/Cast/
// Identity and Add/Sub/Mul/Div by a scalar constant, e.g. (1 − m)·finfo.min — with one of a, a + b
// zero (kept) and the other ≤ −1e4 (dropped). The mask is a public input proven inside [0, 1]; the
// masked scores are s·keep + drop·fill (a product and a sum the proof checks), which the Softmax reads
// as it reads a constant mask's fill.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

namespace {

constexpr double kDropped = -1e4;  // a mask value at or below this removes its score

bool carries(const std::string& op) {
  return op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten" || op == "Cast" || op == "Identity";
}

}  // namespace

bool Lowerer::mask_step(size_t i) {
  const LiveNode& n = m_.nodes[i];
  size_t at = n.inputs.size();
  for (size_t k = 0; k < n.inputs.size(); ++k)
    if (masks_.count(n.inputs[k])) at = k;
  if (at == n.inputs.size()) return false;
  MaskValue v = masks_.at(n.inputs[at]);
  const std::string& out = n.outputs[0];
  auto refuse = [&](const std::string& why) -> bool {
    throw NotSupported("integer input '" + v.name + "' reaches node '" + n.name + "' (" + n.op + "): " + why +
                       "; an integer input is taken as token ids (a Gather of a constant [V, D] table) or as an "
                       "attention mask added to the scores of a Softmax as a + b·m (one of a, a + b zero, the other "
                       "≤ −1e4), through Unsqueeze/Squeeze/Reshape/Cast and Add/Sub/Mul/Div by a scalar constant");
  };
  if (carries(n.op)) {
    if (at != 0) return refuse("the mask is not the data operand");
    v.shape = m_.shape(out);
    masks_[out] = v;
    return true;
  }
  const bool binary = n.op == "Add" || n.op == "Sub" || n.op == "Mul" || n.op == "Div";
  if (!binary || n.inputs.size() != 2) return refuse("not a step of a mask");
  const std::string& other = n.inputs[1 - at];
  if (masks_.count(other)) return refuse("two masks combined");
  if (const Const* c = cst(other)) {
    if (c->data.size() != 1) return refuse("a constant operand with more than one value");
    const double k = c->data[0];
    if (n.op == "Add") v.a += k;
    else if (n.op == "Sub" && at == 0) v.a -= k;
    else if (n.op == "Sub") v.a = k - v.a, v.b = -v.b;
    else if (n.op == "Mul") v.a *= k, v.b *= k;
    else if (at == 0 && k != 0) v.a /= k, v.b /= k;
    else return refuse("a division by the mask or by zero");
    v.shape = m_.shape(out);
    masks_[out] = v;
    return true;
  }
  if (n.op != "Add") return refuse("an activation operand other than the scores of an Add");
  if (!sole_consumer(out, "Softmax")) return refuse("the sum does not feed a Softmax alone");
  const bool drop_zero = v.a <= kDropped && v.a + v.b == 0, drop_one = v.a == 0 && v.a + v.b <= kDropped;
  if (!drop_zero && !drop_one) return refuse("its values are not 0 where kept and ≤ −1e4 where dropped");
  pending_[out] = {other, Const{}, n.name, false, v};
  return true;
}

uint32_t Lowerer::apply_input_mask(uint32_t s, const MaskValue& m, double ss, int64_t fill, const std::string& out,
                                   const std::string& node_name) {
  uint32_t mask = m.input;
  if (T(mask).shape != m.shape) {  // in the layout the scores broadcast it over (e.g. [B, 1, 1, S])
    Node r = node(Op::Reshape, node_name + ":mask_shape", {mask});
    r.ints = m.shape;
    mask = emit(r, out + ":mask", 1.0);
  }
  const uint32_t one = constant(out + ":one", {1}, {1}, {1.0f}, 1.0);
  const uint32_t flipped = emit(node(Op::Sub, node_name + ":mask_flip", {one, mask}), out + ":mask_flip", 1.0);
  const bool drop_one = m.a == 0;  // a + b·m is 0 where m = 0: the 1s are dropped
  const uint32_t keep = drop_one ? flipped : mask, drop = drop_one ? mask : flipped;
  const uint32_t kept = emit(node(Op::Mul, node_name + ":mask_keep", {s, keep}), out + ":kept", ss);
  Node f = node(Op::MulConst, node_name + ":mask_fill", {drop, constant(out + ":fill_c", {1}, {fill}, {}, 1.0)});
  f.real_mult = {double(fill) * ss};
  const uint32_t filled = emit(f, out + ":fill", ss);
  return emit(node(Op::Add, node_name + ":mask_add", {kept, filled}), out + ":masked", ss);
}

}  // namespace zkm31::onnx_import
