#pragma once
// The 16×4096×4096 int8 Linear that the forward and proving workloads share.
#include <cstdint>
#include <vector>

#include "model/graph.hpp"

namespace zkm31::bench {

inline constexpr int64_t kRows = 16, kInner = 4096, kCols = 4096;

struct LinearLayer {
  model::Graph graph;      // x [kRows, kInner] · W [kInner, kCols] → exact accumulators, validated
  std::vector<int32_t> x;  // an int8-range input
};

// Random int8 weights and input from `seed`.
LinearLayer linear_layer(uint32_t seed);

}  // namespace zkm31::bench
