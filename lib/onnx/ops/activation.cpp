// Relu, and elementwise regions (Sigmoid/Tanh/Erf/… with scalar constants) recognised as one
// integer lookup table c·f(a·x): a scalar Mul/Div/Neg on the region's input (a) or its result (c)
// folds into the table's scales. ELU of any α and SELU as relu + a table of ELU's negative branch,
// CELU = α·elu(x/α) as one table.
#include <algorithm>
#include <cmath>

#include "error/error.hpp"
#include "model/tables.hpp"
#include "onnx/lower.hpp"

namespace zkm31::onnx_import {

using model::numel;

namespace {

const std::set<std::string> kElementwise = {"Add", "Sub",      "Mul", "Div", "Pow", "Sqrt", "Sigmoid", "Tanh", "Erf",
                                            "Neg", "Exp", "Softplus", "Elu", "Abs", "Log",  "Softsign", "Reciprocal"};
const std::set<std::string> kNonlinear = {"Sigmoid", "Tanh", "Erf", "Sqrt", "Reciprocal", "Exp",
                                          "Softplus", "Elu", "Abs", "Log", "Softsign"};
// Non-linear ops with a lowering of their own: a region whose only non-linear ops are these and
// that is no table is left to them, node by node.
const std::set<std::string> kOwnLowering = {"Elu", "Abs"};
const char* const kTableFns[] = {"sigmoid", "tanh", "silu",  "gelu_tanh",  "gelu_erf", "exp",
                                 "softplus", "elu",  "mish", "logsigmoid", "softsign"};

}  // namespace

void Lowerer::lower_relu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  uint32_t x = narrow(tid(n.inputs[0]), n.name);
  uint32_t y = emit(node(Op::Relu, n.name, {x}), n.outputs[0], T(x).scale);
  narrow_ids_.insert(y);
  bind(n.outputs[0], y);
}

// Sigmoid, Tanh, Erf, Exp, Softplus, Log, Softsign, Sqrt, Reciprocal: only as part of a region that
// is a table function.
void Lowerer::lower_table_fn(size_t i) {
  if (!region(i)) unsupported(m_.nodes[i]);
}

// pos·relu(x) + neg·(e^min(x,0) − 1): ELU (pos = 1, neg = α) and SELU (γ, γ·α) for any α, the
// exponential branch one table, added exactly by weighted_sum.
uint32_t Lowerer::elu_family(uint32_t x, double pos, double neg, const std::string& out, const std::string& node_name) {
  x = narrow(x, node_name);
  const uint32_t r = emit(node(Op::Relu, node_name + ":relu", {x}), out + ":relu", T(x).scale);
  const uint32_t e = lookup(x, "elu_neg", out + ":neg", node_name + ":neg");
  return weighted_sum({{r, pos}, {e, neg}}, scale_for(out, false), out, node_name);
}

// Elu: with α = 1 (or inside a larger region) a table; otherwise relu + the table of its negative branch.
void Lowerer::lower_elu(size_t i) {
  if (region(i)) return;
  const LiveNode& n = m_.nodes[i];
  bind(n.outputs[0], elu_family(tid(n.inputs[0]), 1.0, attr_float(n, "alpha", 1.0), n.outputs[0], n.name));
}

void Lowerer::lower_selu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  // ONNX's defaults (float32 values of SELU's constants), what torch.nn.SELU exports.
  const double alpha = attr_float(n, "alpha", 1.67326319217681884765625);
  const double gamma = attr_float(n, "gamma", 1.05070102214813232421875);
  bind(n.outputs[0], elu_family(tid(n.inputs[0]), gamma, gamma * alpha, n.outputs[0], n.name));
}

// Celu = max(0, x) + min(0, α·(e^(x/α) − 1)) = α·elu(x/α) for α > 0: one elu table whose input
// and output scales carry 1/α and α.
void Lowerer::lower_celu(size_t i) {
  const LiveNode& n = m_.nodes[i];
  const double alpha = attr_float(n, "alpha", 1.0);
  if (!(alpha > 0) || !std::isfinite(alpha)) throw BadInput("node '" + n.name + "': Celu alpha must be positive");
  bind(n.outputs[0], lookup(narrow(tid(n.inputs[0]), n.name), "elu", n.outputs[0], n.name, 1.0 / alpha, alpha));
}

// A maximal elementwise region whose only activation input is x, containing a non-linear
// function: recognised numerically among the table functions, up to a scalar gain on its input and
// on its output (c·f(a·x), torch's exp(0.5·x), Softplus(β) = softplus(β·x)/β, −softplus(−x)), and
// lowered to one lookup.
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
  bool grew = true, nonlinear = false, own = true;
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
      if (kNonlinear.count(n.op)) nonlinear = true, own = own && kOwnLowering.count(n.op);
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
        if (!result.empty() && own) return false;
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
           : op == "Elu" ? (s >= 0 ? s : attr_float(n, "alpha", 1.0) * std::expm1(s)) : op == "Abs" ? std::abs(s)
           : op == "Log" ? std::log(s) : op == "Softsign" ? s / (1 + std::abs(s)) : 1 / s;
    }
    v[n.outputs[0]] = r;
  }
  const auto& y = v.at(result);
  // Candidate gains: a chain of scalar Mul/Div/Neg from x (each value's only use in the region) gives
  // a, one into the result gives c.
  auto uses = [&](const std::string& val) {
    std::vector<size_t> u;
    for (size_t k : nodes)
      if (std::find(m_.nodes[k].inputs.begin(), m_.nodes[k].inputs.end(), val) != m_.nodes[k].inputs.end()) u.push_back(k);
    return u;
  };
  // The factor by which node n scales its activation input v (a Mul or Div by a scalar constant, or a Neg), or 0.
  auto gain = [&](const LiveNode& n, const std::string& val) {
    if (n.op == "Neg") return -1.0;
    if ((n.op != "Mul" && n.op != "Div") || n.inputs.size() != 2) return 0.0;
    const std::string& other = n.inputs[n.inputs[0] == val ? 1 : 0];
    const Const* k = cst(other);
    if (!k || numel(k->shape) != 1 || other == val || !std::isfinite(k->data[0])) return 0.0;
    return n.op == "Mul" ? k->data[0] : n.inputs[0] == val && k->data[0] != 0 ? 1.0 / k->data[0] : 0.0;
  };
  double a = 1, c = 1;
  for (std::string cur = x;;) {
    const auto u = uses(cur);
    const double g = u.size() == 1 ? gain(m_.nodes[u[0]], cur) : 0.0;
    if (g == 0) break;
    a *= g, cur = m_.nodes[u[0]].outputs[0];
  }
  for (std::string cur = result;;) {
    const auto p = std::find_if(nodes.begin(), nodes.end(), [&](size_t k) { return m_.nodes[k].outputs[0] == cur; });
    if (p == nodes.end()) break;
    const LiveNode& pn = m_.nodes[*p];
    const auto in = std::find_if(pn.inputs.begin(), pn.inputs.end(), [&](const std::string& s) { return !s.empty() && !cst(s); });
    if (in == pn.inputs.end() || *in == x || uses(*in).size() != 1) break;
    const double g = gain(pn, *in);
    if (g == 0) break;
    c *= g, cur = *in;
  }
  // Candidates: one table function, or a chain of two (consecutive activations fuse into one table).
  std::vector<std::string> cands(std::begin(kTableFns), std::end(kTableFns));
  for (const char* f1 : kTableFns)
    for (const char* f2 : kTableFns) cands.push_back(std::string(f1) + ">" + f2);
  std::string fn;
  double ga = 1, gc = 1;
  const std::pair<double, double> gains[] = {{1.0, 1.0}, {a, 1.0}, {1.0, c}, {a, c}};
  for (const auto& [ta, tc] : gains) {
    for (const auto& cand : cands) {
      bool match = true;
      for (size_t p = 0; p < pts.size() && match; ++p) {
        double want = tc * model::table_fn_real(cand, ta * pts[p]);
        match = std::abs(y[p] - want) <= 1e-5 * (1 + std::abs(want));
      }
      if (match) {
        fn = cand, ga = ta, gc = tc;
        break;
      }
    }
    if (!fn.empty()) break;
  }
  if (fn.empty() && own) return false;
  if (fn.empty())
    throw NotSupported("elementwise function of '" + x + "' in nodes " + names +
                       " is not c·f(a·x) for a supported table f (sigmoid, tanh, silu, gelu_tanh, gelu_erf, exp, "
                       "softplus, elu, mish, logsigmoid, softsign)");
  for (size_t i : nodes) done_.insert(i);
  // A negative gain is a negation in the chain: the table's scales are positive.
  if (ga < 0) fn = "neg>" + fn;
  if (gc < 0) fn += ">neg";
  bind(result, lookup(narrow(tid(x), first.name), fn, result, names, std::abs(ga), std::abs(gc)));
  return true;
}

// y = c·fn(a·x) (a, c > 0) at the calibrated scale of `out`: a and c fold into the table's input and
// output scales, and are the float track's gains.
uint32_t Lowerer::lookup(uint32_t x, const std::string& fn, const std::string& out, const std::string& node_name,
                         double a, double c) {
  Node n = node(Op::Lookup, node_name, {x});
  double so = scale_for(out, false) * double(qmax_) / double(qres_);
  n.table.fn = fn;
  if (a != 1 || c != 1) n.real_mult = {a, c};
  if (structural()) {
    n.table.in_lo = -1, n.table.values = {0, 0, 0};
    return emit(n, out, so);
  }
  auto [im, is] = model::scale_to_fixed(T(x).scale * a);
  auto [om, os] = model::scale_to_fixed(so / c);
  n.table.params = {im, is, om, os};
  n.table.in_lo = T(x).lo;
  n.table.values = model::make_table(fn, n.table.params, T(x).lo, T(x).hi - T(x).lo + 1, -qres_, qres_);
  uint32_t y = emit(n, out, so);
  (qres_ == qmax_ ? narrow_ids_ : wide_ids_).insert(y);
  return y;
}

}  // namespace zkm31::onnx_import
