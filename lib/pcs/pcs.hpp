#pragma once
// Multilinear PCS: Basefold over circle codes (DESIGN.md §5, reference/basefold/NOTES.md).
//
// commit(e), e ∈ M31^(2^n):  c = Möbius(e) (monomial coefficients, index bit k ↔ variable X_k), read
//   as circle-FFT-basis coefficients (bit 0 ↔ y, bit k ↔ π^{k−1}(x)) and evaluated on the canonic domain
//   D_m, m = n + log_blowup (natural order): the codeword. Merkle leaves are cosets of 2^k0 positions
//   {j + t·2^{m−k0} : t < 2^k0} (row j), the positions that k0 folds merge into position j.
// open(claims (r_i, v_i)):  λ_i drawn from the channel; sumcheck (degree 2, LSB first) for
//   Σ_i λ_i v_i = Σ_x W(x)·e(x),  W = Σ_i λ_i eq(r_i, ·),
//   for the first F = n − min(n, final_log) variables; round i's challenge s_i also folds the codeword
//   (fold 0 circle → line, then line folds: lib/fri). Every fold_step-th folded layer is Merkle-committed
//   (rows = cosets of 2^fold_step) and its root absorbed before the next challenge. After F rounds the
//   prover sends the final message c^{(F)} (2^{n−F} QM31 monomial coefficients of e(s_0..s_{F−1}, ·));
//   the verifier checks  claim_F == Σ_x W(s, x)·MLE(c^{(F)})(x)  itself, and each query checks the fold
//   chain from layer 0 down to layer F == 2^F·Enc_line(c^{(F)}) at the queried point.
// Transcript: root, n, config, claims → λ_i → sumcheck rounds (+ layer roots) → final message →
//   proof of work → query indices (rows of the layer-0 tree).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "artifact/body.hpp"
#include "channel/channel.hpp"
#include "field/field.hpp"
#include "hash/blake2s.hpp"
#include "merkle/merkle.hpp"
#include "sumcheck/sumcheck.hpp"

namespace zkm31::pcs {

// Recorded in every proof. log_blowup, queries and pow_bits set the security (security_bits); the
// default is DESIGN.md's 96 bits (70 queries at rate 1/2 + 26 bits of proof of work, which costs about
// 2^26 BLAKE2s ≈ 1.7 CPU-seconds of grinding per opening; e.g. {1, 76, 20} gives the same 96 bits for
// 6 more queries and ≈ 0.03 s). fold_step (folds per committed layer: queries open cosets of 2^fold_step)
// and final_log (the final message has 2^final_log coefficients) only trade prover time against size.
// first_fold (0: fold_step) is the first group's size: layer-0 rows hold 2^first_fold positions, so a
// larger value makes the first committed layer — encoded and hashed per opening — that much smaller.
struct Config {
  uint32_t log_blowup = 1, queries = 70, pow_bits = 26;
  uint32_t fold_step = 4, final_log = 6, first_fold = 0;
  bool operator==(const Config&) const = default;
};

// Conjectured security (the ethSTARK / Stwo convention): min(queries·log_blowup + pow_bits, 117), where
// 117 = 124 (|QM31| ≈ 2^124) − 7 covers the batching (≤ 64 claims) and sumcheck (≤ 2·30 per round)
// soundness errors; like Stwo it leaves the folding's proximity-gap term to the conjecture.
double security_bits(const Config& c);
// Provable figure (unique-decoding regime, δ = (1 − 2^−log_blowup)/2, BCIKS20 proximity gaps):
//   min(queries·(−log2(1 − δ)) + pow_bits, 124 − log2(n·2^(n+log_blowup) + 2n + 64)),  n = log_size.
// The default config gives 70·0.415 + 26 ≈ 55 bits.
double provable_security_bits(const Config& c, unsigned log_size);
// Throws Rejected("pcs", "config gives N bits < floor F") when security_bits(c) < floor_bits, and
// Rejected("pcs", …) on parameters outside their ranges (1 ≤ log_blowup ≤ 8, 1 ≤ queries ≤ 1024,
// pow_bits ≤ 40, 1 ≤ fold_step ≤ 8, final_log ≤ 16, first_fold ≤ 10).
void check_floor(const Config& c, double floor_bits = 96);

struct Claim {
  std::vector<QM31> point;  // LSB first, log_size coordinates
  QM31 value;
};

struct OpeningProof {
  Config config;
  sumcheck::Proof rounds;                 // F rounds of [h(0), h(2)]
  std::vector<hash::Digest> layer_roots;  // committed folded layers, in order
  std::vector<QM31> final_message;        // 2^(n−F) monomial coefficients
  uint64_t pow_nonce = 0;
  std::vector<M31> rows0;                     // opened layer-0 rows (sorted unique indices)
  std::vector<std::vector<QM31>> layer_rows;  // opened rows of each committed folded layer
  std::vector<merkle::Decommitment> paths;    // layer 0 first, then one per folded layer

  // Packs one msgpack map value (the caller writes its key first, if any).
  void write(artifact::BodyWriter& w) const;
  // Malformed content (missing fields, wrong types, residues ≥ p, bad lengths) → Rejected("pcs", …).
  static OpeningProof read(const artifact::MapView& m);
  size_t bytes() const;  // serialized size
};

class Committed {
 public:
  const hash::Digest& root() const { return tree_->root(); }
  unsigned log_size() const { return log_size_; }
  const Config& config() const { return config_; }
  std::span<const M31> values() const { return elsewhere_.data() ? elsewhere_ : std::span<const M31>(values_); }
  // Moves the committed values out (the commitment is not used afterwards).
  std::vector<M31> take_values() &&;
  // The same values are now also at `where` (kept alive by owner; a file mapping): the commitment reads
  // them there and frees its own copy. Throws std::logic_error (nothing changed) if they differ; `read`,
  // when given, is called on each block of `where` once compared.
  void relocate_values(std::span<const M31> where, std::shared_ptr<const void> owner,
                       const std::function<void(std::span<const M31>)>& read = {});

 private:
  friend struct Impl;
  unsigned log_size_ = 0;
  Config config_;
  std::vector<M31> values_;
  std::span<const M31> elsewhere_;                // relocated values (values_ then empty)
  std::shared_ptr<const void> elsewhere_owner_;
  std::shared_ptr<merkle::Tree> tree_;  // over the layer-0 codeword's coset rows (see above); holds the codeword
};

inline constexpr unsigned kMaxLogSize = 28;  // the largest vector a commitment takes: 2^28 entries

// values.size() must be a power of two ≤ 2^28 (else BadInput); the config is checked for ranges only.
// The commitment keeps the values: pass them as an rvalue to spare a copy.
Committed commit(std::span<const M31> values, const Config& config = {});
Committed commit(std::vector<M31>&& values, const Config& config = {});

// One batched opening of every claim on this commitment (1 ≤ claims ≤ 64). The claimed values are
// not checked by the prover: a wrong value gives a proof the verifier rejects.
OpeningProof open(const Committed& committed, std::span<const Claim> claims, Channel& channel);

// A commitment's stored form (the model cache), in two parts: a header artifact, kind
// "pcs-commitment" version 4 {log_size, config, values_xxh3 (XXH3-128 of the values as LE u32), root,
// codeword_xxh3, tree (the Merkle tree's kept layers, 32-byte digests)}, and the layer-0 codeword
// (natural order) as raw little-endian u32 words, kept beside it so that a reload maps the file and
// uses the codeword in place (no copy, no parse). Reloading skips the Möbius transform, the circle FFT
// and the hashing: the codeword must match its checksum and the tree end in the stored root. The
// values are not stored: the caller has them.
struct Stored {
  std::vector<uint8_t> header;
  std::span<const M31> codeword;  // points into the commitment
};
Stored save(const Committed& committed);
// The commitment of `values` under `config` from save()'s two parts; `codeword` is used in place and
// `owner` keeps it alive (a file mapping, a vector). Throws BadInput naming the problem if the header
// is truncated or corrupt (envelope checksum), for other values or another config, if the codeword
// has the wrong length or fails its checksum, or if the tree does not fit. Neither the rows nor the tree
// are re-derived (that is the work the cache saves), so a deliberately forged pair of files is
// trusted: keep them in private storage. The values are only moved from when the load succeeds.
// `read`, when given, is called on each block of the codeword once its checksum has read it (a caller
// whose codeword is a file mapping drops those pages: a large codeword is never resident whole).
Committed load(std::span<const uint8_t> header, std::span<const M31> codeword, std::shared_ptr<const void> owner,
               std::vector<M31>&& values, const Config& config,
               const std::function<void(std::span<const M31>)>& read = {});
// XXH3-128 of the values' little-endian u32 bytes (the key load() checks), read in blocks, `read`
// called on each once it is hashed.
std::array<uint8_t, 16> values_digest(std::span<const M31> values,
                                      const std::function<void(std::span<const M31>)>& read = {});

// Throws Rejected("pcs", <the failed check>) unless the proof opens root at every claim.
void verify(const hash::Digest& root, unsigned log_size, std::span<const Claim> claims, const OpeningProof& proof,
            Channel& channel, double floor_bits = 96);

}  // namespace zkm31::pcs
