#pragma once
// BLAKE2s vector commitment over 2^k rows of M31 values, with batched multi-openings.
//
// leaf(row)   = BLAKE2s-256 personalized "zkm31/lf" of the row's values as little-endian u32
// node(l, r)  = BLAKE2s-256 personalized "zkm31/nd" of l || r (64 bytes: exactly one compression)
// The personalization field of the BLAKE2s parameter block is the domain tag, so leaves and nodes
// can never be confused and a node costs one compression. Row i is leaf i; node k of a layer has
// children 2k and 2k+1 of the layer below.
//
// A multi-opening sends, layer by layer from the leaves up and by increasing node index within a
// layer, the sibling of every node on the opened paths that the verifier cannot compute itself.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "field/field.hpp"
#include "hash/blake2s.hpp"

namespace zkm31::merkle {

using hash::Digest;

struct Decommitment {
  std::vector<Digest> siblings;  // only hashes the verifier cannot recompute, canonical order
};

Digest hash_leaf(std::span<const M31> row);
Digest hash_node(const Digest& left, const Digest& right);

class Tree {
 public:
  // rows.size() = n_rows·row_len with n_rows a power of two and row_len ≥ 1, else BadInput.
  Tree(std::span<const M31> rows, size_t row_len);
  // Takes the rows over without copying them (same commitment as the span constructor).
  Tree(std::vector<M31>&& rows, size_t row_len);
  // Rows that are cosets of a natural-order vector: row j = (values[j + t·n_rows])_{t < row_len} (a
  // folded codeword's rows), taken over as they are — the same commitment as the row-major copy.
  static Tree of_cosets(std::vector<M31>&& values, size_t row_len);
  // The same over values held elsewhere (e.g. a mapped cache file) and used in place; `owner` keeps
  // them alive for the tree's lifetime.
  static Tree of_cosets(std::span<const M31> values, size_t row_len, std::shared_ptr<const void> owner);
  // The same from kept_layers() of that tree, hashing nothing: the caller vouches that the digests
  // belong to these values (the model cache checks a checksum of both). BadInput if the digest count
  // does not fit the shape.
  static Tree of_cosets(std::span<const M31> values, size_t row_len, std::shared_ptr<const void> owner,
                        std::span<const Digest> kept);
  // Rows of QM31 values, each committed as its 4 limbs [a, b, c, d]: row_len() = 4·qm31_per_row.
  Tree(std::span<const QM31> rows, size_t qm31_per_row);

  const Digest& root() const { return layers_.back()[0]; }
  size_t n_rows() const { return size_t(1) << log_rows_; }
  unsigned log_rows() const { return log_rows_; }
  size_t row_len() const { return row_len_; }

  // Proof for the sorted unique set of indices (any order, duplicates allowed; each < n_rows,
  // at least one, else BadInput).
  Decommitment open(std::span<const size_t> indices) const;
  // The committed values of row i (the tree keeps a copy of its values, or the values moved in).
  std::vector<M31> row(size_t i) const;
  // The values as given: rows concatenated, or the natural-order vector for of_cosets.
  std::span<const M31> values() const { return {rows_, n_rows() * row_len_}; }
  // The layers the tree keeps (all but the lowest few, which openings recompute), concatenated from
  // the lowest up to the root.
  std::vector<Digest> kept_layers() const;

 private:
  Tree() = default;
  // Sets row_len_, log_rows_ and stored_from_ (BadInput unless a power-of-two count of whole rows).
  void set_shape(size_t n_values, size_t row_len);
  // Checks the shape and hashes everything, copying `rows` into copied_rows_ if asked.
  void build(std::span<const M31> rows, size_t row_len, bool copy);
  // Writes rows [first, first + count) into out (row-major).
  void gather(size_t first, size_t count, uint32_t* out) const;
  // Digest of node k of `layer` (0 = leaves): stored, or recomputed from the rows below the
  // lowest stored layer.
  Digest node(unsigned layer, size_t k) const;

  size_t row_len_ = 0;
  unsigned log_rows_ = 0;
  bool cosets_ = false;  // rows_ holds a natural-order vector whose cosets are the rows
  // Layers below stored_from_ are not kept: they are cheap to recompute from the rows for the few
  // opened paths, and not writing them makes building much faster (memory, not hashing, dominates).
  unsigned stored_from_ = 0;
  std::vector<M31> owned_rows_;              // rows moved in, or
  std::unique_ptr<uint32_t[]> copied_rows_;  // a copy of the rows' words (raw: M31() would zero it), or
  std::shared_ptr<const void> borrowed_;     // the owner of values used in place
  const M31* rows_ = nullptr;                // whichever of the three holds them
  std::vector<std::unique_ptr<Digest[]>> layers_;  // layers_[j] = layer stored_from_ + j; last = {root}
};

// rows: the values of the sorted unique indices, concatenated (row_len each). Throws
// zkm31::Rejected("merkle", ...) on any mismatch: index ≥ 2^log_rows, no index, wrong lengths,
// wrong sibling count, tampered leaf or sibling, wrong root.
void verify(const Digest& root, unsigned log_rows, size_t row_len, std::span<const size_t> indices,
            std::span<const M31> rows, const Decommitment& proof);
// QM31 rows, committed as by Tree(span<const QM31>, qm31_per_row).
void verify(const Digest& root, unsigned log_rows, size_t qm31_per_row, std::span<const size_t> indices,
            std::span<const QM31> rows, const Decommitment& proof);

}  // namespace zkm31::merkle
