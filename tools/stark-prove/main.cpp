// stark-prove: an air-trace artifact in (or --example NAME --log-rows N), a zero-knowledge stark-proof out.
#include <random>
#include <string>

#include "air/registry.hpp"
#include "vm31/circuit.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "stark/artifacts.hpp"
#include "stark/stark.hpp"

using namespace zkm31;

int main(int argc, char** argv) {
  CLI::App app{"stark-prove: prove an air-trace (components + witness) with the zero-knowledge Circle STARK"};
  app.name("stark-prove");
  cli::IoOptions io;
  cli::add_io_options(app, io);
  std::string example, save_trace;
  unsigned log_rows = 0;
  stark::Config cfg;
  app.add_option("--example", example, "prove an example instead of an input: fibonacci | range")
      ->check(CLI::IsMember(air::example_names()));
  app.add_option("--log-rows", log_rows, "rows of the example (2^N)");
  app.add_option("--save-trace", save_trace, "also write the example as an air-trace artifact to this path");
  app.add_option("--log-blowup", cfg.log_blowup, "FRI rate 2^-N")->capture_default_str();
  app.add_option("--queries", cfg.queries, "FRI queries")->capture_default_str();
  app.add_option("--pow-bits", cfg.pow_bits, "proof-of-work bits")->capture_default_str();
  app.add_option("--fold-step", cfg.fold_step, "FRI folds per committed layer")->capture_default_str();
  app.add_option("--final-log", cfg.final_log, "log2 of the last FRI layer's coefficient count")->capture_default_str();
  vm31::register_circuits();  // air-traces written by `vm31 … --air-trace`
  return cli::run(app, argc, argv, &io, [&] {
    const cli::Progress progress(io.quiet);
    air::Instance in;
    if (!example.empty()) {
      if (log_rows == 0) throw BadInput("--example needs --log-rows N");
      std::mt19937_64 rng(std::random_device{}());
      in = air::example(example, log_rows, rng);
      if (!save_trace.empty()) cli::write_all(save_trace, stark::write_air_trace(in));
    } else {
      if (log_rows || !save_trace.empty()) throw BadInput("--log-rows and --save-trace apply to --example only");
      in = stark::read_air_trace(cli::read_input(io.input).bytes());
    }
    cli::Stopwatch watch;
    const stark::Proof proof = stark::prove(in.components, in.traces, cfg);
    const double secs = watch.seconds();
    const std::vector<uint8_t> bytes = stark::write_proof(in.components, proof);
    cli::write_all(io.output, bytes);
    size_t rows = 0;
    for (const auto& c : in.components) rows += size_t(1) << c->log_size();
    char buf[256];
    std::snprintf(buf, sizeof buf, "stark-prove: %zu components, %zu rows, %.2f s, proof %zu bytes, %.1f conjectured bits, peak %.0f MiB",
                  in.components.size(), rows, secs, bytes.size(), pcs::security_bits(cfg), cli::peak_rss_mb());
    progress.line(buf);
    return cli::kOk;
  });
}
