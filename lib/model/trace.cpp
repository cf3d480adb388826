#include "model/trace.hpp"

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"

namespace zkm31::model {

namespace {
bool has_values(TensorKind k) { return k == TensorKind::Input || k == TensorKind::Activation; }
}  // namespace

std::vector<uint8_t> write_trace(const Trace& t) {
  const Graph& g = t.graph;
  if (t.values.size() != g.tensors.size()) throw BadInput("trace: one value vector per tensor expected");
  artifact::BodyWriter w(4);
  w.key("graph"), w.bin(encode_graph_body(g));
  w.key("graph_digest"), w.bin(t.digest);
  uint32_t count = 0;
  for (size_t i = 0; i < g.tensors.size(); ++i) count += has_values(g.tensors[i].kind);
  w.key("values");
  w.pk.pack_map(count);
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (!has_values(g.tensors[i].kind)) continue;
    w.pk.pack_uint32(uint32_t(i));
    w.m31s(t.values[i]);
  }
  w.key("float_outputs");
  w.pk.pack_array(uint32_t(t.float_outputs.size()));
  for (const auto& f : t.float_outputs) w.f32s(f);
  return artifact::wrap("trace", kTraceVersion, w.bytes());
}

Trace read_trace(std::span<const uint8_t> bytes) {
  auto env = artifact::unwrap_view(bytes, "trace", kTraceVersion);
  auto handle = artifact::parse_body(env.body, "trace body");
  artifact::MapView m(handle.get(), "trace");
  Trace t;
  t.graph = decode_graph_body(m.bin("graph"), WeightValues::integers);
  const Graph& g = t.graph;
  auto digest = m.bin("graph_digest");
  if (digest.size() != t.digest.size()) throw BadInput("trace.graph_digest: expected 32 bytes");
  std::copy(digest.begin(), digest.end(), t.digest.begin());
  if (t.digest != graph_digest(g)) throw BadInput("trace: graph_digest does not match the embedded graph");

  t.values.assign(g.tensors.size(), {});
  std::vector<bool> seen(g.tensors.size(), false);
  const auto& vm = m.at("values");
  if (vm.type != msgpack::type::MAP) throw BadInput("trace.values: expected a map");
  for (uint32_t i = 0; i < vm.via.map.size; ++i) {
    const auto& kv = vm.via.map.ptr[i];
    if (kv.key.type != msgpack::type::POSITIVE_INTEGER || kv.key.via.u64 >= g.tensors.size())
      throw BadInput("trace.values: key is not a tensor id");
    size_t id = size_t(kv.key.via.u64);
    const Tensor& tensor = g.tensors[id];
    if (!has_values(tensor.kind) || seen[id]) throw BadInput("trace.values: unexpected or repeated tensor '" + tensor.name + "'");
    if (kv.val.type != msgpack::type::BIN) throw BadInput("trace.values['" + tensor.name + "']: expected binary");
    auto vals = artifact::decode_m31s({reinterpret_cast<const uint8_t*>(kv.val.via.bin.ptr), kv.val.via.bin.size},
                                      "trace.values['" + tensor.name + "']");
    if (int64_t(vals.size()) != numel(tensor.shape))
      throw BadInput("trace.values['" + tensor.name + "']: " + std::to_string(vals.size()) + " values for shape " +
                     shape_str(tensor.shape));
    for (const M31& v : vals) {
      int64_t s = v.to_signed();
      if (s < tensor.lo || s > tensor.hi)
        throw BadInput("trace.values['" + tensor.name + "']: value " + std::to_string(s) + " outside its interval [" +
                       std::to_string(tensor.lo) + ", " + std::to_string(tensor.hi) + "]");
    }
    t.values[id] = std::move(vals);
    seen[id] = true;
  }
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (has_values(g.tensors[i].kind) && !seen[i]) throw BadInput("trace.values: missing tensor '" + g.tensors[i].name + "'");
  auto fo = m.array("float_outputs");
  if (fo.size() != g.outputs.size()) throw BadInput("trace.float_outputs: one vector per graph output expected");
  for (size_t i = 0; i < fo.size(); ++i) {
    if (fo[i].type != msgpack::type::BIN) throw BadInput("trace.float_outputs: expected binary");
    auto f = artifact::decode_f32s({reinterpret_cast<const uint8_t*>(fo[i].via.bin.ptr), fo[i].via.bin.size},
                                   "trace.float_outputs");
    if (int64_t(f.size()) != numel(g.tensors[g.outputs[i]].shape)) throw BadInput("trace.float_outputs: wrong length");
    t.float_outputs.push_back(std::move(f));
  }
  return t;
}

}  // namespace zkm31::model
