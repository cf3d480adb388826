#include "vm31/tree.hpp"

#include <string>

#include "error/error.hpp"
#include "vm31/tags.hpp"

namespace zkm31::vm31 {
namespace {

const poseidon2::Compression& node_hash() {
  static const poseidon2::Compression c(tag::kMerkleNode);
  return c;
}

}  // namespace

const Digest& empty_subtree(size_t height) {
  static const auto empty = [] {
    std::array<Digest, kTreeDepth + 1> e{};
    for (size_t h = 1; h <= kTreeDepth; ++h) e[h] = node_hash()(e[h - 1], e[h - 1]);
    return e;
  }();
  return empty.at(height);
}

CommitmentTree::CommitmentTree() = default;

Digest CommitmentTree::node(size_t level, uint64_t index) const {
  return index < levels_[level].size() ? levels_[level][index] : empty_subtree(level);
}

uint64_t CommitmentTree::append(const Digest& leaf) {
  const uint64_t index = size();
  if (index >= kTreeCapacity) throw BadInput("the commitment tree is full (2^20 notes)");
  levels_[0].push_back(leaf);
  uint64_t i = index;
  for (size_t d = 1; d <= kTreeDepth; ++d) {
    i >>= 1;
    Digest parent = node_hash()(node(d - 1, 2 * i), node(d - 1, 2 * i + 1));
    if (i < levels_[d].size())
      levels_[d][i] = parent;
    else
      levels_[d].push_back(parent);
  }
  return index;
}

Digest CommitmentTree::root() const { return node(kTreeDepth, 0); }

const Digest& CommitmentTree::leaf(uint64_t index) const {
  if (index >= size()) throw BadInput("leaf " + std::to_string(index) + " is beyond the tree's " + std::to_string(size()) + " leaves");
  return levels_[0][index];
}

MembershipPath CommitmentTree::path(uint64_t index) const {
  leaf(index);
  MembershipPath p;
  p.index = index;
  for (size_t d = 0; d < kTreeDepth; ++d) p.siblings[d] = node(d, (index >> d) ^ 1);
  return p;
}

Digest root_from_path(const Digest& leaf, const MembershipPath& path) {
  if (path.index >= kTreeCapacity) throw BadInput("membership path index " + std::to_string(path.index) + " is beyond 2^20");
  Digest acc = leaf;
  for (size_t d = 0; d < kTreeDepth; ++d)
    acc = (path.index >> d) & 1 ? node_hash()(path.siblings[d], acc) : node_hash()(acc, path.siblings[d]);
  return acc;
}

}  // namespace zkm31::vm31
