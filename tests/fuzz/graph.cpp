// Graph artifacts (onnx2graph's output) through model::read_graph, checksum resealed.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "model/graph.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    const auto g = zkm31::model::read_graph(bytes);
    (void)zkm31::model::describe(g);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
