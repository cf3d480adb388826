#pragma once
// Starknet's Pedersen hash over the Stark curve and compute_hash_on_elements (starknet.js
// computeHashOnElements: fold [0, a…, len] with pedersen).
#include <span>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

// x of shift + a_low·P0 + a_high·P1 + b_low·P2 + b_high·P3 (low = 248 bits, high = top 4 bits).
Felt pedersen_hash(const Felt& a, const Felt& b);
Felt compute_hash_on_elements(std::span<const Felt> values);

}  // namespace zkm31::starknet
