// Whole-model workloads without model files: a GPT-2-small body and a Qwen3-14B-shaped block built in
// process from seeded int8 weights (lib/synthetic), forwarded and proven as gkr-prove does; cold
// (nothing cached) and warm (model commitment and weight certificate cached by a first proof in a
// temporary cache directory, not timed). Each prove row reports the verify time in its note.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench.hpp"
#include "model/forward.hpp"
#include "prove/proof.hpp"
#include "synthetic/transformer.hpp"

using namespace zkm31;

namespace {

model::Trace trace_of(const synthetic::TransformerShape& s) {
  return synthetic::integer_trace(synthetic::transformer(s, 1), synthetic::random_input(s, 2));
}

// A scratch cache directory, removed when the workload ends.
struct ScratchCache {
  std::string dir = (std::filesystem::temp_directory_path() / ("zkm31-bench-cache-" + std::to_string(getpid()))).string();
  ~ScratchCache() { std::filesystem::remove_all(dir); }
};

bench::Result prove_model(const synthetic::TransformerShape& s, bool warm) {
  ScratchCache cache;
  prove::Options opt;
  if (warm) {
    opt.cache_dir = cache.dir;
    prove::prove(trace_of(s), opt);  // fills the cache (untimed)
  }
  model::Trace t = trace_of(s);
  const size_t weights = t.graph.parameter_count();
  prove::ProveReport rep;
  const std::vector<uint8_t> proof = prove::prove(std::move(t), opt, &rep);
  double verify = bench::time_once([&] { prove::verify(proof, {}); });
  bench::Result r;
  r.seconds = rep.seconds;
  r.proof_bytes = double(proof.size());
  char note[200];
  std::snprintf(note, sizeof note, "verify %.3f s; %s; %zu weights", verify, warm ? "commitment + certificate cached" : "nothing cached",
                weights);
  r.note = note;
  return r;
}

bench::Result forward_model(const synthetic::TransformerShape& s) {
  model::Graph g = synthetic::transformer(s, 1);
  const std::vector<int32_t> x = synthetic::random_input(s, 2);
  bench::Result r;
  r.seconds = bench::time_median(3, [&] { model::forward_int(g, {x}); });
  r.note = "integer forward pass, " + std::to_string(g.parameter_count()) + " weights";
  return r;
}

}  // namespace

ZKM31_BENCH("forward_gpt2_small_body", [] { return forward_model(synthetic::gpt2_small_body()); });
ZKM31_BENCH("prove_gpt2_small_body_cold", [] { return prove_model(synthetic::gpt2_small_body(), false); });
ZKM31_BENCH("prove_gpt2_small_body_warm", [] { return prove_model(synthetic::gpt2_small_body(), true); });
ZKM31_BENCH("prove_qwen3_14b_block_warm", [] { return prove_model(synthetic::qwen3_14b_block(), true); });
