#include "artifact/artifact.hpp"

#include <xxhash.h>

#include <array>
#include <cstdio>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "artifact/body.hpp"
#include "error/error.hpp"

namespace zkm31::artifact {
namespace {

std::string human_size(size_t n) {
  char buf[32];
  if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1f MB", n / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1f kB", n / 1e3);
  else std::snprintf(buf, sizeof buf, "%zu bytes", n);
  return buf;
}

// Length declared by a msgpack bin header at p (0 if p does not start a bin header).
size_t declared_bin_length(std::span<const uint8_t> p, size_t& header) {
  if (p.empty()) return 0;
  auto be = [&](size_t n) {
    size_t v = 0;
    for (size_t i = 1; i <= n && i < p.size(); ++i) v = (v << 8) | p[i];
    return v;
  };
  switch (p[0]) {
    case 0xc4: header = 2; return be(1);
    case 0xc5: header = 3; return be(2);
    case 0xc6: header = 5; return be(4);
    default: return 0;
  }
}

}  // namespace

std::string hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::array<uint8_t, 16> checksum(std::span<const uint8_t> bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), canon.digest, 16);
  return out;
}

std::vector<uint8_t> wrap(std::string_view kind, uint32_t version, std::span<const uint8_t> body) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  auto key = [&](std::string_view k) {
    pk.pack_str(static_cast<uint32_t>(k.size()));
    pk.pack_str_body(k.data(), k.size());
  };
  pk.pack_map(5);
  key("magic");
  key(kMagic);
  key("kind");
  key(kind);
  key("version");
  pk.pack_uint32(version);
  // The checksum precedes the body so that a truncated file is detected as a short body.
  auto sum = checksum(body);
  key("checksum");
  pk.pack_bin(16);
  pk.pack_bin_body(reinterpret_cast<const char*>(sum.data()), 16);
  key("body");
  pk.pack_bin(static_cast<uint32_t>(body.size()));
  pk.pack_bin_body(reinterpret_cast<const char*>(body.data()), body.size());
  return {reinterpret_cast<const uint8_t*>(buf.data()), reinterpret_cast<const uint8_t*>(buf.data()) + buf.size()};
}

EnvelopeView unwrap_view(std::span<const uint8_t> bytes, std::string_view expected_kind, uint32_t max_version) {
  const char* data = reinterpret_cast<const char*>(bytes.data());
  if (bytes.empty()) throw BadInput("not a zkm31 artifact: empty input");
  uint8_t head = bytes[0];
  if ((head & 0xf0) != 0x80) throw BadInput("not a zkm31 artifact: does not start with a msgpack map");
  size_t n_fields = head & 0x0f;
  size_t off = 1;
  std::string magic, kind;
  uint64_t version = 0;
  bool have_version = false, have_sum = false, have_body = false;
  std::vector<uint8_t> sum;
  std::span<const uint8_t> body;
  // The body bin is read in place (msgpack would otherwise copy it into its zone).
  const auto reference = [](msgpack::type::object_type t, std::size_t, void*) { return t == msgpack::type::BIN; };
  for (size_t f = 0; f < n_fields; ++f) {
    std::string key;
    try {
      auto kh = msgpack::unpack(data, bytes.size(), off, nullptr, nullptr, unpack_limits(bytes.size()));
      if (kh.get().type != msgpack::type::STR) throw BadInput("not a zkm31 artifact: non-string key");
      key = kh.get().as<std::string>();
      if (key == "body") {
        size_t header = 0;
        size_t declared = declared_bin_length(bytes.subspan(off), header);
        if (header && off + header + declared > bytes.size())
          throw BadInput("truncated artifact: " + human_size(bytes.size()) + " of " +
                         human_size(off + header + declared));
      }
      auto vh = msgpack::unpack(data, bytes.size(), off, reference, nullptr, unpack_limits(bytes.size()));
      const auto& v = vh.get();
      if (key == "magic" && v.type == msgpack::type::STR) magic = v.as<std::string>();
      else if (key == "kind" && v.type == msgpack::type::STR) kind = v.as<std::string>();
      else if (key == "version" && v.type == msgpack::type::POSITIVE_INTEGER) version = v.as<uint64_t>(), have_version = true;
      else if (key == "checksum" && v.type == msgpack::type::BIN) sum.assign(v.via.bin.ptr, v.via.bin.ptr + v.via.bin.size), have_sum = true;
      else if (key == "body" && v.type == msgpack::type::BIN)
        body = {reinterpret_cast<const uint8_t*>(v.via.bin.ptr), v.via.bin.size}, have_body = true;
      else if (f == 0 || magic != kMagic) throw BadInput("not a zkm31 artifact");
      else throw BadInput("malformed artifact: unexpected envelope field '" + key + "'");
    } catch (const msgpack::insufficient_bytes&) {
      if (magic != kMagic) throw BadInput("not a zkm31 artifact");
      throw BadInput("truncated artifact: " + human_size(bytes.size()) + " (envelope field '" + key + "' cut short)");
    } catch (const msgpack::unpack_error&) {
      throw BadInput("not a zkm31 artifact: undecodable msgpack");
    }
  }
  if (magic != kMagic) throw BadInput("not a zkm31 artifact");
  if (off != bytes.size()) throw BadInput("malformed artifact: " + std::to_string(bytes.size() - off) + " trailing bytes");
  if (kind.empty() || !have_version || !have_sum || !have_body) throw BadInput("malformed artifact: missing envelope field");
  if (!expected_kind.empty() && kind != expected_kind)
    throw BadInput("expected a " + std::string(expected_kind) + ", got a " + kind);
  if (version > max_version || version == 0)
    throw BadInput("unsupported version " + std::to_string(version) + " of " + kind + " (this build reads up to " +
                   std::to_string(max_version) + ")");
  auto expect = checksum(body);
  if (sum.size() != 16 || !std::equal(sum.begin(), sum.end(), expect.begin()))
    throw BadInput("checksum mismatch: the " + kind + " artifact is corrupted");
  return {kind, static_cast<uint32_t>(version), body};
}

Envelope unwrap(std::span<const uint8_t> bytes, std::string_view expected_kind, uint32_t max_version) {
  const EnvelopeView v = unwrap_view(bytes, expected_kind, max_version);
  return {v.kind, v.version, {v.body.begin(), v.body.end()}};
}

namespace {

nlohmann::json object_to_json(const msgpack::object& o, bool full) {
  using msgpack::type::object_type;
  switch (o.type) {
    case object_type::NIL: return nullptr;
    case object_type::BOOLEAN: return o.via.boolean;
    case object_type::POSITIVE_INTEGER: return o.via.u64;
    case object_type::NEGATIVE_INTEGER: return o.via.i64;
    case object_type::FLOAT32:
    case object_type::FLOAT64: return o.via.f64;
    case object_type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case object_type::BIN: {
      std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size);
      if (full || b.size() <= 32) return nlohmann::json{{"bytes", b.size()}, {"hex", hex(b)}};
      return nlohmann::json{{"bytes", b.size()}, {"hex_prefix", hex(b.first(32))}};
    }
    case object_type::ARRAY: {
      auto arr = nlohmann::json::array();
      for (uint32_t i = 0; i < o.via.array.size; ++i) arr.push_back(object_to_json(o.via.array.ptr[i], full));
      return arr;
    }
    case object_type::MAP: {
      auto obj = nlohmann::json::object();
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& k = o.via.map.ptr[i].key;
        std::string key = k.type == object_type::STR ? std::string(k.via.str.ptr, k.via.str.size)
                                                     : object_to_json(k, full).dump();
        obj[key] = object_to_json(o.via.map.ptr[i].val, full);
      }
      return obj;
    }
    default: return "<ext>";
  }
}

}  // namespace

std::string to_json(std::span<const uint8_t> bytes, bool full, int indent) {
  Envelope env = unwrap(bytes, "", UINT32_MAX);
  auto handle = parse_body(env.body, env.kind + " body");
  auto sum = checksum(env.body);
  nlohmann::json j = {{"magic", kMagic},
                      {"kind", env.kind},
                      {"version", env.version},
                      {"checksum", hex(sum)},
                      {"body_bytes", env.body.size()},
                      {"body", object_to_json(handle.get(), full)}};
  return j.dump(indent);
}

}  // namespace zkm31::artifact
