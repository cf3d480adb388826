#pragma once
// Starknet Poseidon: the Hades permutation over felt252 (width 3, x³, 4 full + 83 partial + 4 full
// rounds, MDS [[3,1,1],[1,−1,1],[1,1,−2]]) and the hashes built on it, as in cairo-lang's
// poseidon_hash.py and starknet.js (see ../shared/reference/starknet.json).
#include <array>
#include <span>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

using PoseidonState = std::array<Felt, 3>;

// Round constant for round i, position j: int(sha256("Hades" + decimal(3i + j))) mod P, derived once.
const std::array<PoseidonState, 91>& poseidon_round_constants();

void hades_permutation(PoseidonState& s);

Felt poseidon_hash(const Felt& x, const Felt& y);  // permute([x, y, 2])[0]
Felt poseidon_hash_single(const Felt& x);          // permute([x, 0, 1])[0]
// Absorbs pairs after padding with 1 then 0s to even length; returns state[0].
Felt poseidon_hash_many(std::span<const Felt> values);
// Merkle root of one or more leaves: levels of poseidon_hash(left, right), an odd last node carried
// up unchanged, and the leaf count bound in: poseidon_hash(n, top). BadInput for no leaves.
Felt poseidon_merkle_root(std::span<const Felt> leaves);

}  // namespace zkm31::starknet
