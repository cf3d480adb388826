// The artifact envelope: magic, kind, version, checksum, then the JSON view of any body.
#include "artifact/artifact.hpp"
#include "error/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  try {
    const auto env = zkm31::artifact::unwrap(bytes, "", UINT32_MAX);
    (void)zkm31::artifact::unwrap_view(bytes, env.kind, env.version);
    (void)zkm31::artifact::to_json(bytes, true);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
