#pragma once
// Shared by the libFuzzer harnesses (built with -DZKM31_FUZZ=ON, run by `make fuzz`). A harness
// returns normally when the reader accepts the input or refuses it the way the tools do (BadInput:
// exit 2; Rejected: exit 1); anything else escapes to libFuzzer as a crash, as do sanitizer reports.
#include <cstdint>
#include <msgpack.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"

namespace zkm31::fuzz {

// The input with its envelope checksum made right again, so that mutations of an artifact's body
// reach the body's reader instead of stopping at the checksum (the envelope harness fuzzes that).
// Bytes that are no envelope are returned as they are.
inline std::vector<uint8_t> resealed(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> same(bytes.begin(), bytes.end());
  try {
    size_t off = 0;
    const auto h = msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), off, nullptr, nullptr,
                                   artifact::unpack_limits(bytes.size()));
    const msgpack::object& o = h.get();
    if (o.type != msgpack::type::MAP) return same;
    std::string_view kind;
    uint64_t version = 0;
    std::span<const uint8_t> body;
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      const auto& [k, v] = o.via.map.ptr[i];
      if (k.type != msgpack::type::STR) continue;
      const std::string_view key(k.via.str.ptr, k.via.str.size);
      if (key == "kind" && v.type == msgpack::type::STR) kind = {v.via.str.ptr, v.via.str.size};
      if (key == "version" && v.type == msgpack::type::POSITIVE_INTEGER) version = v.via.u64;
      if (key == "body" && v.type == msgpack::type::BIN) body = {reinterpret_cast<const uint8_t*>(v.via.bin.ptr), v.via.bin.size};
    }
    if (kind.empty() || version > UINT32_MAX) return same;
    return artifact::wrap(kind, uint32_t(version), body);
  } catch (const std::exception&) {
    return same;  // not msgpack: the reader sees it as it is
  }
}

}  // namespace zkm31::fuzz
