#include "air/poseidon2.hpp"

#include <string>

#include "error/error.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::air {

Columns Poseidon2::trace(unsigned log_size, std::span<const poseidon2::State> inputs,
                         std::span<const uint32_t> multiplicity) {
  const size_t n = size_t(1) << log_size;
  if (inputs.size() != n) throw BadInput("poseidon2: " + std::to_string(inputs.size()) + " inputs for " + std::to_string(n) + " rows");
  if (!multiplicity.empty() && multiplicity.size() != n) throw BadInput("poseidon2: one multiplicity per row");
  Columns cols(kColumns, std::vector<M31>(n));
  parallel::for_range(n, 256, [&](size_t b, size_t e) {
    for (size_t row = b; row < e; ++row) {
      const poseidon2::RoundStates rs = poseidon2::round_states(inputs[row]);
      size_t col = 0;
      for (size_t i = 0; i < kW; ++i) cols[col++][row] = inputs[row][i];
      // rs[r + 1] is the state after round r; full rounds are r < 4 and r ≥ 18.
      auto full = [&](size_t r) {
        for (size_t i = 0; i < kW; ++i) cols[col++][row] = rs[r + 1][i];
      };
      for (size_t r = 0; r < poseidon2::kHalfFullRounds; ++r) full(r);
      for (size_t k = 0; k < kPartial; ++k)
        cols[col++][row] = poseidon2::sbox(rs[poseidon2::kHalfFullRounds + k][0] + M31(poseidon2::kInternal[k]));
      for (size_t r = poseidon2::kHalfFullRounds + kPartial; r < poseidon2::kRounds; ++r) full(r);
      cols[col][row] = multiplicity.empty() ? M31() : M31::from_u64(multiplicity[row]);
    }
  });
  return cols;
}

}  // namespace zkm31::air
