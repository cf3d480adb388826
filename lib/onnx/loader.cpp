#include "onnx/loader.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "error/error.hpp"

namespace zkm31::onnx_import {

using model::numel;
using model::shape_str;

namespace {

// Largest tensor the importer materializes (its calibration runs the float track in memory).
constexpr int64_t kMaxElements = int64_t(1) << 28;

template <typename T>
void read_raw(const std::string& raw, std::vector<double>& out) {
  size_t n = raw.size() / sizeof(T);
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = double(v);
  }
}

Const tensor_to_const(const onnx::TensorProto& t) {
  Const c;
  for (int64_t d : t.dims()) c.shape.push_back(d);
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw NotSupported("initializer '" + t.name() + "' stores its data in an external file");
  const std::string& raw = t.raw_data();
  bool has_raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (has_raw) read_raw<float>(raw, c.data);
      else c.data.assign(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto::DOUBLE:
      if (has_raw) read_raw<double>(raw, c.data);
      else c.data.assign(t.double_data().begin(), t.double_data().end());
      break;
    case onnx::TensorProto::INT64:
      c.integer = true;
      if (has_raw) read_raw<int64_t>(raw, c.data);
      else c.data.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      c.integer = true;
      if (has_raw) {
        if (t.data_type() == onnx::TensorProto::INT32) read_raw<int32_t>(raw, c.data);
        else if (t.data_type() == onnx::TensorProto::INT8) read_raw<int8_t>(raw, c.data);
        else read_raw<uint8_t>(raw, c.data);
      } else {
        c.data.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    default:
      throw NotSupported("tensor '" + t.name() + "' has ONNX data type " + std::to_string(t.data_type()));
  }
  if (int64_t(c.data.size()) != numel(c.shape))
    throw BadInput("tensor '" + t.name() + "' holds " + std::to_string(c.data.size()) + " values for shape " +
                   shape_str(c.shape));
  return c;
}

const onnx::AttributeProto* find_attr(const LiveNode& n, const std::string& key) {
  for (const auto& a : n.proto->attribute())
    if (a.name() == key) return &a;
  return nullptr;
}

int64_t norm_axis(int64_t axis, size_t rank, const std::string& where) {
  if (axis < 0) axis += int64_t(rank);
  if (axis < 0 || axis >= int64_t(rank)) throw BadInput(where + ": axis out of range");
  return axis;
}

// Constant folding of the ops that appear in shape arithmetic and in exported constant subgraphs.
class Folder {
 public:
  explicit Folder(OnnxModel& m) : m_(m) {}

  // Returns true (and stores the outputs) when node n could be evaluated on constants.
  bool fold(const LiveNode& n) {
    const std::string& op = n.op;
    if (op == "Constant") {
      const auto* a = find_attr(n, "value");
      if (a) return put(n, 0, tensor_to_const(a->t()));
      if ((a = find_attr(n, "value_float"))) return put(n, 0, Const{{}, {a->f()}, false});
      if ((a = find_attr(n, "value_int"))) return put(n, 0, Const{{}, {double(a->i())}, true});
      if ((a = find_attr(n, "value_ints"))) {
        Const c{{int64_t(a->ints_size())}, {}, true};
        for (auto v : a->ints()) c.data.push_back(double(v));
        return put(n, 0, c);
      }
      throw NotSupported("Constant node '" + n.name + "' with this value attribute");
    }
    if (op == "Shape") {
      auto it = m_.shapes.find(n.inputs.at(0));
      if (it == m_.shapes.end()) return false;
      Const c{{int64_t(it->second.size())}, {}, true};
      for (int64_t d : it->second) c.data.push_back(double(d));
      return put(n, 0, c);
    }
    std::vector<const Const*> in;
    for (const auto& name : n.inputs) {
      if (name.empty()) {
        in.push_back(nullptr);
        continue;
      }
      const Const* c = m_.constant(name);
      if (!c) return false;
      in.push_back(c);
    }
    if (in.empty()) return false;
    if (op == "Identity" || op == "Cast") {
      Const c = *in[0];
      if (op == "Cast") {
        int64_t to = attr_int(n, "to", 1);
        c.integer = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE;
        if (c.integer)
          for (double& v : c.data) v = std::trunc(v);
      }
      return put(n, 0, c);
    }
    if (op == "Reshape" || op == "Unsqueeze" || op == "Squeeze" || op == "Flatten") {
      Const c = *in[0];
      c.shape = m_.shape(n.outputs[0]);
      return put(n, 0, c);
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Equal") {
      const Const &a = *in.at(0), &b = *in.at(1);
      Const c;
      c.shape = model::broadcast_shapes(a.shape, b.shape);
      c.integer = a.integer && b.integer;
      auto ma = model::broadcast_index(c.shape, a.shape), mb = model::broadcast_index(c.shape, b.shape);
      for (size_t i = 0; i < ma.size(); ++i) {
        double x = a.data[size_t(ma[i])], y = b.data[size_t(mb[i])];
        double r = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : op == "Pow" ? std::pow(x, y)
                 : op == "Equal" ? double(x == y) : (c.integer ? std::trunc(x / y) : x / y);
        c.data.push_back(r);
      }
      if (op == "Equal") c.integer = true;
      return put(n, 0, c);
    }
    if (op == "Sqrt" || op == "Neg" || op == "Reciprocal") {
      Const c = *in[0];
      for (double& v : c.data) v = op == "Sqrt" ? std::sqrt(v) : op == "Neg" ? -v : 1.0 / v;
      return put(n, 0, c);
    }
    if (op == "Where") {
      const Const &cond = *in.at(0), &a = *in.at(1), &b = *in.at(2);
      Const c;
      c.shape = model::broadcast_shapes(model::broadcast_shapes(cond.shape, a.shape), b.shape);
      c.integer = a.integer && b.integer;
      auto mc = model::broadcast_index(c.shape, cond.shape), ma = model::broadcast_index(c.shape, a.shape),
           mb = model::broadcast_index(c.shape, b.shape);
      for (size_t i = 0; i < mc.size(); ++i)
        c.data.push_back(cond.data[size_t(mc[i])] != 0 ? a.data[size_t(ma[i])] : b.data[size_t(mb[i])]);
      return put(n, 0, c);
    }
    if (op == "ConstantOfShape") {
      Const c;
      for (double d : in[0]->data) c.shape.push_back(int64_t(d));
      const auto* a = find_attr(n, "value");
      Const v = a ? tensor_to_const(a->t()) : Const{{1}, {0.0}, false};
      c.integer = v.integer;
      c.data.assign(size_t(numel(c.shape)), v.data.at(0));
      return put(n, 0, c);
    }
    if (op == "Gather" || op == "Concat" || op == "Slice" || op == "Transpose" || op == "Range") return fold_index(n, in);
    return false;
  }

 private:
  bool put(const LiveNode& n, size_t i, Const c) {
    m_.consts[n.outputs.at(i)] = std::move(c);
    m_.shapes[n.outputs.at(i)] = m_.consts[n.outputs.at(i)].shape;
    return true;
  }

  bool fold_index(const LiveNode& n, const std::vector<const Const*>& in) {
    const Const& x = *in.at(0);
    Const c;
    c.integer = x.integer;
    if (n.op == "Range") {
      double start = in.at(0)->data.at(0), limit = in.at(1)->data.at(0), delta = in.at(2)->data.at(0);
      for (double v = start; delta > 0 ? v < limit : v > limit; v += delta) c.data.push_back(v);
      c.shape = {int64_t(c.data.size())};
      return put(n, 0, c);
    }
    if (n.op == "Concat") {
      int64_t axis = norm_axis(attr_int(n, "axis", 0), x.shape.size(), n.name);
      if (axis != 0 || x.shape.size() != 1) return false;
      for (const Const* p : in) c.data.insert(c.data.end(), p->data.begin(), p->data.end());
      c.shape = {int64_t(c.data.size())};
      return put(n, 0, c);
    }
    if (n.op == "Gather") {
      int64_t axis = norm_axis(attr_int(n, "axis", 0), x.shape.size(), n.name);
      const Const& idx = *in.at(1);
      int64_t outer = 1, inner = 1, dim = x.shape[size_t(axis)];
      for (int64_t a = 0; a < axis; ++a) outer *= x.shape[size_t(a)];
      for (size_t a = size_t(axis) + 1; a < x.shape.size(); ++a) inner *= x.shape[a];
      for (int64_t o = 0; o < outer; ++o)
        for (double iv : idx.data) {
          int64_t i = int64_t(iv) < 0 ? int64_t(iv) + dim : int64_t(iv);
          if (i < 0 || i >= dim) throw BadInput("node '" + n.name + "': gather index out of range");
          for (int64_t k = 0; k < inner; ++k) c.data.push_back(x.data[size_t((o * dim + i) * inner + k)]);
        }
      c.shape = m_.shape(n.outputs[0]);
      return put(n, 0, c);
    }
    if (n.op == "Slice" && x.shape.size() == 1) {
      int64_t len = x.shape[0];
      auto clampi = [&](double v) { int64_t i = int64_t(v); if (i < 0) i += len; return std::clamp<int64_t>(i, 0, len); };
      int64_t s = clampi(in.at(1)->data.at(0)), e = clampi(std::min<double>(in.at(2)->data.at(0), double(len)));
      int64_t step = in.size() > 4 && in[4] ? int64_t(in[4]->data.at(0)) : 1;
      if (step != 1) return false;
      for (int64_t i = s; i < e; ++i) c.data.push_back(x.data[size_t(i)]);
      c.shape = {int64_t(c.data.size())};
      return put(n, 0, c);
    }
    if (n.op == "Transpose") {
      auto perm = attr_ints(n, "perm");
      if (perm.empty())
        for (size_t i = x.shape.size(); i-- > 0;) perm.push_back(int64_t(i));
      Shape os;
      for (int64_t p : perm) os.push_back(x.shape.at(size_t(p)));
      std::vector<int64_t> st(x.shape.size(), 1);
      for (size_t i = x.shape.size(); i-- > 1;) st[i - 1] = st[i] * x.shape[i];
      std::vector<int64_t> idx(os.size(), 0);
      for (int64_t k = 0; k < numel(os); ++k) {
        int64_t src = 0;
        for (size_t a = 0; a < os.size(); ++a) src += idx[a] * st[size_t(perm[a])];
        c.data.push_back(x.data[size_t(src)]);
        for (size_t a = os.size(); a-- > 0;) {
          if (++idx[a] < os[a]) break;
          idx[a] = 0;
        }
      }
      c.shape = os;
      return put(n, 0, c);
    }
    return false;
  }

  OnnxModel& m_;
};

Shape static_shape(const onnx::ValueInfoProto& v, bool is_input) {
  Shape s;
  if (!v.type().has_tensor_type()) throw NotSupported("value '" + v.name() + "' is not a tensor");
  const auto& tt = v.type().tensor_type();
  if (!tt.has_shape()) {
    if (is_input) throw BadInput("input '" + v.name() + "' has no static shape (unresolved dynamic shape)");
    return {};
  }
  int64_t elems = 1;
  for (const auto& d : tt.shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 1) {
      std::string label = d.has_dim_param() ? "'" + d.dim_param() + "'" : "?";
      throw BadInput("value '" + v.name() + "' has the dynamic dimension " + label +
                     " (unresolved dynamic shape): export with static shapes");
    }
    s.push_back(d.dim_value());
    elems *= std::min<int64_t>(d.dim_value(), kMaxElements + 1);
    if (elems > kMaxElements) throw NotSupported("value '" + v.name() + "' has more than 2^28 elements");
  }
  return s;
}

}  // namespace

const Const* OnnxModel::constant(const std::string& name) const {
  auto it = consts.find(name);
  return it == consts.end() ? nullptr : &it->second;
}

const Shape& OnnxModel::shape(const std::string& name) const {
  auto it = shapes.find(name);
  if (it == shapes.end()) throw BadInput("value '" + name + "' has no inferred static shape");
  return it->second;
}

int64_t attr_int(const LiveNode& n, const std::string& key, int64_t def) {
  const auto* a = find_attr(n, key);
  return a ? a->i() : def;
}

double attr_float(const LiveNode& n, const std::string& key, double def) {
  const auto* a = find_attr(n, key);
  return a ? a->f() : def;
}

std::vector<int64_t> attr_ints(const LiveNode& n, const std::string& key) {
  const auto* a = find_attr(n, key);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

OnnxModel load_onnx(std::span<const uint8_t> bytes) {
  auto proto = std::make_shared<onnx::ModelProto>();
  if (bytes.empty() || !proto->ParseFromArray(bytes.data(), int(bytes.size())))
    throw BadInput("not an ONNX model: the file does not parse as an ONNX ModelProto (truncated or another format)");
  if (!proto->has_graph() || proto->graph().node_size() == 0)
    throw BadInput("not an ONNX model: no graph or no nodes");
  {
    std::set<std::string> known;
    for (const auto& t : proto->graph().initializer()) known.insert(t.name());
    for (const auto& v : proto->graph().input()) known.insert(v.name());
    for (const auto& np : proto->graph().node()) {
      for (const auto& in : np.input())
        if (!in.empty() && !known.count(in))
          throw BadInput("node '" + np.name() + "' reads '" + in + "', which no initializer, input or earlier node provides");
      for (const auto& out : np.output()) known.insert(out);
    }
  }
  try {
    onnx::checker::check_model(*proto);
    // Data propagation resolves shapes computed by Shape/Gather/Concat arithmetic.
    onnx::ShapeInferenceOptions options{false, 0, true};
    onnx::shape_inference::InferShapes(*proto, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    throw BadInput("invalid ONNX model: " + msg);
  }
  const auto& g = proto->graph();
  OnnxModel m;
  m.name = g.name();
  for (const auto& t : g.initializer()) m.consts[t.name()] = tensor_to_const(t);
  for (const auto& [name, c] : m.consts) m.shapes[name] = c.shape;
  for (const auto& v : g.input()) {
    if (m.consts.count(v.name())) continue;
    Shape s = static_shape(v, true);
    m.inputs.emplace_back(v.name(), s);
    m.shapes[v.name()] = s;
  }
  if (m.inputs.empty()) throw BadInput("the model has no non-initializer input");
  for (const auto& v : g.value_info())
    if (!m.shapes.count(v.name())) {
      Shape s = static_shape(v, false);
      if (!s.empty() || v.type().tensor_type().has_shape()) m.shapes[v.name()] = s;
    }
  for (const auto& v : g.output()) {
    m.outputs.push_back(v.name());
    m.graph_outputs.insert(v.name());
    if (!m.shapes.count(v.name())) m.shapes[v.name()] = static_shape(v, false);
  }

  Folder folder(m);
  std::vector<std::string> unsupported;
  size_t k = 0;
  for (const auto& np : g.node()) {
    LiveNode n;
    n.op = np.op_type();
    n.name = np.name().empty() ? np.op_type() + "_" + std::to_string(k) : np.name();
    ++k;
    n.proto = &np;
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    if (!np.domain().empty() && np.domain() != "ai.onnx") {
      unsupported.push_back("ONNX op '" + np.domain() + "." + n.op + "' (node '" + n.name + "')");
      continue;
    }
    if (folder.fold(n)) continue;
    if (!has_lowering(n.op)) {
      unsupported.push_back("ONNX op '" + n.op + "' (node '" + n.name + "')");
      continue;
    }
    for (const auto& out : n.outputs)
      if (!m.shapes.count(out)) throw BadInput("node '" + n.name + "': output '" + out + "' has no static shape (unresolved dynamic shape)");
    size_t idx = m.nodes.size();
    for (const auto& in : n.inputs)
      if (!in.empty()) m.consumers[in].push_back(idx);
    m.nodes.push_back(std::move(n));
  }
  if (!unsupported.empty()) {
    std::string msg;
    for (size_t i = 0; i < unsupported.size(); ++i) msg += (i ? ", " : "") + unsupported[i];
    throw NotSupported(msg);
  }
  m.proto = std::move(proto);
  return m;
}

}  // namespace zkm31::onnx_import
