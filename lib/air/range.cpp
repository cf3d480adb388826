#include "air/range.hpp"

#include <string>

#include "error/error.hpp"

namespace zkm31::air {

Columns RangeCheck::trace(unsigned bits, std::span<const uint32_t> looked_up) {
  const size_t n = size_t(1) << bits;
  Columns cols(2, std::vector<M31>(n));
  std::vector<uint32_t> count(n);
  for (uint32_t v : looked_up) {
    if (v >= n) throw BadInput("range_check: value " + std::to_string(v) + " outside [0, 2^" + std::to_string(bits) + ")");
    ++count[v];
  }
  for (size_t i = 0; i < n; ++i) cols[0][i] = M31(uint32_t(i)), cols[1][i] = M31::from_u64(count[i]);
  return cols;
}

Columns Decompose31::trace(unsigned log_size, std::span<const M31> values) {
  const size_t n = size_t(1) << log_size;
  if (values.size() != n) throw BadInput("decompose31: " + std::to_string(values.size()) + " values for " + std::to_string(n) + " rows");
  Columns cols(3, std::vector<M31>(n));
  for (size_t i = 0; i < n; ++i) {
    cols[0][i] = values[i];
    cols[1][i] = M31(values[i].v & 0xffffu);
    cols[2][i] = M31(values[i].v >> 16);
  }
  return cols;
}

std::vector<uint32_t> Decompose31::looked_up(const Columns& trace) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < trace[0].size(); ++i) out.push_back(trace[1][i].v), out.push_back(2 * trace[2][i].v);
  return out;
}

}  // namespace zkm31::air
