#include "onnx/loader.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

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

// Calls f with every multi-index of shape s in row-major order.
template <typename F>
void for_each_index(const Shape& s, F f) {
  if (numel(s) == 0) return;
  std::vector<int64_t> idx(s.size(), 0);
  for (int64_t k = 0; k < numel(s); ++k) {
    f(idx);
    for (size_t a = s.size(); a-- > 0;) {
      if (++idx[a] < s[a]) break;
      idx[a] = 0;
    }
  }
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
      if (op == "Reshape") {
        c.shape = reshaped(n, in[0]->shape, *in.at(1));
      } else {
        auto it = m_.shapes.find(n.outputs[0]);
        if (it == m_.shapes.end()) return false;
        c.shape = it->second;
      }
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
    if (op == "Size") return put(n, 0, Const{{}, {double(in[0]->data.size())}, true});
    if (op == "Gather" || op == "Concat" || op == "Slice" || op == "Transpose" || op == "Range" || op == "Expand" ||
        op == "Tile")
      return fold_index(n, in);
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
    if (n.op == "Concat") {  // outer blocks of each input in turn
      int64_t axis = norm_axis(attr_int(n, "axis", 0), x.shape.size(), n.name);
      int64_t outer = 1;
      for (int64_t a = 0; a < axis; ++a) outer *= x.shape[size_t(a)];
      c.shape = x.shape;
      c.shape[size_t(axis)] = 0;
      for (const Const* p : in) {
        if (p->shape.size() != x.shape.size()) throw BadInput("node '" + n.name + "': Concat of different ranks");
        c.shape[size_t(axis)] += p->shape[size_t(axis)];
        c.integer = c.integer && p->integer;
      }
      for (int64_t o = 0; o < outer; ++o)
        for (const Const* p : in) {
          size_t block = p->data.size() / size_t(outer);
          c.data.insert(c.data.end(), p->data.begin() + long(o * block), p->data.begin() + long((o + 1) * block));
        }
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
          if (i < 0 || i >= dim)
            throw BadInput("node '" + n.name + "': gather index " + std::to_string(int64_t(iv)) + " out of range for a dimension of " +
                           std::to_string(dim));
          for (int64_t k = 0; k < inner; ++k) c.data.push_back(x.data[size_t((o * dim + i) * inner + k)]);
        }
      c.shape.assign(x.shape.begin(), x.shape.begin() + axis);
      c.shape.insert(c.shape.end(), idx.shape.begin(), idx.shape.end());
      c.shape.insert(c.shape.end(), x.shape.begin() + axis + 1, x.shape.end());
      return put(n, 0, c);
    }
    if (n.op == "Slice") {
      size_t rank = x.shape.size();
      std::vector<int64_t> start(rank, 0), step(rank, 1);
      c.shape = x.shape;
      const Const *starts = in.at(1), *ends = in.at(2);
      const Const* axes = in.size() > 3 ? in[3] : nullptr;
      const Const* steps = in.size() > 4 ? in[4] : nullptr;
      for (size_t k = 0; k < starts->data.size(); ++k) {
        size_t a = size_t(norm_axis(axes ? int64_t(axes->data.at(k)) : int64_t(k), rank, n.name));
        int64_t dim = x.shape[a], st = steps ? int64_t(steps->data.at(k)) : 1;
        if (st == 0) throw BadInput("node '" + n.name + "': Slice step 0");
        auto bound = [&](double v, int64_t lo, int64_t hi) {
          double i = v < 0 ? v + double(dim) : v;
          return int64_t(std::clamp<double>(i, double(lo), double(hi)));
        };
        int64_t b = st > 0 ? bound(starts->data.at(k), 0, dim) : bound(starts->data.at(k), 0, dim - 1);
        int64_t e = st > 0 ? bound(ends->data.at(k), 0, dim) : bound(ends->data.at(k), -1, dim - 1);
        start[a] = b, step[a] = st;
        c.shape[a] = st > 0 ? std::max<int64_t>(0, (e - b + st - 1) / st) : std::max<int64_t>(0, (b - e - st - 1) / -st);
      }
      for_each_index(c.shape, [&](const std::vector<int64_t>& idx) {
        int64_t src = 0;
        for (size_t a = 0; a < rank; ++a) src = src * x.shape[a] + start[a] + idx[a] * step[a];
        c.data.push_back(x.data[size_t(src)]);
      });
      return put(n, 0, c);
    }
    if (n.op == "Expand" || n.op == "Tile") {  // index modulo the input dimension (Expand: broadcast)
      const Const& arg = *in.at(1);
      size_t rank = n.op == "Tile" ? x.shape.size() : std::max(x.shape.size(), arg.data.size());
      Shape xs(rank - x.shape.size(), 1);
      xs.insert(xs.end(), x.shape.begin(), x.shape.end());
      c.shape = xs;
      if (n.op == "Tile" && arg.data.size() != rank) throw BadInput("node '" + n.name + "': Tile repeats differ from the rank");
      for (size_t a = 0; a < rank; ++a) {
        if (n.op == "Tile") {
          c.shape[a] = xs[a] * int64_t(arg.data[a]);
          continue;
        }
        size_t off = rank - arg.data.size();
        int64_t want = a >= off ? int64_t(arg.data[a - off]) : 1;
        if (xs[a] != 1 && want != 1 && want != xs[a]) throw BadInput("node '" + n.name + "': Expand to an incompatible shape");
        c.shape[a] = xs[a] == 1 ? want : xs[a];
      }
      for_each_index(c.shape, [&](const std::vector<int64_t>& idx) {
        int64_t src = 0;
        for (size_t a = 0; a < rank; ++a) src = src * xs[a] + idx[a] % xs[a];
        c.data.push_back(x.data[size_t(src)]);
      });
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

  // Reshape's target: 0 copies the input dimension (unless allowzero), −1 takes what is left.
  static Shape reshaped(const LiveNode& n, const Shape& in, const Const& target) {
    Shape s;
    int64_t known = 1, infer = -1;
    for (size_t a = 0; a < target.data.size(); ++a) {
      int64_t d = int64_t(target.data[a]);
      if (d == 0 && !attr_int(n, "allowzero", 0)) {
        if (a >= in.size()) throw BadInput("node '" + n.name + "': Reshape copies a dimension the input lacks");
        d = in[a];
      }
      if (d == -1) {
        if (infer >= 0) throw BadInput("node '" + n.name + "': Reshape with two −1 dimensions");
        infer = int64_t(a);
      } else if (d < 0) {
        throw BadInput("node '" + n.name + "': Reshape to a negative dimension");
      } else {
        known *= d;
      }
      s.push_back(d);
    }
    if (infer >= 0) {
      if (known == 0 || numel(in) % known) throw BadInput("node '" + n.name + "': Reshape −1 does not divide the size");
      s[size_t(infer)] = numel(in) / known;
    }
    if (numel(s) != numel(in)) throw BadInput("node '" + n.name + "': Reshape to " + shape_str(s) + " changes the size of " + shape_str(in));
    return s;
  }

  OnnxModel& m_;
};

// The dimensions of a value's declared or inferred shape; a dimension that is not a positive number
// is nullopt (symbolic or unknown), and so is a value with no shape at all.
std::optional<std::vector<std::optional<int64_t>>> declared_dims(const onnx::ValueInfoProto& v) {
  if (!v.type().has_tensor_type()) throw NotSupported("value '" + v.name() + "' is not a tensor");
  const auto& tt = v.type().tensor_type();
  if (!tt.has_shape()) return std::nullopt;
  std::vector<std::optional<int64_t>> dims;
  for (const auto& d : tt.shape().dim())
    dims.push_back(d.has_dim_value() && d.dim_value() >= 1 ? std::optional<int64_t>(d.dim_value()) : std::nullopt);
  return dims;
}

std::string dim_label(const onnx::ValueInfoProto& v, size_t axis) {
  const auto& d = v.type().tensor_type().shape().dim(int(axis));
  return d.has_dim_param() && !d.dim_param().empty() ? "'" + d.dim_param() + "'" : "?";
}

// A fully static shape, checked against the size the importer materializes.
std::optional<Shape> static_shape(const onnx::ValueInfoProto& v) {
  auto dims = declared_dims(v);
  if (!dims) return std::nullopt;
  Shape s;
  int64_t elems = 1;
  for (const auto& d : *dims) {
    if (!d) return std::nullopt;
    s.push_back(*d);
    elems *= std::min<int64_t>(*d, kMaxElements + 1);
    if (elems > kMaxElements) throw NotSupported("value '" + v.name() + "' has more than 2^28 elements");
  }
  return s;
}

// The shape of graph input v: the fixed shape given for it (checked against every static dimension
// the model declares), else the declared one with a symbolic leading batch dimension set to 1.
Shape input_shape(const onnx::ValueInfoProto& v, const FixedShapes& fixed, std::vector<std::string>& defaulted) {
  auto dims = declared_dims(v);
  if (!dims) throw BadInput("input '" + v.name() + "' has no shape: give it with --shape " + v.name() + "=d0,d1,…");
  auto it = fixed.find(v.name());
  if (it != fixed.end()) {
    const auto& [shape, source] = it->second;
    if (shape.size() != dims->size())
      throw BadInput(source + " gives input '" + v.name() + "' " + std::to_string(shape.size()) +
                     " dimensions; the model declares " + std::to_string(dims->size()));
    for (size_t a = 0; a < dims->size(); ++a)
      if ((*dims)[a] && *(*dims)[a] != shape[a])
        throw BadInput(source + " gives input '" + v.name() + "' dimension " + std::to_string(shape[a]) + " on axis " +
                       std::to_string(a) + "; the model fixes it to " + std::to_string(*(*dims)[a]));
    return shape;
  }
  Shape s;
  for (size_t a = 0; a < dims->size(); ++a) {
    if ((*dims)[a]) {
      s.push_back(*(*dims)[a]);
      continue;
    }
    if (a > 0) {
      std::string tmpl;
      for (size_t b = 0; b < dims->size(); ++b) {
        if (b) tmpl += ',';
        tmpl += (*dims)[b] ? std::to_string(*(*dims)[b]) : b == 0 ? "1" : "N";
      }
      throw BadInput("input '" + v.name() + "' has the free dimension " + dim_label(v, a) + " on axis " + std::to_string(a) +
                     ": fix it with --shape " + v.name() + "=" + tmpl + " (or --input with an input file)");
    }
    s.push_back(1);
    defaulted.push_back("'" + v.name() + "' " + dim_label(v, 0));
  }
  return s;
}

void set_dims(onnx::ValueInfoProto& v, const Shape& s) {
  auto* shape = v.mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->clear_dim();
  for (int64_t d : s) shape->add_dim()->set_dim_value(d);
}

bool integer_type(int32_t elem_type) {
  return elem_type != onnx::TensorProto::FLOAT && elem_type != onnx::TensorProto::DOUBLE &&
         elem_type != onnx::TensorProto::FLOAT16 && elem_type != onnx::TensorProto::BFLOAT16;
}

// libonnx's shape inference divides by a conv's or pool's strides, dilations, kernel and group, and
// indexes those lists by the spatial axis, without checking either (a fuzzed stride of 0 raised
// SIGFPE; a kernel_shape shorter than the weight's spatial rank read out of bounds). Checked before it
// runs: each is positive, and strides, dilations, kernel_shape, output_padding have one entry per
// spatial axis and pads two — the weight's rank − 2 where the weight is an initializer, else the
// length the first of them gives.
void check_window_attributes(const onnx::NodeProto& np, const OnnxModel& m) {
  const std::string who = "node '" + (np.name().empty() ? np.op_type() : np.name()) + "'";
  int64_t spatial = -1;
  const std::string& op = np.op_type();
  if ((op == "Conv" || op == "ConvTranspose" || op == "ConvInteger") && np.input_size() > 1) {
    auto w = m.consts.find(np.input(1));
    if (w != m.consts.end()) {
      if (w->second.shape.size() < 3) throw BadInput(who + ": a convolution weight needs rank 3 or more");
      spatial = int64_t(w->second.shape.size()) - 2;
    }
  }
  for (const auto& a : np.attribute()) {
    const std::string& key = a.name();
    const bool window = key == "strides" || key == "dilations" || key == "kernel_shape";
    if ((window || key == "group") &&
        !(window ? std::all_of(a.ints().begin(), a.ints().end(), [](int64_t v) { return v > 0; }) : a.i() > 0))
      throw BadInput(who + ": " + key + " must be positive");
    const int64_t per = key == "pads" ? 2 : window || key == "output_padding" ? 1 : 0;
    if (per == 0) continue;
    const int64_t len = a.ints_size();
    if (spatial < 0 && len % per) throw BadInput(who + ": pads has an odd number of entries");
    if (spatial < 0) spatial = len / per;
    if (len != per * spatial)
      throw BadInput(who + ": " + key + " has " + std::to_string(len) + " entries for " + std::to_string(spatial) +
                     " spatial axes");
  }
}

// Shape inference on a copy of the graph in which the folded nodes are replaced by their values:
// integer constants (the shape arithmetic) and small float ones (a Resize's scales) as initializers,
// the others (weights) as typed inputs whose values inference does not need. Records the static shapes
// and element types it finds.
constexpr size_t kSmallFloatConst = 64;
void infer_shapes(const onnx::ModelProto& proto, OnnxModel& m, const std::vector<bool>& folded,
                  std::map<std::string, int32_t>& types) {
  onnx::ModelProto work;
  work.set_ir_version(proto.ir_version());
  *work.mutable_opset_import() = proto.opset_import();
  const auto& g = proto.graph();
  auto* wg = work.mutable_graph();
  for (const auto& [name, shape] : m.inputs) {
    for (const auto& v : g.input())
      if (v.name() == name) *wg->add_input() = v;
    set_dims(*wg->mutable_input(wg->input_size() - 1), shape);
  }
  for (const auto& [name, c] : m.consts) {
    auto t = types.find(name);
    int32_t type = t != types.end() ? t->second : c.integer ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT;
    if (integer_type(type) && type != onnx::TensorProto::UINT64) {
      auto* init = wg->add_initializer();
      init->set_name(name);
      init->set_data_type(type);
      for (int64_t d : c.shape) init->add_dims(d);
      for (double v : c.data) {
        // ±2^63 (INT64_MAX/MIN, "to the end" in Slice) is not representable: saturate
        int64_t i = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : int64_t(v);
        if (type == onnx::TensorProto::INT64) init->add_int64_data(i);
        else init->add_int32_data(int32_t(std::clamp<int64_t>(i, INT32_MIN, INT32_MAX)));
      }
    } else if (type == onnx::TensorProto::FLOAT && c.data.size() <= kSmallFloatConst) {
      auto* init = wg->add_initializer();  // a Resize's scales: inference reads them
      init->set_name(name);
      init->set_data_type(type);
      for (int64_t d : c.shape) init->add_dims(d);
      for (double v : c.data) init->add_float_data(float(v));
    } else {
      auto* in = wg->add_input();
      in->set_name(name);
      in->mutable_type()->mutable_tensor_type()->set_elem_type(type);
      set_dims(*in, c.shape);
    }
  }
  for (int k = 0; k < g.node_size(); ++k)
    if (!folded[size_t(k)]) *wg->add_node() = g.node(k);
  for (const auto& v : g.output()) {
    auto* o = wg->add_output();
    o->set_name(v.name());
    o->mutable_type()->mutable_tensor_type()->set_elem_type(v.type().tensor_type().elem_type());
  }
  try {
    onnx::ShapeInferenceOptions options{false, 1, true};  // data propagation: Shape/Gather/Concat arithmetic
    onnx::shape_inference::InferShapes(work, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    // the first node's error names the problem; the rest usually follow from it
    size_t first = msg.find("(op_type:"), second = first == std::string::npos ? first : msg.find("(op_type:", first + 1);
    if (second != std::string::npos) msg = msg.substr(0, second) + "…";
    throw BadInput("shape inference failed: " + msg);
  }
  auto record = [&](const onnx::ValueInfoProto& v) {
    types[v.name()] = v.type().tensor_type().elem_type();
    if (m.consts.count(v.name())) return;
    if (auto s = static_shape(v)) m.shapes[v.name()] = *s;
  };
  for (const auto& v : work.graph().value_info()) record(v);
  for (const auto& v : work.graph().output()) record(v);
  for (const auto& v : work.graph().input()) types[v.name()] = v.type().tensor_type().elem_type();
  for (const auto& t : work.graph().initializer()) types[t.name()] = t.data_type();
}

}  // namespace

std::string dims_str(const Shape& s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ',';
    r += std::to_string(s[i]);
  }
  return r;
}

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

std::string attr_string(const LiveNode& n, const std::string& key, const std::string& def) {
  const auto* a = find_attr(n, key);
  return a ? a->s() : def;
}

std::vector<int64_t> attr_ints(const LiveNode& n, const std::string& key) {
  const auto* a = find_attr(n, key);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

OnnxModel load_onnx(std::span<const uint8_t> bytes, const FixedShapes& fixed) {
  auto proto = std::make_shared<onnx::ModelProto>();
  if (bytes.empty() || !proto->ParseFromArray(bytes.data(), int(bytes.size())))
    throw BadInput("not an ONNX model: the file does not parse as an ONNX ModelProto (truncated or another format)");
  if (!proto->has_graph() || proto->graph().node_size() == 0)
    throw BadInput("not an ONNX model: no graph or no nodes");
  downgrade_opset(*proto);
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
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    throw BadInput("invalid ONNX model: " + msg);
  }
  const auto& g = proto->graph();
  OnnxModel m;
  m.name = g.name();
  for (const auto& o : proto->opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") m.opset = o.version();
  for (const auto& t : g.initializer()) m.consts[t.name()] = tensor_to_const(t);
  proto->mutable_graph()->clear_initializer();  // held as constants now: a large model's weights once, not twice
  for (const auto& [name, c] : m.consts) m.shapes[name] = c.shape;
  for (const auto& entry : fixed) {
    const std::string& name = entry.first;  // a named reference: clang 14 cannot capture a structured binding
    if (std::none_of(g.input().begin(), g.input().end(), [&](const auto& v) { return v.name() == name && !m.consts.count(name); }))
      throw BadInput(entry.second.second + " names '" + name + "', which is not an input of the model");
  }
  std::vector<std::string> defaulted;
  for (const auto& v : g.input()) {
    if (m.consts.count(v.name())) continue;
    Shape s = input_shape(v, fixed, defaulted);
    m.inputs.emplace_back(v.name(), s);
    m.shapes[v.name()] = s;
  }
  if (m.inputs.empty()) throw BadInput("the model has no non-initializer input");
  if (!defaulted.empty()) {
    std::string list;
    for (const auto& d : defaulted) list += (list.empty() ? "" : ", ") + d;
    m.notices.push_back("batch dimension of input " + list + " set to 1 (choose it with --shape)");
  }
  for (const auto& v : g.output()) {
    m.outputs.push_back(v.name());
    m.graph_outputs.insert(v.name());
  }

  std::vector<LiveNode> all;
  for (const auto& np : g.node()) {
    check_window_attributes(np, m);
    LiveNode n;
    n.op = np.op_type();
    n.name = np.name().empty() ? np.op_type() + "_" + std::to_string(all.size()) : np.name();
    n.proto = &np;
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    all.push_back(std::move(n));
  }
  // Shape inference and constant folding alternate until nothing more folds: each folded shape
  // computation can make more shapes static, which lets more Shape nodes fold.
  Folder folder(m);
  std::vector<bool> folded(all.size(), false);
  std::map<std::string, int32_t> types;
  try {
    for (bool more = true; more;) {
      infer_shapes(*proto, m, folded, types);
      more = false;
      for (size_t k = 0; k < all.size(); ++k)
        if (!folded[k] && (all[k].proto->domain().empty() || all[k].proto->domain() == "ai.onnx") && folder.fold(all[k]))
          folded[k] = more = true;
    }
  } catch (const BadInput& e) {
    std::string shapes;
    for (const auto& [name, shape] : m.inputs) shapes += (shapes.empty() ? "" : ", ") + name + "=" + dims_str(shape);
    throw BadInput(std::string(e.what()) + " (with the input shapes " + shapes + ")");
  }

  // A node whose results only folded shape computations read (nanoGPT's k.transpose read by
  // k.size(-1)) is not part of the model's function: dropped, like any node no output depends on.
  std::set<std::string> needed(m.outputs.begin(), m.outputs.end());
  std::vector<bool> live(all.size(), false);
  for (size_t k = all.size(); k-- > 0;) {
    if (folded[k] || std::none_of(all[k].outputs.begin(), all[k].outputs.end(), [&](const auto& o) { return needed.count(o); }))
      continue;
    live[k] = true;
    needed.insert(all[k].inputs.begin(), all[k].inputs.end());
  }
  std::vector<std::string> unsupported;
  for (size_t k = 0; k < all.size(); ++k) {
    if (!live[k]) continue;
    LiveNode& n = all[k];
    const auto& domain = n.proto->domain();
    if (!domain.empty() && domain != "ai.onnx") {
      unsupported.push_back("ONNX op '" + domain + "." + n.op + "' (node '" + n.name + "')");
      continue;
    }
    if (!has_lowering(n.op)) {
      unsupported.push_back("ONNX op '" + n.op + "' (node '" + n.name + "')");
      continue;
    }
    for (const auto& out : n.outputs)
      if (!out.empty() && !m.shapes.count(out))
        throw BadInput("node '" + n.name + "': output '" + out + "' has no static shape after folding the shape " +
                       "computations (its size depends on the data); fix the inputs' free dimensions with --shape");
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
  for (const auto& name : m.outputs)
    if (!m.shapes.count(name)) throw BadInput("output '" + name + "' has no static shape after shape inference");
  // An integer graph input is token ids when it gathers rows of a constant [V, D] table (an embedding;
  // the ids are then proven inside [0, V)), and every use must be such a Gather; otherwise it is an
  // attention mask, whose uses the lowering checks (ops/input_mask.cpp).
  for (const auto& v : g.input()) {
    if (m.consts.count(v.name()) || !integer_type(v.type().tensor_type().elem_type())) continue;
    const auto& uses = m.consumers[v.name()];
    if (uses.empty()) throw NotSupported("integer input '" + v.name() + "' is not used");
    auto gathers_rows = [&](const LiveNode& n) {
      const Const* table = n.op == "Gather" ? m.constant(n.inputs[0]) : nullptr;
      return table && n.inputs[1] == v.name() && table->shape.size() == 2 && attr_int(n, "axis", 0) == 0;
    };
    if (std::none_of(uses.begin(), uses.end(), [&](size_t k) { return gathers_rows(m.nodes[k]); })) {
      m.mask_inputs.insert(v.name());
      continue;
    }
    int64_t rows = std::numeric_limits<int64_t>::max();
    for (size_t k : uses) {
      const LiveNode& n = m.nodes[k];
      if (!gathers_rows(n))
        throw NotSupported("integer input '" + v.name() + "' feeds node '" + n.name +
                           "': token ids must only gather rows of a constant [V, D] table");
      rows = std::min(rows, m.constant(n.inputs[0])->shape[0]);
    }
    m.token_ids[v.name()] = rows;
  }
  m.proto = std::move(proto);
  return m;
}

}  // namespace zkm31::onnx_import
