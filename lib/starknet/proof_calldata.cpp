#include "starknet/proof_calldata.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "starknet/encoding.hpp"
#include "starknet/keccak.hpp"
#include "starknet/poseidon.hpp"

namespace zkm31::starknet {

namespace {
constexpr int kMaxDepth = 64;

Felt key_felt(std::string_view k) {
  const bool ascii = std::all_of(k.begin(), k.end(), [](unsigned char c) { return c < 0x80; });
  if (k.size() <= 31 && ascii) return short_string(k);
  return sn_keccak({reinterpret_cast<const uint8_t*>(k.data()), k.size()});
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void encode_bin(std::span<const uint8_t> b, std::string_view key, const std::string& where, std::vector<Felt>& out) {
  if (is_digest_key(key)) {
    if (b.size() % 32) throw BadInput(where + ": " + std::to_string(b.size()) + " bytes is not a whole number of 32-byte digests");
    out.push_back(Felt::from_u64(b.size() / 32));
    for (size_t off = 0; off < b.size(); off += 16) out.push_back(Felt::from_u256(U256::from_be_bytes(b.subspan(off, 16))));
    return;
  }
  if (b.size() % 4 == 0 && !is_bytes_key(key)) {
    const size_t n = b.size() / 4;
    out.push_back(Felt::from_u64(n));
    for (size_t g = 0; g < n; g += 8) {
      U256 acc;
      for (size_t i = g; i < std::min(n, g + 8); ++i) {
        uint32_t w;
        std::memcpy(&w, b.data() + 4 * i, 4);  // little-endian host (x86-64)
        if (w >> 31) throw BadInput(where + ": word " + std::to_string(i) + " = " + std::to_string(w) + " does not fit in 31 bits (not M31 data)");
        const U256 shifted = shl(U256(w), 31 * (unsigned)(i - g));
        add_to(acc, shifted);
      }
      out.push_back(Felt::from_u256(acc));
    }
    return;
  }
  out.push_back(Felt::from_u64(b.size()));
  for (size_t off = 0; off < b.size(); off += 31)
    out.push_back(Felt::from_u256(U256::from_be_bytes(b.subspan(off, std::min<size_t>(31, b.size() - off)))));
}

// `key`: the nearest enclosing map key (array items inherit it), which types bins as digests.
void encode(const msgpack::object& o, std::string_view key, const std::string& where, int depth, std::vector<Felt>& out) {
  if (depth > kMaxDepth) throw BadInput(where + ": nested more than " + std::to_string(kMaxDepth) + " levels");
  switch (o.type) {
    case msgpack::type::NIL: out.push_back(Felt::zero()); return;
    case msgpack::type::BOOLEAN: out.push_back(Felt::from_u64(o.via.boolean ? 1 : 0)); return;
    case msgpack::type::POSITIVE_INTEGER: out.push_back(Felt::from_u64(o.via.u64)); return;
    case msgpack::type::NEGATIVE_INTEGER: {
      // −v as P − |v|; |INT64_MIN| fits in u64
      const uint64_t mag = o.via.i64 == std::numeric_limits<int64_t>::min() ? (1ull << 63) : (uint64_t)(-o.via.i64);
      out.push_back(-Felt::from_u64(mag));
      return;
    }
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: {
      uint64_t bits;
      std::memcpy(&bits, &o.via.f64, 8);
      out.push_back(Felt::from_u64(bits));
      return;
    }
    case msgpack::type::STR: {
      for (const Felt& f : byte_array({o.via.str.ptr, o.via.str.size})) out.push_back(f);
      return;
    }
    case msgpack::type::BIN:
      encode_bin({reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size}, key, where, out);
      return;
    case msgpack::type::ARRAY:
      out.push_back(Felt::from_u64(o.via.array.size));
      for (uint32_t i = 0; i < o.via.array.size; ++i) encode(o.via.array.ptr[i], key, where + "[" + std::to_string(i) + "]", depth + 1, out);
      return;
    case msgpack::type::MAP: {
      std::vector<std::pair<std::string_view, const msgpack::object*>> entries;
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) throw BadInput(where + ": map key #" + std::to_string(i) + " is not a string");
        entries.emplace_back(std::string_view(kv.key.via.str.ptr, kv.key.via.str.size), &kv.val);
      }
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 1; i < entries.size(); ++i)
        if (entries[i].first == entries[i - 1].first) throw BadInput(where + ": duplicate key '" + std::string(entries[i].first) + "'");
      out.push_back(Felt::from_u64(entries.size()));
      for (const auto& [k, v] : entries) {
        out.push_back(key_felt(k));
        encode(*v, k, where + "." + std::string(k), depth + 1, out);
      }
      return;
    }
    default: throw BadInput(where + ": unsupported msgpack type (ext)");
  }
}

std::vector<uint32_t> io_field(const artifact::MapView& body, const char* primary, const char* alt) {
  const char* key = body.has(primary) ? primary : body.has(alt) ? alt : nullptr;
  if (!key)
    throw BadInput(std::string("proof body has no public IO field: expected a bin '") + primary + "' or '" + alt + "'");
  std::vector<uint32_t> out;
  for (const M31& v : body.m31s(key)) out.push_back(v.v);
  return out;
}
}  // namespace

bool is_bytes_key(std::string_view key) { return key == "graph" || ends_with(key, "_certificate"); }

bool is_digest_key(std::string_view key) {
  for (std::string_view exact : {"digest", "commitment", "root", "roots", "paths"})
    if (key == exact) return true;
  for (std::string_view suffix : {"_digest", "_digests", "_commitment", "_commitments", "_root", "_roots"})
    if (ends_with(key, suffix)) return true;
  return false;
}

std::vector<Felt> encode_body(std::span<const uint8_t> body) {
  auto handle = artifact::parse_body(body, "proof body");
  if (handle.get().type != msgpack::type::MAP) throw BadInput("proof body is not a msgpack map");
  std::vector<Felt> out;
  encode(handle.get(), "", "body", 0, out);
  return out;
}

Felt io_commitment(std::span<const uint8_t> body) {
  auto handle = artifact::parse_body(body, "proof body");
  const artifact::MapView view(handle.get(), "proof body");
  return io_commitment(io_field(view, "public_input", "input"), io_field(view, "public_output", "output"));
}

Felt io_commitment(std::span<const uint32_t> in, std::span<const uint32_t> out) {
  std::vector<Felt> felts{Felt::from_u64(in.size())};
  for (uint32_t v : in) felts.push_back(Felt::from_u64(v));
  felts.push_back(Felt::from_u64(out.size()));
  for (uint32_t v : out) felts.push_back(Felt::from_u64(v));
  return poseidon_hash_many(felts);
}

ProofCalldata proof_calldata(std::span<const uint8_t> bytes) {
  const artifact::EnvelopeView env = artifact::unwrap_view(bytes, "", std::numeric_limits<uint32_t>::max());
  if (env.kind != "proof" && env.kind != "stark-proof")
    throw BadInput("calldata: expected a proof or stark-proof artifact, got a '" + env.kind + "'");
  ProofCalldata out;
  out.io_commitment = io_commitment(env.body);
  out.felts.push_back(out.io_commitment);
  out.felts.push_back(Felt::from_u64(env.version));
  const auto body = encode_body(env.body);
  out.felts.insert(out.felts.end(), body.begin(), body.end());
  return out;
}

}  // namespace zkm31::starknet
