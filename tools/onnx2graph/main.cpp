// onnx2graph: ONNX model (or a Hugging Face checkpoint, --hf) → quantized integer graph artifact (kind "graph").
#include <cstdio>
#include <iostream>

#include "artifact/body.hpp"
#include "cli/cli.hpp"
#include "error/error.hpp"
#include "hf/hf.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"
#include "onnx/import.hpp"

using namespace zkm31;

int main(int argc, char** argv) {
  CLI::App app{"onnx2graph: import an ONNX model, quantize it (int8 weights, integer activations) and write a graph artifact", "onnx2graph"};
  cli::IoOptions io;
  cli::add_io_options(app, io, false, true);
  std::string model_path;
  auto* model_opt = app.add_option("model", model_path, "ONNX model file ('-' for stdin)");
  std::string hf_dir;
  auto* hf_flag = app.add_option("--hf", hf_dir,
                                 "a Hugging Face checkpoint folder (config.json + model.safetensors or its sharded index) "
                                 "instead of an ONNX file: gpt2, llama, mistral, qwen2, qwen3, phi3 (input input_ids [1, N], "
                                 "output logits)");
  model_opt->excludes(hf_flag);
  hf::Options hf_options;
  app.add_option("--seq", hf_options.seq, "with --hf: the number of tokens N (required)");
  std::string layers;
  app.add_option("--layers", layers, "with --hf: decoder layers A:B (A to B−1); a slice after layer 0 takes hidden_states");
  bool no_head = false;
  app.add_flag("--no-head", no_head, "with --hf: stop at the final norm (output hidden_states)");
  std::string calib_path;
  app.add_option("--calibrate", calib_path,
                 "JSON array of calibration inputs (each {name,shape,data} or an array of them), or one graph-forward input file; default: 64 synthetic N(0,1) inputs");
  onnx_import::ImportOptions opt;
  app.add_option("--bits", opt.act_bits, "activation bit width")->capture_default_str()->check(CLI::Range(2, 16));
  app.add_option("--residual-bits", opt.residual_bits, "width of Add/Sub outputs (the residual stream); default: --bits + 2, at most 16")
      ->check(CLI::Range(2, 16));
  app.add_option("--weight-bits", opt.weight_bits,
                 "widest matmul weights (per output channel); a matmul whose accumulator would not fit gets narrower ones, at least 8")
      ->capture_default_str()
      ->check(CLI::Range(8, 16));
  std::vector<std::string> shape_flags;
  app.add_option("--shape", shape_flags,
                 "NAME=d0,d1,…: the shape of an input with free dimensions (repeatable); default: the --calibrate "
                 "inputs' shapes, and 1 for a symbolic leading batch dimension");
  std::string input_path;
  app.add_option("--input", input_path,
                 "a graph-forward input file: its tensors' shapes fix the free dimensions (--shape wins; its values are "
                 "not used for calibration)");
  bool inspect = false;
  app.add_flag("--inspect", inspect, "print a readable summary of the quantized graph instead of writing it");
  return cli::run(app, argc, argv, &io, [&] {
    cli::Progress progress(io.quiet);
    cli::Stopwatch watch;
    for (const auto& flag : shape_flags) {
      auto [name, shape] = onnx_import::parse_shape_flag(flag);
      if (!opt.shapes.emplace(name, shape).second) throw BadInput("--shape gives input '" + name + "' twice");
    }
    if (!input_path.empty()) {
      const auto text = cli::read_all(input_path);
      std::vector<model::InputTensor> inputs;
      try {
        inputs = model::parse_inputs_json(std::string(text.begin(), text.end()));
      } catch (const BadInput& e) {
        throw BadInput(input_path + ": " + e.what());
      }
      for (const auto& t : inputs) opt.shapes.emplace(t.name, t.shape);
    }
    opt.notice = [&](const std::string& line) { progress.line("onnx2graph: note: " + line); };
    if (model_path.empty() == hf_dir.empty()) throw BadInput("give an ONNX model file or --hf DIR");
    if (hf_dir.empty() && (hf_options.seq || !layers.empty() || no_head))
      throw BadInput("--seq, --layers and --no-head apply to --hf only");
    std::vector<uint8_t> bytes;
    if (hf_dir.empty()) {
      bytes = cli::read_all(model_path);
    } else {
      if (!layers.empty()) hf::parse_layers(layers, hf_options);
      hf_options.head = !no_head;
      std::string onnx = hf::checkpoint_to_onnx(hf_dir, hf_options);
      bytes.assign(onnx.begin(), onnx.end());
    }
    if (!calib_path.empty()) {
      auto text = cli::read_all(calib_path);
      opt.calibration = onnx_import::parse_calibration_json(std::string(text.begin(), text.end()));
    }
    opt.parsed = [&] { std::vector<uint8_t>().swap(bytes); };
    model::Graph g = onnx_import::import_onnx(bytes, opt);
    if (inspect) {
      std::string s = model::describe(g);
      std::fwrite(s.data(), 1, s.size(), stdout);
      return cli::kOk;
    }
    const auto body = model::graph_body_writer(g);
    const std::string summary = std::to_string(g.nodes.size()) + " nodes, " + std::to_string(g.parameter_count()) + " parameters";
    g = {};  // a large model is not held beside its encoding
    cli::write_artifact(io.output, "graph", model::kGraphVersion, body->bytes());
    progress.line("onnx2graph: " + summary + ", " + std::to_string(body->bytes().size()) + " bytes of graph body in " +
                  std::to_string(watch.seconds()).substr(0, 5) + " s");
    return cli::kOk;
  });
}
