#pragma once
// Model-level proving (kind "proof"): the trace in, one artifact out; and its verifier.
//
// Statement (absorbed before the first challenge, in this order): protocol label and version, the
// proof config (PCS and walk parameters, then commit_log), the graph digest, the weight root and the
// log size of every weight chunk, the model commitment, the public input and output. Then the trace
// commitment — the root of every chunk of the committed activations, requant auxiliaries and
// multiplicities — then the claim walk (lib/gkr), then the batched openings of every claim the
// verifier's own ledger holds, chunk by chunk (weights, then trace; at most 64 claims per opening);
// the ledger must end empty.
//
// Chunks (prove/packing.hpp): weights and trace vectors are each split into commitments of at most
// 2^commit_log entries (a config word, at most 2^28), so a model of any total size proves as long as
// each of its tensors fits one commitment. By default (kAutoCommitLog) it is the least that holds the
// largest vector, at least 2^26: a commitment's memory (its codeword and opening tables) then follows
// the largest layer, not the whole model. The weight root is
// chunks_root (prove/opening.hpp) of the weight chunks' roots: the chunk's own root for a model that
// fits one commitment.
//
// The model commitment is the model's one identity (DESIGN.md §5, "Model identity"):
// BLAKE2s("zkm31/model-commitment/v1" ‖ graph digest ‖ weight root) — architecture, quantization
// (requant multipliers and shifts, tables, intervals) and weights together, so pinning it alone pins
// the model. The verifier recomputes it from the proof's graph and weight root.
//
// The weights' declared intervals are not proven here but by the model's weight certificate
// (prove/certificate.hpp): proven once per (model, config), cached beside the weight commitment and
// carried verbatim in every proof; the verifier checks it first, on its own channel, against this
// proof's graph digest, weight root and config. The proof's tables serve the activations only.
//
// Body fields: protocol, graph (weight-free graph body), graph_digest, weight_root, model_commitment,
// weight_roots (bin: the weight chunks' 32-byte roots), weight_certificate (bin: the whole
// weight-certificate artifact), public_input, public_output (bins of LE u32 residues, graph order,
// concatenated), config {log_blowup, queries, pow_bits, fold_step, final_log, first_fold, range_bits,
// excess_bits, wide_log, commit_log}, trace_commitment (bin: the trace chunks' roots), stream (bin of
// the walk's QM31 messages as LE u32 limbs), model_openings, trace_openings (arrays of PCS opening
// proofs, chunk by chunk).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gkr/circuit.hpp"
#include "gkr/walk.hpp"
#include "hash/blake2s.hpp"
#include "model/trace.hpp"
#include "pcs/pcs.hpp"
#include "prove/security.hpp"

namespace zkm31::prove {

// 7: lookup instances and tables batched into a few LogUp-GKR trees, proven before the walk; 6: a wide requant clamp that cannot trigger has no excess and no upper-bound limbs; 5: trace chunks in circuit order (ChunkOrder::Given); 4: weights and trace committed in chunks (weight_roots, commit_log); 3: the model commitment is the
// model identity (graph digest + weight root); 2: the weight root alone
inline constexpr uint32_t kProofVersion = 7;
inline constexpr std::string_view kProtocol = "zkm31/gkr-prove/v1";
inline constexpr unsigned kMinCommitLog = 4;  // the smallest commit_log (tests split small models)
inline constexpr unsigned kAutoCommitLog = 0;  // Options::commit_log: chosen from the model (above)
inline constexpr unsigned kAutoMinCommitLog = 26;

// Default PCS parameters: 88 queries at rate 1/2 plus 8 bits of grinding give the 96 conjectured
// bits for ~1 ms of proof of work (26 bits would cost seconds), at ~8% more proof than 76 + 20.
// Codeword rows of 2^6 (first_fold) keep the first encoded layer of a 2^24 weight opening at 2^19
// points; the proof does not grow (the Merkle paths get shorter as the rows get wider).
struct Options {
  pcs::Config pcs{1, 88, 8, 4, 6, 6};
  gkr::Config gkr;
  unsigned commit_log = kAutoCommitLog;  // one commitment holds at most 2^commit_log entries (4..28; 0: auto)
  // Weight commitment and weight certificate cache (prove/cache.hpp), where the trace chunks' codewords
  // are also spilled while the proof is made; empty: none, everything in memory.
  std::string cache_dir;
  // Test-only lies (never set by a CLI or the environment).
  gkr::CheatMode cheat = gkr::CheatMode::None;
  bool drop_opening = false;       // leave the last trace claim out of the openings
  bool commit_different = false;   // commit a trace that differs in one entry from the one walked
  bool forge_certificate = false;  // certify weights outside their intervals as they are (no cache)
};

// The commit_log a proof of the compiled model uses: `requested`, or for kAutoCommitLog the least that
// holds its largest committed vector (weights, trace, certificate), at least kAutoMinCommitLog.
unsigned resolve_commit_log(const gkr::Compiled& cc, unsigned requested);

struct Part {
  std::string name;
  double seconds = 0;
  size_t bytes = 0;
};

struct ProveReport {
  std::vector<Part> parts;
  double seconds = 0;
  size_t proof_bytes = 0;
  hash::Digest model_commitment{}, weight_root{}, graph_digest{};
  Security security;  // counted as the verifier counts (the same challenges, fractions and openings)
  bool model_cached = false;        // the weight commitment was reloaded from the cache
  bool certificate_cached = false;  // the weight certificate was reloaded from the cache
};

// The weight commitment's part is named "weight commitment: cached" or "weight commitment: computed", the
// weight certificate's "weight certificate: cached" or "weight certificate: computed" (its bytes: the
// certificate's size).
std::vector<uint8_t> prove(const model::Trace& t, const Options& opt, ProveReport* report = nullptr,
                           const std::function<void(const Part&)>& progress = {});
// The same, dropping the trace's weight data (values and float originals) as soon as the witness
// holds the weights: a large model is not kept twice while it is proven.
std::vector<uint8_t> prove(model::Trace&& t, const Options& opt, ProveReport* report = nullptr,
                           const std::function<void(const Part&)>& progress = {});

// The model identity of a graph digest and a weight root.
hash::Digest model_commitment(const hash::Digest& graph_digest, const hash::Digest& weight_root);
// A graph's model commitment (what `verify --model-commitment` pins): commits its weights (through
// the cache) and hashes the root with the graph digest.
hash::Digest model_commitment(const model::Graph& g, const Options& opt);

struct VerifyOptions {
  std::optional<hash::Digest> model_commitment;  // expected model identity
  std::optional<hash::Digest> graph_digest;      // expected graph
  double floor_bits = 96;
  FloorKind floor_kind = FloorKind::Conjectured;  // which bound the floor applies to
};

struct Verified {
  model::Graph graph;  // weight-free
  hash::Digest model_commitment{}, weight_root{}, graph_digest{};
  std::vector<hash::Digest> weight_roots;  // of the weight chunks
  std::vector<std::vector<int64_t>> outputs;  // per graph output, real entries
  Security security;
};

// Malformed artifacts → BadInput; a failed check → Rejected(where, check).
Verified verify(std::span<const uint8_t> artifact, const VerifyOptions& opt);

}  // namespace zkm31::prove
