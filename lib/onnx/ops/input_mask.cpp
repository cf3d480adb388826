// Attention masks given as an input (Hugging Face's attention_mask): an integer input m of 0s and 1s
// that reaches the scores of a Softmax as a + b·m — through Unsqueeze/Squeeze/Reshape/Flatten/Cast/
// Identity and Add/Sub/Mul/Div by a scalar constant, e.g. (1 − m)·finfo.min — with one of a, a + b
// zero (kept) and the other ≤ −1e4 (dropped); or as the condition of a Where between the scores and
// a fill ≤ −1e4, the condition an Equal of a + b·m with a scalar (and Not), e.g.
// scores.masked_fill(m == 0, −inf). The mask is a public input proven inside [0, 1]; the masked
// scores are s·keep + drop·fill (a product and a sum the proof checks), which the Softmax reads as it
// reads a constant mask's fill.
#include <algorithm>

#include "error/error.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

namespace {

constexpr double kDropped = -1e4;  // a mask value at or below this removes its score

// A constant whose every value drops a score (a Where's fill).
bool all_dropped(const Const* c) {
  return c && !c->data.empty() && std::all_of(c->data.begin(), c->data.end(), [](double v) { return v <= kDropped; });
}

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
                       "≤ −1e4), or as the condition of a Where between the scores and a fill ≤ −1e4 (masked_fill(m == 0, "
                       "−inf)), through Unsqueeze/Squeeze/Reshape/Cast, Equal with a scalar, Not and Add/Sub/Mul/Div by "
                       "a scalar constant");
  };
  if (carries(n.op)) {
    if (at != 0) return refuse("the mask is not the data operand");
    v.shape = m_.shape(out);
    masks_[out] = v;
    return true;
  }
  const bool boolean = std::min(v.a, v.a + v.b) == 0 && std::max(v.a, v.a + v.b) == 1;
  if (n.op == "Equal" || n.op == "Not") {  // 0/1 values again of the form a + b·m
    if (n.op == "Not") {
      if (!boolean) return refuse("a negation of values other than 0 and 1");
      v.a = 1 - v.a, v.b = -v.b;
    } else {
      const Const* c = n.inputs.size() == 2 ? cst(n.inputs[1 - at]) : nullptr;
      if (!c || c->data.size() != 1) return refuse("a comparison with something other than a scalar constant");
      const double at0 = v.a == c->data[0], at1 = v.a + v.b == c->data[0];
      if (at0 == at1) return refuse("a comparison whose result does not depend on the mask");
      v.a = at0, v.b = at1 - at0;
    }
    v.shape = m_.shape(out);
    masks_[out] = v;
    return true;
  }
  if (n.op == "Where") {
    if (at != 0 || n.inputs.size() != 3) return refuse("the mask is not the condition");
    if (!boolean) return refuse("a condition with values other than 0 and 1");
    const bool fill_if_true = all_dropped(cst(n.inputs[1]));
    const std::string& scores = n.inputs[fill_if_true ? 2 : 1];
    if (fill_if_true == all_dropped(cst(n.inputs[2])) || cst(scores))
      return refuse("not a choice between the scores and a fill ≤ −1e4");
    if (!sole_consumer(out, "Softmax")) return refuse("the choice does not feed a Softmax alone");
    // The same mask in its additive form: 0 where kept, far below −1e4 where the fill is chosen.
    const bool drop_zero = (v.a == 1) == fill_if_true;
    v.a = drop_zero ? 1e4 * kDropped : 0, v.b = drop_zero ? -v.a : 1e4 * kDropped;
    pending_[out] = {scores, Const{}, n.name, true, v};
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

void Lowerer::lower_mask_only(size_t i) {
  const LiveNode& n = m_.nodes[i];
  throw NotSupported("node '" + n.name + "': " + n.op + " other than on an attention mask input (masked_fill(m == 0, …))");
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
