#pragma once
// The pool's append-only Merkle tree of note commitments: depth 20 (2^20 notes), 2-to-1 Poseidon2
// compression with the kMerkleNode tag, empty leaves all-zero digests. Every node over appended
// leaves is kept (levels_[d][i] covers leaves [i·2^d, (i+1)·2^d)), so an append updates the path
// above the new leaf only (O(depth) compressions; the rightmost nodes are the frontier) and any
// leaf's membership path is read off directly.
#include <array>
#include <cstdint>
#include <vector>

#include "vm31/note.hpp"

namespace zkm31::vm31 {

inline constexpr size_t kTreeDepth = 20;
inline constexpr uint64_t kTreeCapacity = uint64_t(1) << kTreeDepth;

struct MembershipPath {
  uint64_t index = 0;                          // leaf position; bit d says whether the node at level d is a right child
  std::array<Digest, kTreeDepth> siblings{};  // bottom-up
};

class CommitmentTree {
 public:
  CommitmentTree();
  // Returns the new leaf's index; BadInput when the tree is full.
  uint64_t append(const Digest& leaf);
  uint64_t size() const { return levels_[0].size(); }
  Digest root() const;
  const Digest& leaf(uint64_t index) const;  // BadInput beyond size()
  MembershipPath path(uint64_t index) const;  // BadInput beyond size()

 private:
  Digest node(size_t level, uint64_t index) const;  // an absent node is the empty subtree's digest
  std::array<std::vector<Digest>, kTreeDepth + 1> levels_;
};

// The root a leaf and its path lead to (what the circuit recomputes).
Digest root_from_path(const Digest& leaf, const MembershipPath& path);
// The digest of an empty subtree of the given height (height 0 = the empty leaf).
const Digest& empty_subtree(size_t height);

}  // namespace zkm31::vm31
