#include "hf/hf.hpp"

#include "error/error.hpp"
#include "hf/builder.hpp"

namespace zkm31::hf {

std::string checkpoint_to_onnx(const std::string& dir, const Options& opt) {
  if (opt.seq < 1) throw BadInput("--hf needs --seq N (the number of tokens, ≥ 1)");
  Model m(dir);
  const std::string type = m.text("model_type");
  if (type == "gpt2") return gpt2_to_onnx(m, opt);
  if (type == "llama" || type == "mistral" || type == "qwen2" || type == "qwen3" || type == "phi3") return llama_to_onnx(m, opt);
  throw NotSupported("model_type '" + type + "' in " + dir + "/config.json (supported: gpt2, llama, mistral, qwen2, qwen3, phi3)");
}

}  // namespace zkm31::hf
