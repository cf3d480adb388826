// air-trace artifacts through their reader and the witness check stark-prove runs first, checksum
// resealed: malformed or unsatisfied → BadInput, never anything else.
#include "air/eval.hpp"
#include "error/error.hpp"
#include "fuzz.hpp"
#include "stark/artifacts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    const zkm31::air::Instance in = zkm31::stark::read_air_trace(bytes);
    for (size_t c = 0; c < in.components.size(); ++c) zkm31::air::check_trace(*in.components[c], in.traces[c]);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
