// import_onnx: load and fold, a structural lowering, calibration on its float track, the real
// lowering with those statistics.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "error/error.hpp"
#include "onnx/import.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::Graph;

int residual_bits(const ImportOptions& opt) { return opt.residual_bits ? opt.residual_bits : std::min(opt.act_bits + 2, 16); }

Graph import_onnx(std::span<const uint8_t> bytes, const ImportOptions& opt) {
  if (opt.act_bits < 2 || opt.act_bits > 16) throw BadInput("activation bits must be in [2, 16]");
  if (residual_bits(opt) < opt.act_bits || residual_bits(opt) > 16)
    throw BadInput("residual bits must be in [activation bits, 16]");
  if (opt.weight_bits < 8 || opt.weight_bits > 16) throw BadInput("weight bits must be in [8, 16]");
  FixedShapes fixed;
  if (!opt.calibration.empty())
    for (const auto& t : opt.calibration[0]) fixed[t.name] = {t.shape, "the --calibrate input"};
  for (const auto& [name, shape] : opt.shapes) fixed[name] = {shape, "--shape " + name + "=" + dims_str(shape)};
  OnnxModel m = load_onnx(bytes, fixed);
  if (opt.parsed) opt.parsed();
  for (const auto& line : m.notices)
    if (opt.notice) opt.notice(line);
  bool synthetic = opt.calibration.empty();
  StatsMap stats;
  {  // the structural graph (a float copy of every weight) is released before the real lowering
    Graph structure = Lowerer(m, opt, nullptr).run();
    stats = calibrate(structure, synthetic ? default_calibration(m, opt.default_samples) : opt.calibration);
  }
  Graph g = Lowerer(m, opt, stats).run();
  g.notes.push_back("activations " + std::to_string(opt.act_bits) + " bits, residual stream " +
                    std::to_string(residual_bits(opt)) + " bits, per-channel weights of 8 to " +
                    std::to_string(opt.weight_bits) + " bits");
  g.notes.push_back(synthetic ? "calibration: " + std::to_string(opt.default_samples) + " synthetic N(0,1) inputs (default)"
                              : "calibration: " + std::to_string(opt.calibration.size()) + " given inputs");
  g.notes.insert(g.notes.end(), m.notices.begin(), m.notices.end());
  model::validate(g);
  if (synthetic && opt.notice)
    opt.notice("no --calibrate: activation ranges come from " + std::to_string(opt.default_samples) +
               " synthetic N(0,1) inputs; inputs of another range lose precision (graph-forward warns when it clamps "
               "them): pass --calibrate with samples of real inputs");
  else if (opt.calibration.size() < 8 && opt.notice)
    opt.notice("calibrated on " + std::to_string(opt.calibration.size()) +
               " input(s) only: other inputs may exceed their ranges (graph-forward warns when it clamps an input)");
  return g;
}

std::vector<std::vector<model::InputTensor>> parse_calibration_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw BadInput(std::string("malformed calibration JSON: ") + e.what());
  }
  if (j.is_object()) return {model::parse_inputs_json(text)};  // one graph-forward input file
  if (!j.is_array() || j.empty()) throw BadInput("calibration JSON: expected a non-empty array of input sets");
  std::vector<std::vector<model::InputTensor>> sets;
  for (const auto& item : j) sets.push_back(model::parse_inputs_json(item.dump()));
  return sets;
}

std::pair<std::string, model::Shape> parse_shape_flag(const std::string& text) {
  size_t eq = text.rfind('=');
  auto bad = [&] { return BadInput("--shape '" + text + "': expected NAME=d0,d1,… with positive dimensions"); };
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) throw bad();
  model::Shape shape;
  size_t pos = eq + 1;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string d = text.substr(pos, end - pos);
    if (d.empty() || d.size() > 9 || d.find_first_not_of("0123456789") != std::string::npos || std::stoll(d) < 1) throw bad();
    shape.push_back(std::stoll(d));
    pos = end + 1;
  }
  return {text.substr(0, eq), shape};
}

}  // namespace zkm31::onnx_import
