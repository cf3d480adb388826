// GPT-2 (model_type "gpt2"): learned positions, pre-LN blocks with LayerNorm, one fused c_attn
// projection (Conv1D weights are stored [in, out]), GELU (tanh), LM head tied to wte unless
// the checkpoint has its own lm_head.weight.
#include <cmath>
#include <limits>

#include "error/error.hpp"
#include "hf/builder.hpp"

namespace zkm31::hf {

namespace {

std::string layer_norm(Builder& b, const std::string& x, const std::string& name, const Weight& gamma, const Weight& beta,
                       float eps) {
  auto* n = b.node("LayerNormalization", {x, b.init(name + ".weight", gamma), b.init(name + ".bias", beta)});
  Builder::attr(n, "axis", int64_t(-1));
  Builder::attr(n, "epsilon", eps);
  return n->output(0);
}

// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) in the exporter's order of operations.
std::string gelu_tanh(Builder& b, const std::string& x) {
  std::string cube = b.op("Mul", {x, b.op("Mul", {x, x})});
  std::string inner = b.op("Add", {x, b.op("Mul", {b.scalar(0.044715f), cube})});
  std::string t = b.op("Tanh", {b.op("Mul", {b.scalar(float(std::sqrt(2.0 / M_PI))), inner})});
  return b.op("Mul", {b.scalar(0.5f), b.op("Mul", {x, b.op("Add", {b.scalar(1.0f), t})})});
}

// [1, T, H·hd] → [1, H, T, hd] (keys: [1, H, hd, T]).
std::string heads(Builder& b, const std::string& x, int64_t seq, int64_t n_heads, int64_t head_dim, bool keys) {
  return b.transpose(b.op("Reshape", {x, b.ints({1, seq, n_heads, head_dim})}),
                     keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3});
}

// softmax(masked_fill(q·kᵀ·(1/√hd), above the diagonal, −inf))·v → [1, T, H·hd]; `above` is the
// causal mask (true above the diagonal).
std::string attention(Builder& b, const std::string& q, const std::string& kt, const std::string& v,
                      const std::string& above, int64_t seq, int64_t n_heads, int64_t head_dim) {
  std::string s = b.op("Mul", {b.op("MatMul", {q, kt}), b.scalar(float(1.0 / std::sqrt(double(head_dim))))});
  s = b.op("Where", {above, b.scalar(-std::numeric_limits<float>::infinity()), s});
  auto* sm = b.node("Softmax", {s});
  Builder::attr(sm, "axis", int64_t(-1));
  std::string y = b.transpose(b.op("MatMul", {sm->output(0), v}), {0, 2, 1, 3});
  return b.op("Reshape", {y, b.ints({1, seq, n_heads * head_dim})});
}

}  // namespace

std::string gpt2_to_onnx(const Model& m, const Options& opt) {
  const int64_t D = m.integer("n_embd"), H = m.integer("n_head"), L = m.integer("n_layer");
  const int64_t V = m.integer("vocab_size"), P = m.integer("n_positions", m.integer("n_ctx", 1024));
  const int64_t inner = m.integer("n_inner", 4 * D), T = opt.seq;
  const float eps = float(m.number("layer_norm_epsilon", 1e-5));
  if (D % H) throw BadInput("config.json: n_embd " + std::to_string(D) + " is not a multiple of n_head " + std::to_string(H));
  const std::string act = m.config().contains("activation_function") ? m.text("activation_function") : "gelu_new";
  if (act != "gelu_new" && act != "gelu_pytorch_tanh")
    throw NotSupported("GPT-2 activation_function '" + act + "' (gelu_new and gelu_pytorch_tanh are)");
  if (T > P) throw BadInput("--seq " + std::to_string(T) + " exceeds the model's " + std::to_string(P) + " positions");
  auto [first, end] = layer_range(opt, L);
  // GPT2LMHeadModel saves "transformer.h.0…", GPT2Model "h.0…".
  const std::string pre = m.has("transformer.wte.weight") ? "transformer." : "";
  auto w = [&](const std::string& name, const Dims& shape) { return m.weight(pre + name, shape); };

  Builder b("gpt2");
  std::vector<bool> mask(size_t(T * T));
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j) mask[size_t(i * T + j)] = j > i;
  const std::string above = b.init_bools({T, T}, mask);
  std::string x;
  if (first == 0) {
    Weight wte = w("wte.weight", {V, D}), wpe = w("wpe.weight", {P, D});
    auto* gather = b.node("Gather", {b.init("wte", wte), b.input_ids(T)});
    Builder::attr(gather, "axis", int64_t(0));
    wpe.shape[0] = T, wpe.data.resize(size_t(T * D));  // the positions 0..T−1
    x = b.op("Add", {gather->output(0), b.init("wpe", wpe)});
  } else {
    x = b.input_hidden(T, D);
  }
  for (int64_t i = first; i < end; ++i) {
    const std::string h = "h." + std::to_string(i) + ".";
    std::string n = layer_norm(b, x, h + "ln_1", w(h + "ln_1.weight", {D}), w(h + "ln_1.bias", {D}), eps);
    Weight qkv_b = w(h + "attn.c_attn.bias", {3 * D});
    auto* split = b.node("Split", {b.linear(n, h + "attn.c_attn", w(h + "attn.c_attn.weight", {D, 3 * D}), &qkv_b),
                                   b.ints({D, D, D})}, 3);
    Builder::attr(split, "axis", int64_t(2));
    std::string q = heads(b, split->output(0), T, H, D / H, false);
    std::string v = heads(b, split->output(2), T, H, D / H, false);
    std::string k = heads(b, split->output(1), T, H, D / H, true);
    std::string y = attention(b, q, k, v, above, T, H, D / H);
    Weight proj_b = w(h + "attn.c_proj.bias", {D});
    x = b.op("Add", {x, b.linear(y, h + "attn.c_proj", w(h + "attn.c_proj.weight", {D, D}), &proj_b)});
    n = layer_norm(b, x, h + "ln_2", w(h + "ln_2.weight", {D}), w(h + "ln_2.bias", {D}), eps);
    Weight fc_b = w(h + "mlp.c_fc.bias", {inner}), out_b = w(h + "mlp.c_proj.bias", {D});
    n = gelu_tanh(b, b.linear(n, h + "mlp.c_fc", w(h + "mlp.c_fc.weight", {D, inner}), &fc_b));
    x = b.op("Add", {x, b.linear(n, h + "mlp.c_proj", w(h + "mlp.c_proj.weight", {inner, D}), &out_b)});
  }
  if (end < L) {
    b.output(x, "hidden_states", {1, T, D});
    return b.serialize();
  }
  x = layer_norm(b, x, "ln_f", w("ln_f.weight", {D}), w("ln_f.bias", {D}), eps);
  if (!opt.head) {
    b.output(x, "hidden_states", {1, T, D});
    return b.serialize();
  }
  Weight head = m.has("lm_head.weight") ? m.weight("lm_head.weight", {V, D}) : w("wte.weight", {V, D});
  b.output(b.op("MatMul", {x, b.init("lm_head", transposed(head))}), "logits", {1, T, V});
  return b.serialize();
}

}  // namespace zkm31::hf
