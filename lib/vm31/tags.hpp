#pragma once
// The domain tag of every Poseidon2 hash VM31 computes: no two purposes share a tag, so a digest
// of one kind can never be passed off as another (a commitment as a nullifier, a leaf as a node).
#include "field/m31.hpp"

namespace zkm31::vm31::tag {

inline constexpr M31 kPublicKey{0x76310001};
inline constexpr M31 kViewingKey{0x76310002};
inline constexpr M31 kNullifierKey{0x76310003};
inline constexpr M31 kCommitment{0x76310004};
inline constexpr M31 kNullifier{0x76310005};
inline constexpr M31 kMerkleNode{0x76310006};
inline constexpr M31 kMemo{0x76310007};
inline constexpr M31 kDepositBatch{0x76310008};

}  // namespace zkm31::vm31::tag
