// graph-forward: integer forward pass (bit-exact, over M31) + float32 reference pass → trace artifact.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"
#include "model/trace.hpp"

using namespace zkm31;

int main(int argc, char** argv) {
  CLI::App app{"graph-forward: run a graph artifact on an input, write the trace (integer pass + float reference)", "graph-forward"};
  cli::IoOptions io;
  cli::add_io_options(app, io, false, true);
  std::string graph_path = "-", input_path, json_out;
  app.add_option("--graph", graph_path, "graph artifact ('-' for stdin)")->capture_default_str();
  auto* input_opt = app.add_option("--input", input_path, "input JSON: {\"name\",\"shape\",\"data\"} or an array of them");
  app.add_option("--json-out", json_out,
                 "also write {graph_checksum, outputs:[{name,shape,float,quantized}], layers:[{node,tensor,op,shape,bits,scale,max_abs,rel_l2,clamped}]} to this file");
  bool view = false, report = false;
  app.add_flag("--report", report, "print the error of every layer (dequantized integer vs float32) on stderr");
  app.add_flag("--view", view, "print the graph artifact as JSON and exit");
  return cli::run(app, argc, argv, &io, [&] {
    cli::Progress progress(io.quiet);
    cli::Stopwatch watch;
    if (view) {
      std::string json = artifact::to_json(cli::read_all(graph_path), false) + "\n";
      std::fwrite(json.data(), 1, json.size(), stdout);
      return cli::kOk;
    }
    if (!*input_opt) throw BadInput("--input is required");
    auto text = cli::read_all(input_path);
    auto inputs = model::parse_inputs_json(std::string(text.begin(), text.end()));
    std::vector<model::LayerReport> layers;
    const auto graph_in = cli::read_input(graph_path);
    model::Trace t = model::run_forward(model::read_graph(graph_in.bytes()), inputs, &layers);
    for (const auto& line : model::range_warnings(t.graph, layers)) std::fprintf(stderr, "graph-forward: warning: %s\n", line.c_str());
    auto reports = model::compare_outputs(t);
    if (!json_out.empty()) {
      nlohmann::json j;
      // The graph envelope's checksum (XXH3-128 of its body, weights included): a cheap "same model
      // file?" check for scripts that run one model many times (pipeline/capture.sh).
      j["graph_checksum"] =
          artifact::hex(artifact::checksum(artifact::unwrap_view(graph_in.bytes(), "graph", model::kGraphVersion).body));
      j["outputs"] = nlohmann::json::array();
      for (const auto& r : reports)
        j["outputs"].push_back({{"name", r.name}, {"shape", r.shape}, {"float", r.float_values}, {"quantized", r.quantized}});
      j["layers"] = nlohmann::json::array();
      for (const auto& l : layers)
        j["layers"].push_back({{"node", l.node}, {"tensor", l.tensor}, {"op", l.op}, {"shape", l.shape},
                               {"bits", l.bits}, {"scale", l.scale}, {"max_abs", l.max_abs}, {"rel_l2", l.rel_l2},
                               {"clamped", l.clamped}});
      std::string s = j.dump() + "\n";
      cli::write_all(json_out, {reinterpret_cast<const uint8_t*>(s.data()), s.size()}, false);
    }
    {
      artifact::BodyWriter body(model::kTraceFields);
      model::encode_trace_body(t, body);
      cli::write_artifact(io.output, "trace", model::kTraceVersion, body.bytes());
    }
    if (report) std::fputs(model::layer_table(layers).c_str(), stderr);
    for (const auto& r : reports) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "graph-forward: output '%s' %s: max abs error %.3g, relative L2 error %.3g (integer vs float32)",
                    r.name.c_str(), model::shape_str(r.shape).c_str(), r.max_abs, r.rel_l2);
      progress.line(buf);
    }
    progress.line("graph-forward: " + std::to_string(t.graph.nodes.size()) + " nodes in " + std::to_string(watch.seconds()).substr(0, 5) + " s");
    return cli::kOk;
  });
}
