// The Llama family (model_type llama, mistral, qwen2, qwen3, phi3): RMSNorm, RoPE by rotate_half
// from cos/sin tables, GQA/MQA by repeat_kv (Unsqueeze + Expand + Reshape), an additive causal
// mask, SwiGLU MLP. Qwen2 adds q/k/v biases; Qwen3 an RMSNorm of q and k over the head dimension;
// Phi-3 stores fused qkv_proj and gate_up_proj. nn.Linear weights are [out, in]: the MatMul
// operand is their transpose, as the exporter folds it.
#include <cmath>
#include <limits>

#include "error/error.hpp"
#include "hf/builder.hpp"

namespace zkm31::hf {

namespace {

// HF's LlamaRMSNorm: gamma · (x / sqrt(mean(x²) + eps)), in the exporter's operations.
std::string rms_norm(Builder& b, const std::string& x, const std::string& name, const Weight& gamma, float eps) {
  auto* mean = b.node("ReduceMean", {b.op("Pow", {x, b.scalar(2.0f)})});
  Builder::attr(mean, "axes", std::vector<int64_t>{-1});
  Builder::attr(mean, "keepdims", int64_t(1));
  std::string inv = b.op("Div", {b.scalar(1.0f), b.op("Sqrt", {b.op("Add", {mean->output(0), b.scalar(eps)})})});
  return b.op("Mul", {b.init(name + ".weight", gamma), b.op("Mul", {x, inv})});
}

// x·cos + rotate_half(x)·sin with rotate_half(x) = concat(−x[…, hd/2:], x[…, :hd/2]).
std::string rope(Builder& b, const std::string& x, const std::string& cos, const std::string& sin, int64_t head_dim) {
  std::string xc = b.op("Mul", {x, cos});
  std::string lo = b.op("Slice", {x, b.ints({0}), b.ints({head_dim / 2}), b.ints({3}), b.ints({1})});
  std::string hi = b.op("Slice", {x, b.ints({head_dim / 2}), b.ints({std::numeric_limits<int64_t>::max()}), b.ints({3}),
                                  b.ints({1})});
  auto* cat = b.node("Concat", {b.op("Neg", {hi}), lo});
  Builder::attr(cat, "axis", int64_t(-1));
  return b.op("Add", {xc, b.op("Mul", {cat->output(0), sin})});
}

// [1, KV, T, hd] → [1, KV·rep, T, hd], each kv head repeated rep times in place.
std::string repeat_kv(Builder& b, const std::string& x, int64_t kv, int64_t rep, int64_t seq, int64_t head_dim) {
  if (rep == 1) return x;
  std::string e = b.op("Expand", {b.op("Unsqueeze", {x, b.ints({2})}), b.ints({1, kv, rep, seq, head_dim})});
  return b.op("Reshape", {e, b.ints({1, kv * rep, seq, head_dim})});
}

}  // namespace

std::string llama_to_onnx(const Model& m, const Options& opt) {
  const std::string type = m.text("model_type");
  const int64_t D = m.integer("hidden_size"), H = m.integer("num_attention_heads"), L = m.integer("num_hidden_layers");
  const int64_t KV = m.integer("num_key_value_heads", H), F = m.integer("intermediate_size"), V = m.integer("vocab_size");
  const int64_t hd = m.integer("head_dim", D / H), P = m.integer("max_position_embeddings"), T = opt.seq;
  const float eps = float(m.number("rms_norm_eps", 1e-6));
  const double theta = m.number("rope_theta", 10000.0);
  if (H % KV) throw BadInput("config.json: num_attention_heads " + std::to_string(H) + " is not a multiple of num_key_value_heads " + std::to_string(KV));
  if (hd % 2 || (!m.config().contains("head_dim") && D % H)) throw BadInput("config.json: hidden_size, heads and head_dim do not fit");
  if (m.config().contains("rope_scaling") && !m.config()["rope_scaling"].is_null())
    throw NotSupported("rope_scaling in config.json (only the default RoPE is)");
  if (m.config().contains("partial_rotary_factor") && m.number("partial_rotary_factor", 1.0) != 1.0)
    throw NotSupported("partial_rotary_factor in config.json (only a full rotary dimension is)");
  const std::string act = m.config().contains("hidden_act") ? m.text("hidden_act") : "silu";
  if (act != "silu") throw NotSupported("hidden_act '" + act + "' (silu is)");
  if (T > P) throw BadInput("--seq " + std::to_string(T) + " exceeds max_position_embeddings " + std::to_string(P));
  const int64_t window = m.config().contains("sliding_window") && m.config()["sliding_window"].is_number_integer()
                             ? m.integer("sliding_window") : P;
  if (type == "mistral" && T > window) throw NotSupported("--seq beyond Mistral's sliding_window " + std::to_string(window));
  const bool phi3 = type == "phi3", qwen2 = type == "qwen2", qwen3 = type == "qwen3";
  auto [first, end] = layer_range(opt, L);

  // RoPE tables for positions 0..T−1: angle p·θ^(−2i/hd), the half repeated (float32 as torch computes them).
  Weight cos{{T, hd}, std::vector<float>(size_t(T * hd))}, sin = cos;
  for (int64_t i = 0; i < hd / 2; ++i) {
    const float inv_freq = 1.0f / float(std::pow(double(float(theta)), double(float(2 * i) / float(hd))));
    for (int64_t p = 0; p < T; ++p) {
      const float angle = float(p) * inv_freq;
      for (int64_t k : {i, i + hd / 2}) cos.data[size_t(p * hd + k)] = std::cos(angle), sin.data[size_t(p * hd + k)] = std::sin(angle);
    }
  }
  Weight mask{{T, T}, std::vector<float>(size_t(T * T), 0.0f)};
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = i + 1; j < T; ++j) mask.data[size_t(i * T + j)] = std::numeric_limits<float>::lowest();

  Builder b(type);
  std::string x;
  if (first == 0) {
    auto* gather = b.node("Gather", {b.init("model.embed_tokens.weight", m.weight("model.embed_tokens.weight", {V, D})),
                                     b.input_ids(T)});
    Builder::attr(gather, "axis", int64_t(0));
    x = gather->output(0);
  } else {
    x = b.input_hidden(T, D);
  }
  const std::string cos_t = b.init("rope.cos", cos), sin_t = b.init("rope.sin", sin), mask_t = b.init("causal_mask", mask);
  auto linear = [&](const std::string& in, const std::string& name, int64_t out, int64_t inner, bool bias) {
    Weight w = transposed(m.weight(name + ".weight", {out, inner}));
    if (!bias) return b.linear(in, name, w, nullptr);
    Weight bw = m.weight(name + ".bias", {out});
    return b.linear(in, name, w, &bw);
  };
  auto split = [&](const std::string& in, const std::vector<int64_t>& sizes) {
    auto* s = b.node("Split", {in, b.ints(sizes)}, int(sizes.size()));
    Builder::attr(s, "axis", int64_t(-1));
    return s;
  };
  for (int64_t i = first; i < end; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    std::string h = rms_norm(b, x, p + "input_layernorm", m.weight(p + "input_layernorm.weight", {D}), eps);
    std::string q, k, v;
    if (phi3) {
      auto* s = split(linear(h, p + "self_attn.qkv_proj", (H + 2 * KV) * hd, D, false), {H * hd, KV * hd, KV * hd});
      q = s->output(0), k = s->output(1), v = s->output(2);
    } else {
      q = linear(h, p + "self_attn.q_proj", H * hd, D, qwen2);
      k = linear(h, p + "self_attn.k_proj", KV * hd, D, qwen2);
      v = linear(h, p + "self_attn.v_proj", KV * hd, D, qwen2);
    }
    q = b.op("Reshape", {q, b.ints({1, T, H, hd})});
    k = b.op("Reshape", {k, b.ints({1, T, KV, hd})});
    v = b.transpose(b.op("Reshape", {v, b.ints({1, T, KV, hd})}), {0, 2, 1, 3});
    if (qwen3) {
      q = rms_norm(b, q, p + "self_attn.q_norm", m.weight(p + "self_attn.q_norm.weight", {hd}), eps);
      k = rms_norm(b, k, p + "self_attn.k_norm", m.weight(p + "self_attn.k_norm.weight", {hd}), eps);
    }
    q = b.transpose(q, {0, 2, 1, 3});
    k = b.transpose(k, {0, 2, 1, 3});
    q = rope(b, q, cos_t, sin_t, hd);
    k = rope(b, k, cos_t, sin_t, hd);
    k = repeat_kv(b, k, KV, H / KV, T, hd);
    v = repeat_kv(b, v, KV, H / KV, T, hd);
    std::string s = b.op("Div", {b.op("MatMul", {q, b.transpose(k, {0, 1, 3, 2})}), b.scalar(float(std::sqrt(double(hd))))});
    auto* sm = b.node("Softmax", {b.op("Add", {s, mask_t})});
    Builder::attr(sm, "axis", int64_t(-1));
    std::string y = b.transpose(b.op("MatMul", {sm->output(0), v}), {0, 2, 1, 3});
    y = b.op("Reshape", {y, b.ints({1, T, H * hd})});
    x = b.op("Add", {x, linear(y, p + "self_attn.o_proj", D, H * hd, false)});
    h = rms_norm(b, x, p + "post_attention_layernorm", m.weight(p + "post_attention_layernorm.weight", {D}), eps);
    std::string gate, up;
    if (phi3) {
      auto* s2 = split(linear(h, p + "mlp.gate_up_proj", 2 * F, D, false), {F, F});
      gate = s2->output(0), up = s2->output(1);
    } else {
      gate = linear(h, p + "mlp.gate_proj", F, D, false);
      up = linear(h, p + "mlp.up_proj", F, D, false);
    }
    std::string act_out = b.op("Mul", {b.op("Mul", {gate, b.op("Sigmoid", {gate})}), up});
    x = b.op("Add", {x, linear(act_out, p + "mlp.down_proj", D, F, false)});
  }
  if (end < L) {
    b.output(x, "hidden_states", {1, T, D});
    return b.serialize();
  }
  x = rms_norm(b, x, "model.norm", m.weight("model.norm.weight", {D}), eps);
  if (!opt.head) {
    b.output(x, "hidden_states", {1, T, D});
    return b.serialize();
  }
  const bool tied = m.flag("tie_word_embeddings", !m.has("lm_head.weight"));
  Weight head = m.weight(tied ? "model.embed_tokens.weight" : "lm_head.weight", {V, D});
  b.output(b.op("MatMul", {x, b.init("lm_head", transposed(head))}), "logits", {1, T, V});
  return b.serialize();
}

}  // namespace zkm31::hf
