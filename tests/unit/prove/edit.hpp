#pragma once
// Shared by the proof, chunk and certificate tests: a fast proving config, a verifier without a
// security floor, a check that a proof is rejected, and re-encoded edits of artifacts (one body field replaced, checksum fixed: what a forger
// can always do).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "prove/proof.hpp"

namespace zkm31::test {

// A fast config for tests: few queries, no grinding (the floor is lowered to match).
inline prove::Options fast() {
  prove::Options o;
  o.pcs.queries = 12;
  o.pcs.pow_bits = 0;
  return o;
}

inline prove::VerifyOptions lenient() {
  prove::VerifyOptions v;
  v.floor_bits = 0;
  return v;
}

inline void expect_rejected(const std::vector<uint8_t>& proof, const std::string& what) {
  try {
    prove::verify(proof, lenient());
    ADD_FAILURE() << what << ": accepted";
  } catch (const Rejected&) {
  }
}

// The artifact with one body field replaced by `value` (packed by the callback), checksum fixed.
inline std::vector<uint8_t> with_field(const std::vector<uint8_t>& bytes, std::string_view key,
                                       const std::function<void(artifact::BodyWriter&)>& value,
                                       std::string_view kind = "proof", uint32_t version = prove::kProofVersion) {
  auto env = artifact::unwrap(bytes, kind, version);
  auto h = artifact::parse_body(env.body, kind);
  const msgpack::object& o = h.get();
  artifact::BodyWriter w(o.via.map.size);
  for (uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    w.pk.pack(kv.key);
    if (std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key) value(w);
    else w.pk.pack(kv.val);
  }
  return artifact::wrap(kind, version, w.bytes());
}

inline std::vector<uint8_t> field_bytes(const std::vector<uint8_t>& bytes, std::string_view key,
                                        std::string_view kind = "proof", uint32_t version = prove::kProofVersion) {
  auto env = artifact::unwrap(bytes, kind, version);
  auto h = artifact::parse_body(env.body, kind);
  artifact::MapView m(h.get(), std::string(kind));
  auto b = m.bin(key);
  return {b.begin(), b.end()};
}

}  // namespace zkm31::test
