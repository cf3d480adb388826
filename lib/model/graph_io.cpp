// Graph artifact body (msgpack map, fields in this fixed order):
//   name      str
//   tensors   array of {name, kind: "input"|"activation"|"weight"|"constant", shape: [int], bits, lo, hi, scale: f64}
//   nodes     array of {op, name, in: [id], out: [id], acc_bound, mult: [int], offset: [int], shift, lo, hi,
//                       unclamped_bound, real_mult: [f64], real_offset: [f64],
//                       table: {fn, params: [int], in_lo, rows}, fill, ints, axes, starts,
//                       ends, steps: [int], idx_shape: [int], axis}
//   inputs, outputs  [id]
//   weights   array of {tensor, values: bin, original: bin f32, scales: [f64]}; values are little-endian
//             int8 or int16 (two's complement) or M31 residues (signed ints mod p), the narrowest that
//             holds the tensor, its width told by the length: 1, 2 or 4 bytes per element
//   constants array of {tensor, values: bin M31, original: bin f32}
//   notes     [str]
// A table is stored as its definition: its values are make_table(fn, params, in_lo, rows, out.lo,
// out.hi) — what validate() demands of them — recomputed when the graph is read.
// The digest encodes the same map with every weight's `values`, `original` and `scales` left empty
// (the weight-free graph a proof carries): the scales only dequantize for reports, nothing proven
// reads them, and per-channel scales would be most of a large model's proof graph.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "model/graph.hpp"
#include "model/tables.hpp"

namespace zkm31::model {

namespace {
constexpr uint32_t kGraphFields = 8;  // top-level fields of a graph body

using artifact::BodyWriter;
using artifact::MapView;

const char* kind_name(TensorKind k) {
  switch (k) {
    case TensorKind::Input: return "input";
    case TensorKind::Activation: return "activation";
    case TensorKind::Weight: return "weight";
    case TensorKind::Constant: return "constant";
  }
  return "?";
}

TensorKind kind_from(const std::string& s, const std::string& where) {
  if (s == "input") return TensorKind::Input;
  if (s == "activation") return TensorKind::Activation;
  if (s == "weight") return TensorKind::Weight;
  if (s == "constant") return TensorKind::Constant;
  throw BadInput(where + ": unknown tensor kind '" + s + "'");
}

template <typename T>
std::vector<M31> to_m31(const std::vector<T>& v) {
  std::vector<M31> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = M31::from_signed(int64_t(v[i]));
  return out;
}

std::vector<int64_t> from_m31(const std::vector<M31>& v) {
  std::vector<int64_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i].to_signed();
  return out;
}

void put_str(BodyWriter& w, const std::string& s) { w.pk.pack(s); }

// Lookup tables from their definitions, identical ones computed once. The rows computed are bounded
// by the body's size (budget), so a small body cannot ask for unbounded work.
struct TableDefinitions {
  std::map<std::tuple<std::string, std::vector<int64_t>, int64_t, uint64_t, int64_t, int64_t>, std::vector<int64_t>> made;
  uint64_t budget;
};
std::vector<int64_t> table_values(const Graph& g, const Node& n, uint64_t rows, TableDefinitions& defined,
                                  const std::string& where) {
  if (rows == 0) return {};
  if (n.outputs.empty() || n.outputs[0] >= g.tensors.size()) throw BadInput(where + ": a table on a node without a valid output");
  const Tensor& out = g.tensors[n.outputs[0]];
  auto [at, fresh] = defined.made.try_emplace({n.table.fn, n.table.params, n.table.in_lo, rows, out.lo, out.hi});
  if (fresh) {
    if (rows > (uint64_t(1) << 16)) throw BadInput(where + ": table of more than 2^16 rows");
    if (rows > defined.budget) throw BadInput(where + ": the tables ask for more rows than a graph of this size may");
    defined.budget -= rows;
    at->second = make_table(n.table.fn, n.table.params, n.table.in_lo, int64_t(rows), out.lo, out.hi);
  }
  return at->second;
}

void put_ints(BodyWriter& w, std::string_view key, const std::vector<int64_t>& v) {
  w.key(key);
  w.pk.pack_array(uint32_t(v.size()));
  for (int64_t x : v) w.pk.pack_int64(x);
}

void put_f64s(BodyWriter& w, std::string_view key, const std::vector<double>& v) {
  w.key(key);
  w.pk.pack_array(uint32_t(v.size()));
  for (double x : v) w.pk.pack_double(x);
}

void put_ids(BodyWriter& w, std::string_view key, const std::vector<uint32_t>& v) {
  w.key(key);
  w.pk.pack_array(uint32_t(v.size()));
  for (uint32_t x : v) w.pk.pack_uint32(x);
}

// A weight tensor's values in the narrowest encoding (weights are the bulk of a large model's bytes).
void put_weight_values(BodyWriter& w, const std::vector<int32_t>& v) {
  int32_t lo = 0, hi = 0;
  for (int32_t x : v) lo = std::min(lo, x), hi = std::max(hi, x);
  const size_t width = lo >= INT8_MIN && hi <= INT8_MAX ? 1 : lo >= INT16_MIN && hi <= INT16_MAX ? 2 : 4;
  std::vector<uint8_t> raw(v.size() * width);
  for (size_t k = 0; k < v.size(); ++k) {
    const uint32_t x = width == 4 ? M31::from_signed(v[k]).v : uint32_t(v[k]);
    for (size_t b = 0; b < width; ++b) raw[k * width + b] = uint8_t(x >> (8 * b));
  }
  w.bin(raw);
}

std::vector<int32_t> get_weight_values(std::span<const uint8_t> raw, int64_t n, const std::string& where) {
  if (raw.empty()) return {};
  if (n <= 0 || (int64_t(raw.size()) != n && int64_t(raw.size()) != 2 * n && int64_t(raw.size()) != 4 * n))
    throw BadInput(where + ".values: " + std::to_string(raw.size()) + " bytes for " + std::to_string(n) +
                   " elements (1, 2 or 4 bytes each)");
  std::vector<int32_t> v(static_cast<size_t>(n));
  const size_t width = raw.size() / size_t(n);
  for (size_t k = 0; k < v.size(); ++k) {
    if (width == 1) {
      v[k] = int8_t(raw[k]);
    } else if (width == 2) {
      v[k] = int16_t(uint16_t(raw[2 * k] | raw[2 * k + 1] << 8));
    } else {
      uint32_t x;
      std::memcpy(&x, raw.data() + 4 * k, 4);
      if (x >= kP) throw BadInput(where + ".values: residue >= p");
      v[k] = int32_t(M31(x).to_signed());  // a signed residue always fits int32
    }
  }
  return v;
}

void encode(BodyWriter& w, const Graph& g, WeightValues weights) {
  // w was opened with kGraphFields fields.
  w.key("name"), put_str(w, g.name);
  w.key("tensors");
  w.pk.pack_array(uint32_t(g.tensors.size()));
  for (const Tensor& t : g.tensors) {
    w.pk.pack_map(7);
    w.key("name"), put_str(w, t.name);
    w.key("kind"), put_str(w, kind_name(t.kind));
    put_ints(w, "shape", t.shape);
    w.key("bits"), w.pk.pack_int32(t.bits);
    w.key("lo"), w.pk.pack_int64(t.lo);
    w.key("hi"), w.pk.pack_int64(t.hi);
    w.key("scale"), w.pk.pack_double(t.scale);
  }
  w.key("nodes");
  w.pk.pack_array(uint32_t(g.nodes.size()));
  for (const Node& n : g.nodes) {
    w.pk.pack_map(22);
    w.key("op"), put_str(w, op_name(n.op));
    w.key("name"), put_str(w, n.name);
    put_ids(w, "in", n.inputs);
    put_ids(w, "out", n.outputs);
    w.key("acc_bound"), w.pk.pack_int64(n.acc_bound);
    put_ints(w, "mult", n.mult);
    put_ints(w, "offset", n.offset);
    w.key("shift"), w.pk.pack_int32(n.shift);
    w.key("lo"), w.pk.pack_int64(n.lo);
    w.key("hi"), w.pk.pack_int64(n.hi);
    w.key("unclamped_bound"), w.pk.pack_int64(n.unclamped_bound);
    put_f64s(w, "real_mult", n.real_mult);
    put_f64s(w, "real_offset", n.real_offset);
    w.key("table");
    w.pk.pack_map(4);
    w.key("fn"), put_str(w, n.table.fn);
    put_ints(w, "params", n.table.params);
    w.key("in_lo"), w.pk.pack_int64(n.table.in_lo);
    w.key("rows"), w.pk.pack_uint64(n.table.values.size());
    w.key("fill"), w.pk.pack_int64(n.fill);
    put_ints(w, "ints", n.ints);
    put_ints(w, "axes", n.axes);
    put_ints(w, "starts", n.starts);
    put_ints(w, "ends", n.ends);
    put_ints(w, "steps", n.steps);
    put_ints(w, "idx_shape", n.idx_shape);
    w.key("axis"), w.pk.pack_int32(n.axis);
  }
  put_ids(w, "inputs", g.inputs);
  put_ids(w, "outputs", g.outputs);
  w.key("weights");
  w.pk.pack_array(uint32_t(g.weights.size()));
  for (const WeightData& d : g.weights) {
    w.pk.pack_map(4);
    w.key("tensor"), w.pk.pack_uint32(d.tensor);
    w.key("values");
    if (weights != WeightValues::absent) put_weight_values(w, d.values);
    else w.bin({});
    w.key("original"),
        w.f32s(weights == WeightValues::present ? std::span<const float>(d.original) : std::span<const float>{});
    put_f64s(w, "scales", weights == WeightValues::absent ? std::vector<double>{} : d.scales);
  }
  w.key("constants");
  w.pk.pack_array(uint32_t(g.constants.size()));
  for (const ConstantData& c : g.constants) {
    w.pk.pack_map(3);
    w.key("tensor"), w.pk.pack_uint32(c.tensor);
    w.key("values"), w.m31s(to_m31(c.values));
    w.key("original"), w.f32s(c.original);
  }
  w.key("notes");
  w.pk.pack_array(uint32_t(g.notes.size()));
  for (const auto& s : g.notes) put_str(w, s);
}

std::vector<int64_t> get_ints(const MapView& m, std::string_view key) {
  std::vector<int64_t> out;
  for (const auto& o : m.array(key)) {
    if (o.type == msgpack::type::POSITIVE_INTEGER && o.via.u64 <= uint64_t(INT64_MAX)) out.push_back(int64_t(o.via.u64));
    else if (o.type == msgpack::type::NEGATIVE_INTEGER) out.push_back(o.via.i64);
    else throw BadInput(m.where() + "." + std::string(key) + ": expected integers");
  }
  return out;
}

std::vector<double> get_f64s(const MapView& m, std::string_view key) {
  std::vector<double> out;
  for (const auto& o : m.array(key)) {
    // msgpack-c packs integral doubles as integers.
    if (o.type == msgpack::type::FLOAT32 || o.type == msgpack::type::FLOAT64) out.push_back(o.via.f64);
    else if (o.type == msgpack::type::POSITIVE_INTEGER) out.push_back(double(o.via.u64));
    else if (o.type == msgpack::type::NEGATIVE_INTEGER) out.push_back(double(o.via.i64));
    else throw BadInput(m.where() + "." + std::string(key) + ": expected floats");
  }
  return out;
}

std::vector<uint32_t> get_ids(const MapView& m, std::string_view key) {
  std::vector<uint32_t> out;
  for (int64_t v : get_ints(m, key)) {
    if (v < 0 || v > int64_t(UINT32_MAX)) throw BadInput(m.where() + "." + std::string(key) + ": bad tensor id");
    out.push_back(uint32_t(v));
  }
  return out;
}

int get_int(const MapView& m, std::string_view key) {
  int64_t v = m.i64(key);
  if (v < INT32_MIN || v > INT32_MAX) throw BadInput(m.where() + "." + std::string(key) + ": out of range");
  return int(v);
}

uint32_t get_u32(const MapView& m, std::string_view key) {
  uint64_t v = m.u64(key);
  if (v > UINT32_MAX) throw BadInput(m.where() + "." + std::string(key) + ": out of range");
  return uint32_t(v);
}

}  // namespace



std::unique_ptr<BodyWriter> graph_body_writer(const Graph& g, WeightValues weights) {
  auto w = std::make_unique<BodyWriter>(kGraphFields);
  encode(*w, g, weights);
  return w;
}

std::vector<uint8_t> encode_graph_body(const Graph& g, WeightValues weights) {
  const auto w = graph_body_writer(g, weights);
  return {w->bytes().begin(), w->bytes().end()};
}

hash::Digest graph_digest(const Graph& g) {
  BodyWriter w(kGraphFields);
  encode(w, g, WeightValues::absent);
  hash::Blake2s h;
  h.update(std::string_view("zkm31/graph/v2"));
  h.update(w.bytes());
  return h.finalize();
}

Graph decode_graph_body(std::span<const uint8_t> body, WeightValues weights) {
  auto handle = artifact::parse_body(body, "graph body");
  MapView m(handle.get(), "graph");
  Graph g;
  g.name = m.str("name");
  TableDefinitions defined{{}, (uint64_t(1) << 20) + 64 * uint64_t(body.size())};
  size_t i = 0;
  for (const auto& o : m.array("tensors")) {
    MapView t(o, "graph.tensors[" + std::to_string(i++) + "]");
    Tensor x;
    x.name = t.str("name");
    x.kind = kind_from(t.str("kind"), t.where());
    x.shape = get_ints(t, "shape");
    x.bits = get_int(t, "bits");
    x.lo = t.i64("lo");
    x.hi = t.i64("hi");
    x.scale = t.f64("scale");
    g.tensors.push_back(std::move(x));
  }
  i = 0;
  for (const auto& o : m.array("nodes")) {
    MapView v(o, "graph.nodes[" + std::to_string(i++) + "]");
    Node n;
    n.op = op_from_name(v.str("op"));
    n.name = v.str("name");
    n.inputs = get_ids(v, "in");
    n.outputs = get_ids(v, "out");
    n.acc_bound = v.i64("acc_bound");
    n.mult = get_ints(v, "mult");
    n.offset = get_ints(v, "offset");
    n.shift = get_int(v, "shift");
    n.lo = v.i64("lo");
    n.hi = v.i64("hi");
    n.unclamped_bound = v.i64("unclamped_bound");
    n.real_mult = get_f64s(v, "real_mult");
    n.real_offset = get_f64s(v, "real_offset");
    MapView t = v.map("table");
    n.table.fn = t.str("fn");
    n.table.params = get_ints(t, "params");
    n.table.in_lo = t.i64("in_lo");
    n.table.values = table_values(g, n, t.u64("rows"), defined, t.where());
    n.fill = v.i64("fill");
    n.ints = get_ints(v, "ints");
    n.axes = get_ints(v, "axes");
    n.starts = get_ints(v, "starts");
    n.ends = get_ints(v, "ends");
    n.steps = get_ints(v, "steps");
    n.idx_shape = get_ints(v, "idx_shape");
    n.axis = get_int(v, "axis");
    g.nodes.push_back(std::move(n));
  }
  g.inputs = get_ids(m, "inputs");
  g.outputs = get_ids(m, "outputs");
  i = 0;
  for (const auto& o : m.array("weights")) {
    MapView v(o, "graph.weights[" + std::to_string(i++) + "]");
    WeightData d;
    d.tensor = get_u32(v, "tensor");
    if (d.tensor >= g.tensors.size()) throw BadInput(v.where() + ".tensor: no such tensor");
    d.values = get_weight_values(v.bin("values"), numel(g.tensors[d.tensor].shape), v.where());
    if (weights == WeightValues::integers) v.bin("original");  // not decoded, but a missing key is still malformed
    else d.original = v.f32s("original");
    d.scales = get_f64s(v, "scales");
    g.weights.push_back(std::move(d));
  }
  i = 0;
  for (const auto& o : m.array("constants")) {
    MapView v(o, "graph.constants[" + std::to_string(i++) + "]");
    g.constants.push_back({get_u32(v, "tensor"), from_m31(v.m31s("values")), v.f32s("original")});
  }
  for (const auto& o : m.array("notes")) {
    if (o.type != msgpack::type::STR) throw BadInput("graph.notes: expected strings");
    g.notes.emplace_back(o.via.str.ptr, o.via.str.size);
  }
  validate(g, weights, TableValues::made);
  return g;
}

void write_graph_body_bin(BodyWriter& w, const Graph& g, WeightValues weights) {
  w.nested_map_bin(kGraphFields, [&] { encode(w, g, weights); });
}

std::vector<uint8_t> write_graph(const Graph& g) {
  return artifact::wrap("graph", kGraphVersion, encode_graph_body(g));
}

Graph read_graph(std::span<const uint8_t> bytes) {
  auto env = artifact::unwrap_view(bytes, "graph", kGraphVersion);
  return decode_graph_body(env.body);
}

}  // namespace zkm31::model
