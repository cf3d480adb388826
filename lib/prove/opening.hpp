#pragma once
// Discharging a ledger's claims on one commitment by PCS openings, and the body encoding the proof
// and the weight certificate share. More claims than one opening takes are first batched into a single
// claim by a sumcheck whose messages go into the stream; the claims left are opened in chunks of at
// most kMaxClaimsPerOpening.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "artifact/body.hpp"
#include "gkr/circuit.hpp"
#include "gkr/ledger.hpp"
#include "gkr/side.hpp"
#include "pcs/pcs.hpp"
#include "prove/packing.hpp"
#include "prove/security.hpp"

namespace zkm31::prove {

inline constexpr size_t kMaxClaimsPerOpening = 64;

// Σ_x (Σ_i λ_i eq(r_i, x))·f(x) = Σ_i λ_i v_i (degree 2) when there are more claims than one opening
// takes; big is the committed vector of 2^n entries (prover only, empty when verifying).
std::vector<BigClaim> batch_claims(gkr::Side& side, const std::string& label, std::vector<BigClaim> claims,
                                   unsigned n, std::span<const M31> big);

// Prover: the openings of `claims` (batched first when needed) against `committed`, on side's channel.
std::vector<pcs::OpeningProof> open_claims(gkr::Side& side, const std::string& label, std::vector<BigClaim> claims,
                                           const pcs::Committed& committed);

// Verifier: takes every pending ledger claim on p's members and checks that the body's array `key`
// opens them against root (one opening per chunk, each with `config`); returns the number of openings.
// Rejected(what, …) otherwise.
size_t verify_openings(gkr::Side& side, const std::string& label, gkr::Ledger& ledger, const Packing& p,
                     const hash::Digest& root, const artifact::MapView& body, std::string_view key,
                     const pcs::Config& config, double floor_bits, const std::string& what);

// The same for chunked commitments: every pending claim on chunk i is opened against committed[i] (or
// roots[i]), chunk by chunk, all openings in one array; the openings are added to *tally. opened(i),
// when given, is called once chunk i's openings are made (committed[i] is not read again).
std::vector<pcs::OpeningProof> open_chunks(gkr::Side& side, const std::string& label, gkr::Ledger& ledger,
                                           const Chunks& chunks, std::span<const pcs::Committed> committed,
                                           const std::string& by, Soundness* tally,
                                           const std::function<void(size_t)>& opened = {});
void verify_chunk_openings(gkr::Side& side, const std::string& label, gkr::Ledger& ledger, const Chunks& chunks,
                           std::span<const hash::Digest> roots, const artifact::MapView& body, std::string_view key,
                           const pcs::Config& config, double floor_bits, const std::string& what, Soundness* tally);

// The one root of a chunked commitment (the weight root): the chunk's own root when there is one
// chunk (a model that fits one commitment keeps its identity), else
// BLAKE2s("zkm31/chunk-root/v1" ‖ count ‖ (log size ‖ root) per chunk).
hash::Digest chunks_root(std::span<const hash::Digest> roots, std::span<const unsigned> log_sizes);
std::vector<hash::Digest> roots_of(std::span<const pcs::Committed> committed);

void write_openings(artifact::BodyWriter& w, std::string_view key, const std::vector<pcs::OpeningProof>& ps);

// The transcript's config words (PCS then walk parameters), absorbed by every statement.
void absorb_config(Channel& ch, const pcs::Config& pc, const gkr::Config& gc);

// The message stream as a body bin of LE u32 limbs (4 per QM31), and back (BadInput on a partial element).
std::vector<M31> stream_limbs(std::span<const QM31> xs);
std::vector<QM31> read_stream(const artifact::MapView& body, std::string_view key);

// A 32-byte digest field (BadInput otherwise).
hash::Digest digest_field(const artifact::MapView& body, std::string_view key);
// A bin of `count` 32-byte digests, and its writer.
std::vector<hash::Digest> digests_field(const artifact::MapView& body, std::string_view key, size_t count);
void write_digests(artifact::BodyWriter& w, std::string_view key, std::span<const hash::Digest> ds);

}  // namespace zkm31::prove
