// verify: a proof artifact in — a gkr-prove `proof` or a stark-prove `stark-proof`, told apart by the
// envelope's kind; exit 0 valid (prints the verified output and the model commitment, or the STARK's
// statement), 1 rejected (names the layer and the check), 2 malformed.
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "model/graph.hpp"
#include "prove/proof.hpp"
#include "stark/artifacts.hpp"
#include "vm31/circuit.hpp"

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

// A stark-proof: its statement (components and public inputs) and the conjectured security.
int verify_stark(std::span<const uint8_t> bytes, double floor_bits, bool json, bool quiet) {
  const stark::ProofArtifact a = stark::read_proof(bytes);
  cli::Stopwatch watch;
  stark::verify(a.components, a.proof, floor_bits);
  const double secs = watch.seconds(), bits = pcs::security_bits(a.proof.config);
  if (json) {
    nlohmann::json j;
    j["valid"] = true;
    j["kind"] = stark::kProofKind;
    j["security_bits"] = {{"conjectured", bits}};
    j["seconds"] = secs;
    j["proof_bytes"] = bytes.size();
    j["components"] = nlohmann::json::array();
    for (const auto& c : a.components) {
      std::vector<uint32_t> pub;
      for (M31 v : c->public_inputs()) pub.push_back(v.v);
      j["components"].push_back(
          {{"name", c->name()}, {"version", c->version()}, {"log_size", c->log_size()}, {"public_inputs", pub}});
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    for (const auto& c : a.components) {
      std::string pub;
      for (M31 v : c->public_inputs()) pub += " " + std::to_string(v.v);
      std::printf("component %s v%u: 2^%u rows, public inputs:%s\n", c->name().c_str(), c->version(), c->log_size(),
                  pub.empty() ? " none" : pub.c_str());
    }
  }
  if (!quiet) std::fprintf(stderr, "verify: VALID stark proof (%.1f conjectured security bits, %.1f ms)\n", bits, secs * 1000);
  return cli::kOk;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verify: check a gkr-prove proof or a stark-prove stark-proof; exit 0 valid, 1 invalid, 2 malformed"};
  app.name("verify");
  cli::IoOptions io;
  cli::add_io_options(app, io, true, false);
  std::string commitment, graph_path, floor_kind = "conjectured";
  double floor_bits = 96;
  bool json = false;
  app.add_option("--model-commitment", commitment,
                 "expected model commitment (64 hex digits): pins the graph and the weights together");
  app.add_option("--graph", graph_path, "expected graph artifact: its digest must match the proof's");
  app.add_option("--floor", floor_bits, "refuse proofs that give fewer security bits (of --floor-kind)")
      ->capture_default_str();
  app.add_option("--floor-kind", floor_kind, "which bound --floor applies to")
      ->check(CLI::IsMember({"conjectured", "provable"}))
      ->capture_default_str();
  app.add_flag("--json", json, "print the verified result as JSON on stdout");
  vm31::register_circuits();  // stark proofs of vm31 transactions
  return cli::run(app, argc, argv, &io, [&]() -> int {
    const std::vector<uint8_t> proof = cli::read_all(io.input);
    if (artifact::unwrap_view(proof, "", std::numeric_limits<uint32_t>::max()).kind == stark::kProofKind) {
      if (!commitment.empty() || !graph_path.empty()) throw BadInput("--model-commitment and --graph apply to gkr proofs only");
      if (floor_kind == "provable") throw NotSupported("--floor-kind provable for stark proofs (conjectured bits only)");
      return verify_stark(proof, floor_bits, json, io.quiet);
    }
    prove::VerifyOptions opt;
    opt.floor_bits = floor_bits;
    opt.floor_kind = floor_kind == "provable" ? prove::FloorKind::Provable : prove::FloorKind::Conjectured;
    if (!commitment.empty()) opt.model_commitment = parse_hex32(commitment);
    if (!graph_path.empty())
      opt.graph_digest = model::graph_digest(model::read_graph(cli::read_input(graph_path).bytes()));
    cli::Stopwatch watch;  // verification only, not the wait for an upstream pipeline stage
    prove::Verified v = prove::verify(proof, opt);
    const double secs = watch.seconds();
    if (json) {
      nlohmann::json j;
      j["valid"] = true;
      j["model_commitment"] = artifact::hex(v.model_commitment);
      j["graph_digest"] = artifact::hex(v.graph_digest);
      j["weight_root"] = artifact::hex(v.weight_root);
      j["security_bits"] = {{"conjectured", v.security.conjectured}, {"provable", v.security.provable},
                            {"iop", v.security.iop}};
      j["seconds"] = secs;
      j["outputs"] = nlohmann::json::array();
      for (size_t i = 0; i < v.outputs.size(); ++i) {
        const model::Tensor& t = v.graph.tensors[v.graph.outputs[i]];
        nlohmann::json real = nlohmann::json::array();
        for (int64_t x : v.outputs[i]) real.push_back(double(x) * t.scale);
        j["outputs"].push_back({{"name", t.name},
                                {"shape", t.shape},
                                {"scale", t.scale},
                                {"values", v.outputs[i]},
                                {"dequantized", std::move(real)}});
      }
      std::printf("%s\n", j.dump().c_str());
    } else {
      for (size_t i = 0; i < v.outputs.size(); ++i) {
        const model::Tensor& t = v.graph.tensors[v.graph.outputs[i]];
        std::string ints, reals;
        size_t best = 0;
        for (size_t k = 0; k < v.outputs[i].size(); ++k) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.6g", double(v.outputs[i][k]) * t.scale);
          ints += (k ? " " : "") + std::to_string(v.outputs[i][k]);
          reals += (k ? " " : "") + std::string(buf);
          if (v.outputs[i][k] > v.outputs[i][best]) best = k;
        }
        std::printf("output %s %s: %s (argmax %zu)\n", t.name.c_str(), model::shape_str(t.shape).c_str(), ints.c_str(), best);
        std::printf("dequantized %s (x %.6g): %s\n", t.name.c_str(), t.scale, reals.c_str());
      }
      std::printf("model commitment %s\n", artifact::hex(v.model_commitment).c_str());
      std::printf("graph digest %s\n", artifact::hex(v.graph_digest).c_str());
    }
    if (!io.quiet)
      std::fprintf(stderr, "verify: VALID (%.1f conjectured, %.1f provable security bits, %.1f ms)\n",
                   v.security.conjectured, v.security.provable, secs * 1000);
    return cli::kOk;
  });
}
