#include "air/fibonacci.hpp"

namespace zkm31::air {

Columns Fibonacci::trace(unsigned log_size, M31 a0, M31 b0) {
  const size_t n = size_t(1) << log_size;
  Columns cols(2, std::vector<M31>(n));
  for (size_t i = 0; i < n; ++i) {
    cols[0][i] = a0, cols[1][i] = b0;
    const M31 next = a0 + b0;
    a0 = b0, b0 = next;
  }
  return cols;
}

}  // namespace zkm31::air
