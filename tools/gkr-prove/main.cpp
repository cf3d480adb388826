// gkr-prove: a trace artifact in (stdin or -i), a proof artifact out: GKR claim walk over every
// layer, LogUp lookups, one trace commitment and the model commitment opened by Basefold, plus the
// model's weight certificate (its weights' bounds, proven once per model and cached).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "cli/cli.hpp"
#include "model/graph.hpp"
#include "model/trace.hpp"
#include "prove/cache.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {
std::string kb(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / 1024);
  return buf;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gkr-prove: prove that the committed model produced the trace's output from its input"};
  app.name("gkr-prove");
  cli::IoOptions io;
  cli::add_io_options(app, io);
  prove::Options opt;
  bool json = false, commit_model = false, no_cache = false;
  opt.cache_dir = prove::default_cache_dir();
  app.add_option("--log-blowup", opt.pcs.log_blowup, "PCS code rate 2^-log_blowup")->capture_default_str();
  app.add_option("--queries", opt.pcs.queries, "PCS queries")->capture_default_str();
  app.add_option("--pow-bits", opt.pcs.pow_bits, "proof-of-work bits before the queries")->capture_default_str();
  app.add_option("--fold-step", opt.pcs.fold_step, "PCS folds per committed layer")->capture_default_str();
  app.add_option("--final-log", opt.pcs.final_log, "log2 size of the PCS final message")->capture_default_str();
  app.add_option("--first-fold", opt.pcs.first_fold, "PCS folds merged into each committed codeword row (0: --fold-step)")
      ->capture_default_str();
  app.add_option("--range-bits", opt.gkr.range_bits, "width of the shared range table")->capture_default_str();
  app.add_option("--excess-bits", opt.gkr.excess_bits, "width of the clamp-excess limbs")->capture_default_str();
  app.add_option("--wide-log", opt.gkr.wide_log, "log2 of the largest interval proven by a table")->capture_default_str();
  app.add_option("--commit-log", opt.commit_log,
                 "log2 of the most entries one commitment holds (4..28): weights and trace are split into chunks of this "
                 "size; default: the least that holds the largest vector, at least 26 (memory follows the largest layer)");
  app.add_flag("--commit-model", commit_model,
               "read a graph artifact instead and print its model commitment (what verify --model-commitment pins)");
  app.add_option("--cache-dir", opt.cache_dir,
                 "cache of model commitments and weight certificates (default $XDG_CACHE_HOME/zkm31 else ~/.cache/zkm31)");
  app.add_flag("--no-cache", no_cache,
               "compute the model commitment and weight certificate without reading or writing the cache");
  app.add_flag("--json", json, "print a JSON summary (per-part seconds and bytes) on stdout when -o is a file; with --commit-model: {model_commitment, graph_digest}");
  return cli::run(app, argc, argv, &io, [&] {
    cli::Progress progress(io.quiet);
    if (no_cache) opt.cache_dir.clear();
    if (commit_model) {
      const model::Graph g = model::read_graph(cli::read_input(io.input).bytes());
      const std::string mc = artifact::hex(prove::model_commitment(g, opt));
      const std::string text = json ? nlohmann::json{{"model_commitment", mc}, {"graph_digest", artifact::hex(model::graph_digest(g))}}.dump() + "\n"
                                    : mc + "\n";
      cli::write_all(io.output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, false);
      return cli::kOk;
    }
    model::Trace t = model::read_trace(cli::read_input(io.input).bytes());
    prove::ProveReport rep;
    auto bytes = prove::prove(std::move(t), opt, &rep, [&](const prove::Part& p) {
      char buf[192];
      std::snprintf(buf, sizeof buf, "gkr-prove: %-28s %8.4f s  %10s  peak %.0f MB", p.name.c_str(), p.seconds,
                    kb(p.bytes).c_str(), cli::peak_rss_mb());
      progress.line(buf);
    });
    cli::write_all(io.output, bytes);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "gkr-prove: proof %s in %.3f s, %.1f conjectured / %.1f provable security bits, model %s",
                  kb(rep.proof_bytes).c_str(), rep.seconds, rep.security.conjectured, rep.security.provable,
                  artifact::hex(rep.model_commitment).c_str());
    progress.line(buf);
    if (json) {
      nlohmann::json j;
      j["seconds"] = rep.seconds;
      j["proof_bytes"] = rep.proof_bytes;
      j["security_bits"] = {{"conjectured", rep.security.conjectured}, {"provable", rep.security.provable},
                            {"iop", rep.security.iop}};
      j["model_commitment"] = artifact::hex(rep.model_commitment);
      j["graph_digest"] = artifact::hex(rep.graph_digest);
      j["weight_root"] = artifact::hex(rep.weight_root);
      j["model_cached"] = rep.model_cached;
      j["certificate_cached"] = rep.certificate_cached;
      j["peak_rss_mb"] = cli::peak_rss_mb();
      j["parts"] = nlohmann::json::array();
      for (const auto& p : rep.parts) j["parts"].push_back({{"name", p.name}, {"seconds", p.seconds}, {"bytes", p.bytes}});
      std::string s = j.dump(2) + "\n";
      if (io.output == "-") std::fputs(s.c_str(), stderr);
      else std::fputs(s.c_str(), stdout);
    }
    return cli::kOk;
  });
}
