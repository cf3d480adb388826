// A SafeTensors file: the header's checks, then every tensor converted to float (at most 4096
// elements each, so a valid huge tensor does not turn into a slow input).
#include <algorithm>

#include "error/error.hpp"
#include "safetensors/safetensors.hpp"

using namespace zkm31;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> file(data, size);
  try {
    const auto h = safetensors::parse_header(file, "fuzz.safetensors");
    std::vector<float> out;
    for (const auto& t : h.tensors) {
      out.resize(std::min<uint64_t>(t.numel, 4096));
      const size_t unit = safetensors::dtype_size(t.dtype);
      safetensors::to_float(t.dtype, file.subspan(h.data_start + t.begin, out.size() * unit), out);
    }
  } catch (const BadInput&) {
  }
  return 0;
}
