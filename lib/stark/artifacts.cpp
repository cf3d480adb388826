#include "stark/artifacts.hpp"

#include <string>

#include "artifact/artifact.hpp"
#include "air/eval.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"

namespace zkm31::stark {
namespace {

constexpr size_t kMaxComponents = 64;

void write_component(artifact::BodyWriter& w, const air::Component& c, uint32_t fields) {
  w.pk.pack_map(fields);
  w.key("name"), w.pk.pack(c.name());
  w.key("version"), w.pk.pack(c.version());
  w.key("log_size"), w.pk.pack(c.log_size());
  w.key("public_input"), w.m31s(c.public_inputs());
}

std::shared_ptr<const air::Component> read_component(const artifact::MapView& m) {
  const uint64_t log_size = m.u64("log_size"), version = m.u64("version");
  if (log_size > 31 || version > UINT32_MAX) throw BadInput(m.where() + ": log_size or version out of range");
  return air::make_component(m.str("name"), uint32_t(version), unsigned(log_size), m.m31s("public_input"));
}

std::vector<msgpack::object> component_list(const artifact::MapView& m, const char* key) {
  const auto list = m.array(key);
  if (list.empty() || list.size() > kMaxComponents)
    throw BadInput(m.where() + ": between 1 and " + std::to_string(kMaxComponents) + " components");
  return list;
}

}  // namespace

std::vector<uint8_t> write_air_trace(const air::Instance& in) {
  artifact::BodyWriter w(1);
  w.key("components");
  w.pk.pack_array(uint32_t(in.components.size()));
  for (size_t c = 0; c < in.components.size(); ++c) {
    write_component(w, *in.components[c], 5);
    w.key("columns");
    w.pk.pack_array(uint32_t(in.traces[c].size()));
    for (const auto& col : in.traces[c]) w.m31s(col);
  }
  return artifact::wrap(kAirTraceKind, kAirTraceVersion, w.bytes());
}

air::Instance read_air_trace(std::span<const uint8_t> bytes) {
  const artifact::EnvelopeView env = artifact::unwrap_view(bytes, kAirTraceKind, kAirTraceVersion);
  const auto h = artifact::parse_body(env.body, kAirTraceKind);
  const artifact::MapView body(h.get(), kAirTraceKind);
  air::Instance out;
  size_t i = 0;
  for (const auto& o : component_list(body, "components")) {
    const artifact::MapView m(o, std::string(kAirTraceKind) + " component " + std::to_string(i++));
    out.components.push_back(read_component(m));
    air::Columns cols;
    for (const auto& col : m.array("columns")) {
      if (col.type != msgpack::type::BIN) throw BadInput(m.where() + ": a column is not a bin");
      cols.push_back(artifact::decode_m31s({reinterpret_cast<const uint8_t*>(col.via.bin.ptr), col.via.bin.size},
                                           m.where() + " column"));
    }
    air::check_shape(*out.components.back(), cols);
    out.traces.push_back(std::move(cols));
  }
  return out;
}

std::vector<uint8_t> write_proof(const air::Components& cs, const Proof& proof) {
  artifact::BodyWriter w(4);
  w.key("statement");
  w.pk.pack_array(uint32_t(cs.size()));
  std::vector<M31> pub;
  for (const auto& c : cs) {
    write_component(w, *c, 4);
    for (M31 v : c->public_inputs()) pub.push_back(v);
  }
  w.key("public_input"), w.m31s(pub);
  w.key("public_output"), w.m31s(std::vector<M31>());
  w.key("proof");
  proof.write(w);
  return artifact::wrap(kProofKind, kProofVersion, w.bytes());
}

ProofArtifact read_proof(std::span<const uint8_t> bytes) {
  const artifact::EnvelopeView env = artifact::unwrap_view(bytes, kProofKind, kProofVersion);
  const auto h = artifact::parse_body(env.body, kProofKind);
  const artifact::MapView body(h.get(), kProofKind);
  if (body.object().via.map.size != 4) throw BadInput("stark-proof: the body must have exactly 4 fields");
  ProofArtifact out;
  std::vector<M31> pub;
  size_t i = 0;
  for (const auto& o : component_list(body, "statement")) {
    out.components.push_back(read_component(artifact::MapView(o, "stark-proof statement " + std::to_string(i++))));
    for (M31 v : out.components.back()->public_inputs()) pub.push_back(v);
  }
  if (body.m31s("public_input") != pub) throw BadInput("stark-proof: public_input differs from the statement's");
  if (!body.m31s("public_output").empty()) throw BadInput("stark-proof: public_output must be empty");
  try {
    out.proof = Proof::read(body.map("proof"));
  } catch (const Rejected& e) {
    throw BadInput(e.what());
  }
  return out;
}

}  // namespace zkm31::stark
