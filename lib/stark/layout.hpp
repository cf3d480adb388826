#pragma once
// What prover and verifier derive alike from the components and the config (stark.hpp).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "air/air.hpp"
#include "air/eval.hpp"
#include "channel/channel.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {

inline constexpr const char* kWhere = "stark";
inline constexpr unsigned kMinLogSize = 3, kMaxLogSize = 24, kMaxDegree = 8, kMaxLogDomain = 27;

inline constexpr size_t kSalt = 4;  // random M31 per row of every trace tree

// A committed domain D_m and what lives there. domains[0] is D_L (L = q + log_blowup): the composition
// limbs, the mask, and the trace columns whose coefficient space is 2^q; every other domain holds the
// trace columns of the components with coefficient space 2^e (e < q) on D_(e + log_blowup), and its
// DEEP quotient enters FRI at layer `inject` (the line layer of 2^(e + log_blowup − 1) points).
struct Domain {
  unsigned log_size = 0;
  unsigned inject = 0;  // 0 for domains[0]
  std::vector<size_t> trees;  // its trees, in Proof order
};

// A committed tree: row j < 2^(m−w) of its domain D_m holds every column at D_m[j + t·2^(m−w)] for
// t = 0, 1, …, 2^w − 1 (w = log_width: 1 — the pair the first fold merges — except on D_L, where it is
// Layout::w), then kSalt random values. A query opens one row.
struct TreeShape {
  size_t domain, columns;
  unsigned log_width;
  size_t row_len() const { return (columns << log_width) + kSalt; }
};

struct Layout {
  unsigned h = 0;          // zk_log_size
  unsigned q = 0, L = 0;   // composition space 2^q, its domain D_L
  // D_L's trees hold 2^w positions per row: the verifier folds them (circle fold, w − 1 line folds) into
  // layer w, where FRI's first committed tree starts (w > 1 saves the trees of layers 1 … w − 1 when a
  // smaller domain's quotient enters at w).
  unsigned w = 1;
  // Proof::sampled, per component: its main columns at z, those it reads one row further (next_slot[c][i]
  // ≥ 0: their place among them) at z + one row, each interaction column at z and z + one row; then the
  // composition's 4 limbs at z.
  std::vector<std::vector<int32_t>> next_slot;
  std::vector<size_t> next_count, sample_at;
  size_t sampled_trace = 0;
  std::vector<Domain> domains;
  // Trees in Proof order: a main tree per domain with components (largest domain first), an interaction
  // tree per domain whose components have lookups, the composition tree (4 limbs of Q, 4 of the mask).
  std::vector<TreeShape> trees;
  size_t main_trees = 0, composition_tree = 0;
  // Per component: its coefficient space 2^e, domain, trees (interaction: SIZE_MAX without lookups) and
  // first column in each.
  std::vector<unsigned> log_coeffs;
  std::vector<size_t> domain_of, main_tree, inter_tree, main_at, inter_at;
  // FRI: layers 1..folds (layer 0 is D' on D_L, the last layer is sent as coefficients); tree g holds
  // layer start[g] (the first: w) as rows of 2^k[g] positions. A domain's injection layer starts a tree
  // or is the last.
  unsigned folds = 0;
  std::vector<unsigned> start, k;
  size_t sampled_values() const { return sampled_trace + 4; }  // Proof::sampled length
  unsigned log_rows(size_t g) const { return L - start[g] - k[g]; }
  unsigned log_final() const { return q - folds; }  // 2^log_final final coefficients
  // The domain whose quotient enters at `layer`, or 0 when none does.
  size_t injected_at(unsigned layer) const;
};

// BadInput (prover) or Rejected (verifier) on an empty component set, a size, degree or domain out of
// range, or a config with first_fold.
Layout layout_of(const air::Components& cs, const Config& config, bool verifier);

// Absorbs the statement: every component's name, version, shape and public inputs, the config and the
// layout derived from them (domain sizes, injection layers, FRI trees).
void absorb_statement(Channel& ch, const air::Components& cs, const Config& config, const Layout& layout);

// The out-of-domain point from the channel: z = ((1 − t²)/(1 + t²), 2t/(1 + t²)); nullopt-like failure
// (t in CM31, where z would equal its conjugate) is reported by `ok`.
struct Ood {
  circle::Point<QM31> z;
  bool ok;
};
Ood draw_ood(Channel& ch);

// The conjugation u ↦ −u of QM31 (fixes CM31).
inline QM31 conj(QM31 x) { return {x.c0, -x.c1}; }
inline circle::Point<QM31> conj(circle::Point<QM31> p) { return {conj(p.x), conj(p.y)}; }
// The point one row of a size-2^n trace further.
inline circle::Point<QM31> shifted(circle::Point<QM31> p, unsigned log_size) {
  const circle::CirclePoint s = circle::subgroup_gen(log_size);
  return {p.x * s.x - p.y * s.y, p.x * s.y + p.y * s.x};
}

// One DEEP sample point s and the columns of one domain sampled there (by tree and column), with γ^power_i
// as their coefficients. A group's line and vanishing:
//   V_s(P) = (s.y − s̄.y)·P.x + (s̄.x − s.x)·P.y + (s.x·s̄.y − s.y·s̄.x),
//   line_s(P) = A + B·P.y,  B = Σ γ^k (v − v̄)/(s.y − s̄.y),  A = Σ γ^k v − B·s.y.
struct SampleGroup {
  size_t domain;
  circle::Point<QM31> point;
  std::vector<std::pair<uint32_t, uint32_t>> columns;  // (tree, column)
  std::vector<size_t> values;                           // index into Proof::sampled of each column's value
  std::vector<QM31> coefficients;                        // γ^k of each column
  // The columns as runs of consecutive columns of one tree, with each coefficient's 4 limbs apart
  // (limbs[l][i] for the i-th column): what combine() reads.
  struct Run {
    uint32_t tree, first, count, at;
  };
  std::vector<Run> runs;
  std::array<std::vector<uint32_t>, 4> limbs;
  QM31 a, b;                                             // the batched line
  std::array<QM31, 3> vanishing;                         // V_s's coefficients of P.x, P.y, 1
  QM31 at(circle::Point<M31> p) const { return vanishing[0] * p.x + vanishing[1] * p.y + vanishing[2]; }
  // Σ_i γ^k_i·f_i(P) from the rows of the trees at P (indexed by tree).
  QM31 combine(const M31* const* rows) const;
};
// Groups in a fixed order, domain by domain: z (every column of the domain's trees, the composition limbs
// last), then z + one row for each distinct trace size there. Fills the lines from the sampled values.
std::vector<SampleGroup> sample_groups(const air::Components& cs, const Layout& l, circle::Point<QM31> z, QM31 gamma,
                                       std::span<const QM31> sampled);

// The composition at z from the sampled values: Σ_c combination_c(z) / v_{n_c}(z).
QM31 composition_at(const air::Components& cs, const Layout& l, circle::Point<QM31> z, std::span<const QM31> sampled,
                    std::span<const QM31> alphas, const air::LookupChallenges& lookup, std::span<const QM31> claimed_sums);

// The rows of a tree of 2^log_rows rows the queries (pair indices on D_L) open: query mod 2^log_rows,
// sorted and unique.
std::vector<size_t> opened_rows(std::span<const size_t> queries, unsigned log_rows);
// Where the values of D_m[pos] start in a tree's rows (TreeShape).
inline const M31* position_in(const M31* rows, const TreeShape& t, unsigned m, size_t pos) {
  const unsigned log_rows = m - t.log_width;
  return rows + (pos & ((size_t(1) << log_rows) - 1)) * t.row_len() + (pos >> log_rows) * t.columns;
}
// The row indices of FRI tree g (layer start[g]) the queries open.
std::vector<size_t> fri_rows_of(std::span<const size_t> queries, const Layout& l, size_t g);

// Natural index of the point one trace row (of a size-2^n trace) after D_L[j].
size_t next_index(unsigned L, unsigned n, size_t j);

// Evaluation of a polynomial with M31 coefficients (circle FFT basis) given in bit-reversed order
// (circle::interpolate_bitreversed) at a point over QM31.
QM31 eval_at(std::span<const M31> coeffs, circle::Point<QM31> p);

}  // namespace zkm31::stark
