#include "prove/structure.hpp"

#include "artifact/body.hpp"
#include "error/error.hpp"

namespace zkm31::prove {

using artifact::MapView;

std::vector<uint8_t> graph_structure(const model::Graph& g) {
  model::Graph copy = g;
  for (auto& w : copy.weights) w.values.clear(), w.original.clear();
  return model::encode_graph_body(copy);
}

model::Graph parse_graph_structure(std::span<const uint8_t> body) {
  // Re-encode with zero-filled weight values so that the graph decoder's validation applies.
  auto handle = artifact::parse_body(body, "proof graph");
  MapView top(handle.get(), "proof.graph");
  std::vector<int64_t> numels;
  for (const auto& t : top.array("tensors")) {
    MapView tv(t, "proof.graph.tensors");
    int64_t n = 1;
    for (const auto& d : tv.array("shape")) {
      if (d.type != msgpack::type::POSITIVE_INTEGER || d.via.u64 > (uint64_t(1) << 32))
        throw BadInput("proof.graph: bad tensor shape");
      n *= int64_t(d.via.u64);
      if (n > (int64_t(1) << 32)) throw BadInput("proof.graph: tensor too large");
    }
    numels.push_back(n);
  }
  const msgpack::object& obj = handle.get();
  artifact::BodyWriter w(obj.via.map.size);
  for (uint32_t i = 0; i < obj.via.map.size; ++i) {
    const auto& kv = obj.via.map.ptr[i];
    w.pk.pack(kv.key);
    const bool weights = kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == "weights";
    if (!weights) {
      w.pk.pack(kv.val);
      continue;
    }
    std::vector<msgpack::object> ws = top.array("weights");
    // A hostile proof must not make the verifier allocate without bound.
    int64_t total = 0;
    for (const auto& wo : ws) {
      const uint64_t t = MapView(wo, "proof.graph.weights").u64("tensor");
      if (t >= numels.size()) throw BadInput("proof.graph: weight of an unknown tensor");
      total += numels[t];
    }
    if (total > (int64_t(1) << 28)) throw NotSupported("proof graph with more than 2^28 weights");
    w.pk.pack_array(uint32_t(ws.size()));
    for (const auto& wo : ws) {
      MapView wv(wo, "proof.graph.weights");
      const uint64_t t = wv.u64("tensor");
      if (t >= numels.size()) throw BadInput("proof.graph: weight of an unknown tensor");
      if (!wv.bin("values").empty() || !wv.bin("original").empty())
        throw BadInput("proof.graph: weight values inside a proof");
      w.pk.pack_map(wo.via.map.size);
      for (uint32_t k = 0; k < wo.via.map.size; ++k) {
        const auto& f = wo.via.map.ptr[k];
        w.pk.pack(f.key);
        if (f.key.type == msgpack::type::STR && std::string_view(f.key.via.str.ptr, f.key.via.str.size) == "values")
          w.u32s(std::vector<uint32_t>(size_t(numels[t]), 0));
        else
          w.pk.pack(f.val);
      }
    }
  }
  return model::decode_graph_body(w.bytes());
}

}  // namespace zkm31::prove
