#pragma once
// Parameters and round constants of Poseidon2 over M31 with width 16, exactly Plonky3's
// default_mersenne31_poseidon2_16 (../shared/reference/poseidon2_m31_w16.json): S-box x^5,
// 4 full + 14 partial + 4 full rounds, an initial external linear layer.
#include <cstddef>
#include <cstdint>

namespace zkm31::poseidon2 {

inline constexpr size_t kWidth = 16;
inline constexpr size_t kHalfFullRounds = 4;
inline constexpr size_t kPartialRounds = 14;
inline constexpr size_t kRounds = 2 * kHalfFullRounds + kPartialRounds;

extern const uint32_t kExternalInitial[kHalfFullRounds][kWidth];
extern const uint32_t kInternal[kPartialRounds];
extern const uint32_t kExternalFinal[kHalfFullRounds][kWidth];

// The internal layer M_I = J + diag(V): V[0] = −2, V[i] = 2^kInternalShifts[i−1] for i ≥ 1.
inline constexpr int kInternalShifts[kWidth - 1] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16};

}  // namespace zkm31::poseidon2
