#include <cmath>
#include <cstdio>
#include <map>

#include "model/graph.hpp"

namespace zkm31::model {

namespace {
std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}
std::string log2s(int64_t v) { return v > 0 ? "2^" + fmt("%.1f", std::log2(double(v))) : "0"; }
}  // namespace

std::string describe(const Graph& g) {
  std::string out = "graph '" + g.name + "'\n";
  auto tensor_line = [&](uint32_t id) {
    const Tensor& t = g.tensors[id];
    return "'" + t.name + "' " + shape_str(t.shape) + " int" + std::to_string(t.bits) + " scale " + fmt("%.4g", t.scale);
  };
  for (uint32_t id : g.inputs) out += "  input  " + tensor_line(id) + "\n";
  for (uint32_t id : g.outputs) out += "  output " + tensor_line(id) + "\n";
  size_t params = 0;
  for (const auto& w : g.weights) params += w.values.size();
  out += "  parameters: " + std::to_string(params) + " in " + std::to_string(g.weights.size()) + " weight tensors\n";
  std::map<std::string, int> ops;
  for (const Node& n : g.nodes) ops[op_name(n.op)]++;
  out += "  nodes: " + std::to_string(g.nodes.size()) + " (";
  bool first = true;
  for (const auto& [op, c] : ops) out += (first ? "" : ", ") + op + " x" + std::to_string(c), first = false;
  out += ")\n";
  int64_t worst = 0;
  for (const Node& n : g.nodes) {
    const Tensor& y = g.tensors[n.outputs[0]];
    std::string line = "  " + std::string(op_name(n.op)) + " '" + n.name + "' -> " + shape_str(y.shape) + " int" +
                       std::to_string(y.bits) + " [" + std::to_string(y.lo) + ", " + std::to_string(y.hi) + "]";
    if (n.op == Op::MatMul) {
      const Tensor& a = g.tensors[n.inputs[0]];
      line += "  K=" + std::to_string(a.shape.back()) + " acc bound " + std::to_string(n.acc_bound) + " (" + log2s(n.acc_bound) + ")";
      worst = std::max(worst, n.acc_bound);
    } else if (n.op == Op::Requant) {
      int64_t mmax = 0;
      for (int64_t m : n.mult) mmax = std::max(mmax, m < 0 ? -m : m);
      const Tensor& x = g.tensors[n.inputs[0]];
      int64_t prod = std::max(-x.lo, x.hi) * mmax;
      line += "  M " + (n.mult.size() == 1 ? std::to_string(n.mult[0]) : std::to_string(n.mult.size()) + " channels, max " + std::to_string(mmax)) +
              " shift " + std::to_string(n.shift) + " product bound " + log2s(prod);
      worst = std::max(worst, prod);
    } else if (n.op == Op::Lookup) {
      line += "  table " + n.table.fn + " " + std::to_string(n.table.values.size()) + " entries from " + std::to_string(n.table.in_lo);
    }
    out += line + "\n";
  }
  out += "  largest accumulator or requant product bound: " + std::to_string(worst) + " (" + log2s(worst) +
         "), limit (p-1)/2 = 2^30\n";
  for (const auto& s : g.notes) out += "  note: " + s + "\n";
  return out;
}

}  // namespace zkm31::model
