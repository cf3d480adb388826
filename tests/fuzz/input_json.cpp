// graph-forward's --input JSON.
#include <string>

#include "error/error.hpp"
#include "model/forward.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)zkm31::model::parse_inputs_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
