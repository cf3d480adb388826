#pragma once
// Hugging Face checkpoints (config.json + SafeTensors) → the ONNX graph that torch.onnx.export
// (opset 17) emits for a plain-PyTorch implementation of the architecture, weights as
// initializers; onnx_import then lowers it like any exported model, so the checkpoint path and the
// ONNX path give the same integer graph by construction.
//
// Graph: input `input_ids` int64 [1, seq] → token embedding (GPT-2: + learned positions) → decoder
// layers → final norm → LM head (tied or not) → `logits` [1, seq, vocab]. A slice of layers [A, B)
// starting after layer 0 takes `hidden_states` [1, seq, hidden] instead of ids; one ending before the
// last layer outputs `hidden_states` (no final norm, no head). Without the head the output is the
// final norm's `hidden_states`.
// Families: gpt2 (gpt2.cpp), llama / mistral / qwen2 / qwen3 / phi3 (llama.cpp).
#include <cstdint>
#include <string>

namespace zkm31::hf {

struct Options {
  int64_t seq = 0;                   // tokens (required, ≥ 1)
  int64_t first_layer = 0;           // decoder layers [first_layer, end_layer)
  int64_t end_layer = -1;            // −1: the last layer
  bool head = true;                  // false: stop at the final norm
};

// Parses "A:B" (either side may be empty: 0 / the last layer). Throws BadInput.
void parse_layers(const std::string& text, Options& opt);

// The serialized ONNX model of the checkpoint in `dir`. Throws BadInput (unreadable or inconsistent
// config/checkpoint) or NotSupported (an unknown model_type or an unsupported config feature).
std::string checkpoint_to_onnx(const std::string& dir, const Options& opt);

}  // namespace zkm31::hf
