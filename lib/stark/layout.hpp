#pragma once
// What prover and verifier derive alike from the components and the config (stark.hpp).
#include <cstdint>
#include <string_view>
#include <vector>

#include "air/air.hpp"
#include "air/eval.hpp"
#include "channel/channel.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {

inline constexpr const char* kWhere = "stark";
inline constexpr unsigned kMinLogSize = 3, kMaxLogSize = 24, kMaxDegree = 8, kMaxLogDomain = 27;

inline constexpr size_t kSalt = air::DomainEval::Rows::kSalt;  // random M31 per row of every trace tree

struct Layout {
  unsigned h = 0;  // zk_log_size
  unsigned q = 0, L = 0;      // FRI degree bound 2^q, domain D_L
  std::vector<size_t> main_at, inter_at;  // each component's first column in the main / interaction tree
  size_t main_cols = 0, inter_cols = 0;
  // FRI: layers 1..folds (layer 0 is D' on D_L); tree g holds layer start[g] as rows of 2^k[g] positions.
  unsigned folds = 0;
  std::vector<unsigned> start, k;
  size_t sampled_values() const;  // Proof::sampled length
  unsigned log_rows(size_t g) const { return L - start[g] - k[g]; }
};


// BadInput (prover) or Rejected (verifier) on an empty component set, a size, degree or domain out of
// range, or a config with first_fold.
Layout layout_of(const air::Components& cs, const Config& config, bool verifier);

// Absorbs the statement: every component's name, version, shape and public inputs, and the config.
void absorb_statement(Channel& ch, const air::Components& cs, const Config& config);

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

// One DEEP sample point s and the columns sampled there (by their place in the three trees: tree,
// column), with γ^power_i as their coefficients. A group's line and vanishing:
//   V_s(P) = (s.y − s̄.y)·P.x + (s̄.x − s.x)·P.y + (s.x·s̄.y − s.y·s̄.x),
//   line_s(P) = A + B·P.y,  B = Σ γ^k (v − v̄)/(s.y − s̄.y),  A = Σ γ^k v − B·s.y.
struct SampleGroup {
  circle::Point<QM31> point;
  std::vector<std::pair<uint8_t, uint32_t>> columns;  // (tree, column)
  std::vector<size_t> values;                          // index into Proof::sampled of each column's value
  std::vector<QM31> coefficients;                       // γ^k of each column
  QM31 a, b;                                            // the batched line
  std::array<QM31, 3> vanishing;                        // V_s's coefficients of P.x, P.y, 1
  QM31 at(circle::Point<M31> p) const { return vanishing[0] * p.x + vanishing[1] * p.y + vanishing[2]; }
  // Σ_i γ^k_i·f_i(P) from the rows of the three trees at P.
  QM31 combine(const M31* const rows[3]) const;
};
// Groups in a fixed order: z first (every main and interaction column, then the composition limbs),
// then z + one row for each distinct trace size. Fills the lines from the sampled values.
std::vector<SampleGroup> sample_groups(const air::Components& cs, const Layout& l, circle::Point<QM31> z, QM31 gamma,
                                       std::span<const QM31> sampled);

// The composition at z from the sampled values: Σ_c combination_c(z) / v_{n_c}(z).
QM31 composition_at(const air::Components& cs, circle::Point<QM31> z, std::span<const QM31> sampled,
                    std::span<const QM31> alphas, const air::LookupChallenges& lookup, std::span<const QM31> claimed_sums);

// The trace trees' rows: row j < 2^(L−1) holds every column at D_L[j], then every column at
// D_L[j + 2^(L−1)] (the pair the first fold merges: a query opens one row), then kSalt random values.
// The rows the queries open, sorted and unique:
std::vector<size_t> opened_rows(std::span<const size_t> queries);
// Where the values of D_L[pos] start in a tree of `columns` columns stored row-major.
inline const M31* position_in(const M31* rows, size_t columns, unsigned L, size_t pos) {
  return air::DomainEval::Rows{rows, columns, 0}.at(L, pos);
}
// The row indices of FRI tree g (layer start[g]) the queries open.
std::vector<size_t> fri_rows_of(std::span<const size_t> queries, const Layout& l, size_t g);

// Natural index of the point one trace row (of a size-2^n trace) after D_L[j].
size_t next_index(unsigned L, unsigned n, size_t j);

// Evaluation of a polynomial with M31 coefficients (circle FFT basis) at a point over QM31.
QM31 eval_at(std::span<const M31> coeffs, circle::Point<QM31> p);

}  // namespace zkm31::stark
