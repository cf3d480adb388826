// Relu, and elementwise regions (Sigmoid/Tanh/Erf/… with scalar constants) recognised as one
// integer lookup table.
#include <algorithm>
#include <cmath>

#include "error/error.hpp"
#include "model/tables.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

namespace {

const std::set<std::string> kElementwise = {"Add", "Sub", "Mul",  "Div",      "Pow", "Sqrt", "Sigmoid",   "Tanh",
                                            "Erf", "Neg", "Exp", "Softplus", "Elu", "Reciprocal"};
const std::set<std::string> kNonlinear = {"Sigmoid", "Tanh", "Erf", "Sqrt", "Reciprocal", "Exp", "Softplus", "Elu"};
const char* const kTableFns[] = {"sigmoid", "tanh", "silu", "gelu_tanh", "gelu_erf", "exp", "softplus", "elu", "mish"};

}  // namespace

void Lowerer::lower_relu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  uint32_t y = emit(node(Op::Relu, n.name, {x}), n.outputs[0], T(x).scale);
  narrow_ids_.insert(y);
  bind(n.outputs[0], y);
}

// Sigmoid, Tanh, Erf, Exp, Softplus, Elu, Sqrt, Reciprocal: only as part of a region that is a table function.
void Lowerer::lower_table_fn(size_t i) {
  if (!region(i)) unsupported(m_.nodes[i]);
}

// A maximal elementwise region whose only activation input is x, containing a non-linear
// function: recognised numerically among the table functions and lowered to one lookup.
bool Lowerer::region(size_t start) {
  const LiveNode& first = m_.nodes[start];
  std::string x;
  for (const auto& in : first.inputs)
    if (!in.empty() && !cst(in)) {
      if (!x.empty() && in != x) return false;
      x = in;
    }
  if (x.empty()) return false;
  std::set<std::string> inside = {x};
  std::vector<size_t> nodes;
  bool grew = true, nonlinear = false;
  while (grew) {
    grew = false;
    for (size_t i = start; i < m_.nodes.size(); ++i) {
      const LiveNode& n = m_.nodes[i];
      if ((done_.count(i) && i != start) || std::find(nodes.begin(), nodes.end(), i) != nodes.end() ||
          !kElementwise.count(n.op))
        continue;
      bool ok = true, touches = false;
      for (const auto& in : n.inputs) {
        if (in.empty()) continue;
        if (inside.count(in)) touches = true;
        else if (const Const* c = cst(in); !c || numel(c->shape) != 1) ok = false;
      }
      if (!ok || !touches) continue;
      nodes.push_back(i);
      for (const auto& o : n.outputs) inside.insert(o);
      if (kNonlinear.count(n.op)) nonlinear = true;
      grew = true;
    }
  }
  if (!nonlinear) return false;
  std::sort(nodes.begin(), nodes.end());
  // The region's result: the one value used outside it.
  std::string result;
  for (size_t i : nodes)
    for (const auto& o : m_.nodes[i].outputs) {
      bool outside = m_.graph_outputs.count(o) > 0;
      for (size_t c : consumers(o))
        if (std::find(nodes.begin(), nodes.end(), c) == nodes.end()) outside = true;
      if (outside) {
        if (!result.empty()) throw NotSupported("node '" + m_.nodes[i].name + "': elementwise region with several results");
        result = o;
      }
    }
  std::string names;
  for (size_t i : nodes) names += (names.empty() ? "" : ", ") + m_.nodes[i].name;
  if (result.empty()) return false;
  // Evaluate the region on sample points and match a table function.
  std::vector<double> pts;
  for (int k = -200; k <= 200; ++k) pts.push_back(k * 0.04);
  std::map<std::string, std::vector<double>> v = {{x, pts}};
  for (size_t i : nodes) {
    const LiveNode& n = m_.nodes[i];
    auto get = [&](size_t k) {
      if (const Const* c = cst(n.inputs[k])) return std::vector<double>(pts.size(), c->data[0]);
      return v.at(n.inputs[k]);
    };
    std::vector<double> a = get(0), r(pts.size());
    std::vector<double> b = n.inputs.size() > 1 ? get(1) : a;
    for (size_t p = 0; p < pts.size(); ++p) {
      double s = a[p], t = b[p];
      const std::string& op = n.op;
      r[p] = op == "Add" ? s + t : op == "Sub" ? s - t : op == "Mul" ? s * t : op == "Div" ? s / t
           : op == "Pow" ? std::pow(s, t) : op == "Sqrt" ? std::sqrt(s) : op == "Sigmoid" ? 1 / (1 + std::exp(-s))
           : op == "Tanh" ? std::tanh(s) : op == "Erf" ? std::erf(s) : op == "Neg" ? -s
           : op == "Exp" ? std::exp(s) : op == "Softplus" ? std::max(s, 0.0) + std::log1p(std::exp(-std::abs(s)))
           : op == "Elu" ? (s >= 0 ? s : attr_float(n, "alpha", 1.0) * std::expm1(s)) : 1 / s;
    }
    v[n.outputs[0]] = r;
  }
  const auto& y = v.at(result);
  // Candidates: one table function, or a chain of two (consecutive activations fuse into one table).
  std::vector<std::string> cands(std::begin(kTableFns), std::end(kTableFns));
  for (const char* f1 : kTableFns)
    for (const char* f2 : kTableFns) cands.push_back(std::string(f1) + ">" + f2);
  std::string fn;
  for (const auto& cand : cands) {
    bool match = true;
    for (size_t p = 0; p < pts.size() && match; ++p) {
      double want = model::table_fn_real(cand, pts[p]);
      match = std::abs(y[p] - want) <= 1e-5 * (1 + std::abs(want));
    }
    if (match) {
      fn = cand;
      break;
    }
  }
  if (fn.empty())
    throw NotSupported("elementwise function of '" + x + "' in nodes " + names +
                       " is not a supported table (sigmoid, tanh, silu, gelu_tanh, gelu_erf, exp, softplus, elu, mish)");
  for (size_t i : nodes) done_.insert(i);
  bind(result, lookup(narrow(tid(x), first.name), fn, result, names));
  return true;
}

uint32_t Lowerer::lookup(uint32_t x, const std::string& fn, const std::string& out, const std::string& node_name) {
  Node n = node(Op::Lookup, node_name, {x});
  double so = scale_for(out, false) * double(qmax_) / double(qres_);
  n.table.fn = fn;
  if (structural()) {
    n.table.in_lo = -1, n.table.values = {0, 0, 0};
    return emit(n, out, so);
  }
  auto [im, is] = model::scale_to_fixed(T(x).scale);
  auto [om, os] = model::scale_to_fixed(so);
  n.table.params = {im, is, om, os};
  n.table.in_lo = T(x).lo;
  n.table.values = model::make_table(fn, n.table.params, T(x).lo, T(x).hi - T(x).lo + 1, -qres_, qres_);
  uint32_t y = emit(n, out, so);
  (qres_ == qmax_ ? narrow_ids_ : wide_ids_).insert(y);
  return y;
}

}  // namespace zkm31::onnx_import
