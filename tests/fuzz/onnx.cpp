// onnx2graph's input: ONNX protobuf bytes through the loader and the importer (few calibration
// samples, so one input costs milliseconds rather than seconds).
#include "error/error.hpp"
#include "onnx/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zkm31::onnx_import::ImportOptions opt;
  opt.default_samples = 2;
  try {
    (void)zkm31::onnx_import::import_onnx({data, size}, opt);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
