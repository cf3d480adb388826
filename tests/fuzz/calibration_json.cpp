// onnx2graph's --calibrate JSON.
#include <string>

#include "error/error.hpp"
#include "onnx/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)zkm31::onnx_import::parse_calibration_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
