// onnx2graph: ONNX model → quantized integer graph artifact (kind "graph").
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "error/error.hpp"
#include "model/graph.hpp"
#include "onnx/import.hpp"

using namespace zkm31;

int main(int argc, char** argv) {
  CLI::App app{"onnx2graph: import an ONNX model, quantize it (int8 weights, integer activations) and write a graph artifact", "onnx2graph"};
  cli::IoOptions io;
  cli::add_io_options(app, io, false, true);
  std::string model_path;
  app.add_option("model", model_path, "ONNX model file ('-' for stdin)")->required();
  std::string calib_path;
  app.add_option("--calibrate", calib_path,
                 "JSON array of calibration inputs (each {name,shape,data} or an array of them); default: 64 synthetic N(0,1) inputs");
  onnx_import::ImportOptions opt;
  app.add_option("--bits", opt.act_bits, "activation bit width")->capture_default_str()->check(CLI::Range(2, 16));
  std::vector<std::string> shape_flags;
  app.add_option("--shape", shape_flags,
                 "NAME=d0,d1,…: the shape of an input with free dimensions (repeatable); default: the --calibrate "
                 "inputs' shapes, and 1 for a symbolic leading batch dimension");
  bool inspect = false;
  app.add_flag("--inspect", inspect, "print a readable summary of the quantized graph instead of writing it");
  return cli::run(app, argc, argv, &io, [&] {
    cli::Progress progress(io.quiet);
    cli::Stopwatch watch;
    for (const auto& flag : shape_flags) {
      auto [name, shape] = onnx_import::parse_shape_flag(flag);
      if (!opt.shapes.emplace(name, shape).second) throw BadInput("--shape gives input '" + name + "' twice");
    }
    opt.notice = [&](const std::string& line) { progress.line("onnx2graph: note: " + line); };
    if (!calib_path.empty()) {
      auto text = cli::read_all(calib_path);
      opt.calibration = onnx_import::parse_calibration_json(std::string(text.begin(), text.end()));
    }
    // The file's bytes live only while they are parsed.
    model::Graph g = onnx_import::import_onnx(cli::read_all(model_path), opt);
    if (inspect) {
      std::string s = model::describe(g);
      std::fwrite(s.data(), 1, s.size(), stdout);
      return cli::kOk;
    }
    auto out = model::write_graph(g);
    cli::write_all(io.output, out);
    progress.line("onnx2graph: " + std::to_string(g.nodes.size()) + " nodes, " + std::to_string(g.parameter_count()) +
                  " parameters, " + std::to_string(out.size()) + " bytes in " + std::to_string(watch.seconds()).substr(0, 5) + " s");
    return cli::kOk;
  });
}
