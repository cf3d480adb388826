#pragma once
// Hashing with the Poseidon2-M31 permutation: a sponge (rate 8, capacity 8) for messages of any
// length and a 2-to-1 compression for Merkle trees. Both take a domain tag: the same input under
// two tags gives unrelated digests. Digests are 8 elements (248 bits, ≈ 124-bit collision security).
#include <array>
#include <span>

#include "poseidon2/permutation.hpp"

namespace zkm31::poseidon2 {

inline constexpr size_t kRate = 8;
using Digest = std::array<M31, kRate>;

// Sponge in overwrite mode. The capacity starts as (tag, length, 0, …, 0), so messages of different
// lengths or tags never share a state, and the last block is zero-padded without ambiguity. The
// message is absorbed 8 elements per permutation (at least one permutation, even when empty);
// the digest is the rate part of the final state. Length must be below p (BadInput otherwise).
Digest hash(M31 tag, std::span<const M31> message);

// Two digests into one with a single permutation: the rate part of P(left ‖ right), plus the tag's
// offset hash(tag, {}). Left and right fill the whole state, so the tag cannot go into it; a
// collision across two tags would need P-outputs that differ by a fixed random offset, as hard as
// a collision.
class Compression {
 public:
  explicit Compression(M31 tag);
  Digest operator()(const Digest& left, const Digest& right) const;
  // The constant added to the permutation's output (the AIR adds it as a constant).
  const Digest& offset() const { return offset_; }

 private:
  Digest offset_;
};

// One-off compression; a Compression object computes the tag's offset once.
Digest compress(M31 tag, const Digest& left, const Digest& right);

}  // namespace zkm31::poseidon2
