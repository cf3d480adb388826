#pragma once
// A zero-knowledge Circle STARK over M31 for the components of lib/air (DESIGN.md §5, and the
// zero-knowledge departure in lib/stark/README.md).
//
// Each committed polynomial is evaluated on the canonic domain (natural order) its own degree needs, at
// rate 2^−log_blowup:
//   trace columns  f' = f + v_n·r: f interpolates the 2^n trace values on the trace coset C_n, v_n
//                  vanishes on C_n, r has 2^h random coefficients (h: zk_log_size) — degree
//                  ≤ 2^(n−1) + 2^(h−1), coefficient space 2^e, committed on D_(e + log_blowup);
//   composition    Q = Σ_c combination_c / v_{n_c}, computed on D_q from the columns' coefficients
//                  (residue class by residue class), interpolated, and committed whole as 4 M31 limb
//                  columns on D_L, L = q + log_blowup (2^q, the least with 2^(q−1) above every
//                  degree_c·(2^(n_c−1) + 2^(h−1)) − 2^(n_c−1), bounds every committed polynomial);
//   mask           M, 4 limb columns of 2^q random coefficients on D_L, added to the FRI polynomial.
// Salted Merkle trees (4 random M31 per row): per domain, its main columns, then per domain its
// interaction columns (LogUp, after the lookup challenges), then composition limbs + mask limbs on D_L
// (after the constraint challenges); layout.hpp.
// Transcript: statement (components, public inputs, config, layout) → main roots → lookup challenges →
// interaction roots, claimed sums → α per component → composition root → OOD point z → sampled values
// (every trace column at z, at z + one row those read there, the composition limbs at z) → γ → FRI over, per domain D_m,
//   D'_m(P) = [M(P) on D_L] + Σ_samples of its columns (Σ_i γ^k_i·f_i(P) − line_s(P)) / V_s(P)
// (V_s the line through the sample point s and its conjugate s̄ — u ↦ −u —, line_s the batched line
// through (s, f(s)) and (s̄, f(s̄))): D'_L's circle fold, then line folds, layers committed from layer w
// on (w − 1 line folds after the circle fold are the verifier's, from D_L's rows of 2^w positions) in
// trees of up to fold_step layers; at the line layer of 2^(m−1) points a smaller domain's quotient
// enters, layer += μ·(D'_m circle-folded with λ) (μ, λ drawn then; that layer starts a tree), the last
// layer sent as 2^log_final line coefficients → proof of work → queries j < 2^(L−1) (on D_L the row
// j mod 2^(L−w); on a smaller D_m the pair j mod 2^(m−1)).
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "air/air.hpp"
#include "artifact/body.hpp"
#include "hash/blake2s.hpp"
#include "merkle/merkle.hpp"
#include "pcs/pcs.hpp"

namespace zkm31::stark {

// The FRI parameters and their security formula are the PCS's (pcs::security_bits, check_floor);
// first_fold must be 0 (the first fold is always the circle fold of the pairs a query opens).
using Config = pcs::Config;

// Random coefficients per trace column: 2^h with 2^h − 1 ≥ (2 + 2·2^w)·queries + 8, w the composition
// tree's positions per row (log; layout.hpp): 6·queries + 8 for pairs (lib/stark/README.md).
unsigned zk_log_size(const Config& c, unsigned composition_log_width);

struct Proof {
  Config config;
  std::vector<hash::Digest> roots;      // every tree's (layout.hpp: main trees, interaction trees, composition)
  std::vector<QM31> claimed_sums;       // each component's LogUp total (they must add up to 0)
  // Sampled values: per component its main columns at z, those of them its constraints read one row
  // further at z + one row, its interaction limb columns at z and z + one row; then the 4 composition
  // limbs at z (layout.hpp).
  std::vector<QM31> sampled;
  std::vector<hash::Digest> fri_roots;
  std::vector<QM31> final_coefficients;  // the last FRI layer as a line polynomial
  uint64_t pow_nonce = 0;
  std::vector<std::vector<M31>> rows;  // opened rows of each tree (opened_rows: sorted)
  std::vector<merkle::Decommitment> paths;
  std::vector<std::vector<QM31>> fri_rows;  // opened rows of each committed FRI layer
  std::vector<merkle::Decommitment> fri_paths;

  void write(artifact::BodyWriter& w) const;  // one msgpack map value
  // Malformed content (missing or extra fields, wrong types, residues ≥ p, partial digests) → Rejected("stark", …).
  static Proof read(const artifact::MapView& m);
  size_t bytes() const;
};

// Source of the zero-knowledge randomness: BLAKE2s in counter mode over a 32-byte key, from
// getrandom() unless a test fixes it.
class Randomness {
 public:
  Randomness();
  explicit Randomness(uint64_t seed);
  M31 m31();
  void fill(std::span<M31> out);

 private:
  std::array<uint8_t, 32> key_{};
  uint64_t counter_ = 0;
  std::array<uint32_t, 8> block_{};
  size_t used_ = 8;
};

// Proves that traces[c] satisfies components[c] for every c and that their lookups balance. BadInput
// if a trace does not fit its component or breaks a constraint, or if the layout is out of range.
Proof prove(const air::Components& components, const std::vector<air::Columns>& traces, const Config& config = {});
Proof prove(const air::Components& components, const std::vector<air::Columns>& traces, const Config& config,
            Randomness& randomness);

// Throws Rejected("stark", <the failed check>) unless the proof is valid for these components (and their
// public inputs) with at least floor_bits of conjectured security.
void verify(const air::Components& components, const Proof& proof, double floor_bits = 96);

}  // namespace zkm31::stark
