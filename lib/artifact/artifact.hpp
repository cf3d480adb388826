#pragma once
// The artifact envelope of DESIGN.md §2: a msgpack map
//   {magic:"zkm31", kind, version, body: bin(msgpack body map), checksum: bin16(XXH3-128(body))}.
// The checksum guards against truncation and corruption only; soundness never relies on it.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zkm31::artifact {

inline constexpr std::string_view kMagic = "zkm31";

struct Envelope {
  std::string kind;
  uint32_t version = 0;
  std::vector<uint8_t> body;  // msgpack-encoded body map
};

// Wraps an encoded body into an envelope.
std::vector<uint8_t> wrap(std::string_view kind, uint32_t version, std::span<const uint8_t> body);
// The envelope's bytes up to the body's: head + body = wrap(kind, version, body), written as two pieces
// so that a large body is never copied into its envelope.
std::vector<uint8_t> envelope_head(std::string_view kind, uint32_t version, std::span<const uint8_t> body);

// Checks magic → kind → version → checksum, in that order, and throws BadInput naming the
// first problem. An empty expected_kind accepts any kind. Versions above max_version are refused.
Envelope unwrap(std::span<const uint8_t> bytes, std::string_view expected_kind, uint32_t max_version);
// The same without copying the body: it points into `bytes` (for large artifacts read once).
struct EnvelopeView {
  std::string kind;
  uint32_t version = 0;
  std::span<const uint8_t> body;
};
EnvelopeView unwrap_view(std::span<const uint8_t> bytes, std::string_view expected_kind, uint32_t max_version);

// XXH3-128 of the bytes, big-endian (XXH128_canonical_t) as in the envelope.
std::array<uint8_t, 16> checksum(std::span<const uint8_t> bytes);

// A JSON view of any artifact: envelope fields plus the decoded body. Binary fields are shown
// by size and a hex prefix unless `full` is set.
std::string to_json(std::span<const uint8_t> bytes, bool full, int indent = 2);

std::string hex(std::span<const uint8_t> bytes);

}  // namespace zkm31::artifact
