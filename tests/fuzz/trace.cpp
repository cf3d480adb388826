// Trace artifacts (graph-forward's output, gkr-prove's input) through model::read_trace, checksum resealed.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "model/trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    (void)zkm31::model::read_trace(bytes);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
