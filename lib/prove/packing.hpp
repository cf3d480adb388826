#pragma once
// One commitment for many vectors: they are concatenated at aligned power-of-two offsets (largest
// first, each padded to a power of two), so a sub-vector of 2^k entries at offset o·2^k satisfies
//   MLE_sub(r) = MLE_big(r ++ bits(o))      (bits of o over the top n − k coordinates, LSB first).
// Every claim on a member becomes a claim on the one big vector, and all of them are discharged by a
// single batched PCS opening. The weight commitment packs the weights and biases; the per-proof
// trace commitment packs the committed activations, requant auxiliaries and multiplicities; the
// weight certificate's commitment packs the weights' bound limbs and its own multiplicities.
//
// A set of vectors larger than one commitment takes is split into chunks (Chunks below), one
// commitment each: a claim on a member is discharged by an opening of its own chunk.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gkr/circuit.hpp"
#include "gkr/ledger.hpp"
#include "gkr/merge.hpp"
#include "gkr/witness.hpp"

namespace zkm31::prove {

struct Packing {
  std::vector<uint32_t> vecs;    // circuit vec ids, in placement order
  std::vector<size_t> offsets;   // start of each member
  unsigned log_size = 0;         // the big vector has 2^log_size entries

  static Packing of(const gkr::Circuit& c, std::span<const uint32_t> members);
  // The big vector from the members' padded values (index = vec id).
  std::vector<M31> pack(const std::vector<std::vector<M31>>& values) const;
  // The same, freeing each member's values in the witness once copied (place() then points it into
  // the big vector's new home): a large set of vectors is not held twice.
  std::vector<M31> pack_out(gkr::Witness& w) const;
  // Lends the members' witness values to `big` (their packed vector, inside its commitment): the
  // witness then reads them there and no longer holds a copy.
  void lend(gkr::Witness& w, std::span<const M31> big) const;
  // The big vector of weight members straight from g, whose weight data is freed as it is written, and
  // the members' places in it for a witness that never held them.
  std::vector<M31> drain_weights(const gkr::Circuit& c, model::Graph& g) const;
  void place(const gkr::Circuit& c, gkr::Witness& w, std::span<const M31> big) const;
  // The point on the big vector of a claim on member vec at `point`.
  std::vector<QM31> lift(uint32_t vec, std::span<const QM31> point) const;
};

// Members split into commitments of at most 2^max_log entries each, a chunk filled until the next
// member would overflow it; the members taken largest first (Packing's order: sizes are powers of two,
// so every chunk but the last is full) or in the given order (each chunk then at least 2^max_log minus
// its largest member full). A member above 2^max_log is refused (NotSupported, naming `what`).
// No members: one empty chunk (a commitment of zeros, as before chunking).
enum class ChunkOrder { LargestFirst, Given };
struct Chunks {
  std::vector<Packing> parts;
  static Chunks of(const gkr::Circuit& c, std::span<const uint32_t> members, unsigned max_log, const std::string& what,
                   ChunkOrder order = ChunkOrder::LargestFirst);
  std::vector<unsigned> log_sizes() const;
};

using BigClaim = gkr::MergeClaim;  // a claim lifted to the big vector, with its member's slot

// Consumes every pending ledger claim on the packing's members and returns them lifted to the big
// vector, in ledger order.
std::vector<BigClaim> take_claims(gkr::Ledger& ledger, const Packing& p, const std::string& by);

}  // namespace zkm31::prove
