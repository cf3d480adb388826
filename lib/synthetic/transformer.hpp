#pragma once
// Transformer graphs built in process from seeded random int8 weights, with the node sequence
// onnx2graph emits for the PyTorch originals (LayerNorm/RMSNorm as reduce_sum, requant, rsqrt table
// and affine requant; Linear as matmul + bias and a pre-shifted per-channel requant; softmax as
// scores requant, causal masked_fill, reduce_max, exp table, reduce_sum, recip table, product and
// probability requant; residual adds as two mul_const and a requant). Requant parameters follow the
// importer's rule from nominal activation scales instead of calibration, so the graphs validate and
// their values are of the right size, but they model no trained network: they are for `make bench`
// and for tests of size and shape (heads and sequences that are not powers of two).
#include <cstdint>
#include <string>
#include <vector>

#include "model/graph.hpp"
#include "model/trace.hpp"

namespace zkm31::synthetic {

struct TransformerShape {
  int64_t d_model = 768, heads = 12, kv_heads = 12, head_dim = 64, hidden = 3072, seq = 32, blocks = 12;
  bool rms_norm = false;  // RMSNorm (no centring, no β) instead of LayerNorm
  bool qk_norm = false;   // RMSNorm of every query and key head (Qwen3)
  bool rope = false;      // rotary embedding of queries and keys (rotate-half)
  bool swiglu = false;    // down(silu(gate)·up) instead of out(gelu(fc)), no biases
  bool final_norm = true;
};

// 12 pre-LN GPT-2 blocks (d_model 768, 12 heads of 64, MLP 3072, GELU(tanh), causal softmax) and
// the final LayerNorm, seq 32: the body of GPT-2 small (85 M weights) on hidden states.
TransformerShape gpt2_small_body();
// One Qwen3-14B block: RMSNorm, 40 query / 8 KV heads of 128, q_norm/k_norm, RoPE, causal softmax,
// o_proj, SwiGLU 17408, seq 8 (330 M weights).
TransformerShape qwen3_14b_block();

// The graph (validated) with its weights from `seed`; input "x" [1, seq, d_model] at 10 bits.
model::Graph transformer(const TransformerShape& s, uint32_t seed);
// A random int10 input for the graph's x, N(0, 1)-like at the graph's input scale.
std::vector<int32_t> random_input(const TransformerShape& s, uint32_t seed);
// The integer forward pass of g on x as a trace (the weights have no float originals, so the float
// track is left at zeros: it is not proven).
model::Trace integer_trace(model::Graph g, const std::vector<int32_t>& x);

}  // namespace zkm31::synthetic
