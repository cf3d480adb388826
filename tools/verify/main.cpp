// verify: a proof artifact in; exit 0 valid (prints the verified output and the model commitment),
// 1 rejected (names the layer and the check), 2 malformed.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "model/graph.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {
hash::Digest parse_hex32(const std::string& s) {
  std::string h = s.rfind("0x", 0) == 0 ? s.substr(2) : s;
  if (h.size() != 64) throw BadInput("--model-commitment: expected 64 hex digits");
  hash::Digest d;
  for (size_t i = 0; i < 32; ++i) {
    auto nib = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      throw BadInput("--model-commitment: not hex");
    };
    d[i] = uint8_t(nib(h[2 * i]) << 4 | nib(h[2 * i + 1]));
  }
  return d;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verify: check a gkr-prove proof; exit 0 valid, 1 invalid, 2 malformed"};
  app.name("verify");
  cli::IoOptions io;
  cli::add_io_options(app, io, true, false);
  std::string commitment, graph_path;
  double floor_bits = 96;
  bool json = false;
  app.add_option("--model-commitment", commitment, "expected model commitment (64 hex digits)");
  app.add_option("--graph", graph_path, "expected graph artifact: its digest must match the proof's");
  app.add_option("--floor", floor_bits, "refuse proofs whose configuration gives fewer security bits")->capture_default_str();
  app.add_flag("--json", json, "print the verified result as JSON on stdout");
  return cli::run(app, argc, argv, &io, [&] {
    prove::VerifyOptions opt;
    opt.floor_bits = floor_bits;
    if (!commitment.empty()) opt.model_root = parse_hex32(commitment);
    if (!graph_path.empty())
      opt.graph_digest = model::graph_digest(model::read_graph(cli::read_input(graph_path).bytes()));
    const std::vector<uint8_t> proof = cli::read_all(io.input);
    cli::Stopwatch watch;  // verification only, not the wait for an upstream pipeline stage
    prove::Verified v = prove::verify(proof, opt);
    const double secs = watch.seconds();
    if (json) {
      nlohmann::json j;
      j["valid"] = true;
      j["model_commitment"] = artifact::hex(v.model_root);
      j["graph_digest"] = artifact::hex(v.graph_digest);
      j["security_bits"] = v.security_bits;
      j["seconds"] = secs;
      j["outputs"] = nlohmann::json::array();
      for (size_t i = 0; i < v.outputs.size(); ++i)
        j["outputs"].push_back({{"name", v.graph.tensors[v.graph.outputs[i]].name}, {"values", v.outputs[i]}});
      std::printf("%s\n", j.dump().c_str());
    } else {
      for (size_t i = 0; i < v.outputs.size(); ++i) {
        const model::Tensor& t = v.graph.tensors[v.graph.outputs[i]];
        std::string vals;
        size_t best = 0;
        for (size_t k = 0; k < v.outputs[i].size(); ++k) {
          vals += (k ? " " : "") + std::to_string(v.outputs[i][k]);
          if (v.outputs[i][k] > v.outputs[i][best]) best = k;
        }
        std::printf("output %s %s: %s (argmax %zu)\n", t.name.c_str(), model::shape_str(t.shape).c_str(), vals.c_str(), best);
      }
      std::printf("model commitment %s\n", artifact::hex(v.model_root).c_str());
    }
    if (!io.quiet)
      std::fprintf(stderr, "verify: VALID (%.0f conjectured security bits, %.1f ms)\n", v.security_bits, secs * 1000);
    return cli::kOk;
  });
}
