#include <algorithm>
#include <string>

#include "circle/fft.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"

namespace zkm31::stark {

void verify(const air::Components& cs, const Proof& proof, double floor_bits) {
  const Config& cfg = proof.config;
  try {
    pcs::check_floor(cfg, floor_bits);
  } catch (const Rejected& e) {
    throw Rejected(kWhere, e.check());
  }
  const Layout l = layout_of(cs, cfg, true);
  auto count = [](size_t got, size_t want, const std::string& what) {
    require(got == want, kWhere, what + " has " + std::to_string(got) + " entries, expected " + std::to_string(want));
  };
  count(proof.claimed_sums.size(), cs.size(), "claimed sums");
  count(proof.sampled.size(), l.sampled_values(), "sampled values");
  count(proof.fri_roots.size(), l.start.size(), "FRI roots");
  count(proof.fri_rows.size(), l.start.size(), "FRI rows");
  count(proof.fri_paths.size(), l.start.size(), "FRI paths");
  count(proof.final_coefficients.size(), size_t(1) << (l.q - l.folds), "final coefficients");

  Channel ch("zkm31/stark");
  absorb_statement(ch, cs, cfg);
  ch.absorb_digest("stark/main", proof.roots[0]);
  const air::LookupChallenges lookup{ch.draw_qm31("stark/lookup_z"), ch.draw_qm31("stark/lookup_alpha")};
  ch.absorb_digest("stark/interaction", proof.roots[1]);
  ch.absorb_qm31s("stark/claimed", proof.claimed_sums);
  QM31 total;
  for (size_t c = 0; c < cs.size(); ++c) {
    require(cs[c]->lookups() || proof.claimed_sums[c] == QM31(), kWhere,
            "component " + cs[c]->name() + " has no lookups but a non-zero LogUp sum");
    total += proof.claimed_sums[c];
  }
  require(total == QM31(), kWhere, "LogUp sums do not cancel");
  const std::vector<QM31> alphas = ch.draw_qm31s("stark/alpha", cs.size());
  ch.absorb_digest("stark/composition", proof.roots[2]);
  const Ood ood = draw_ood(ch);
  require(ood.ok, kWhere, "degenerate out-of-domain point");
  const std::span<const QM31> sampled(proof.sampled);
  const QM31 q_at_z = air::from_limb_values({sampled[sampled.size() - 4], sampled[sampled.size() - 3],
                                             sampled[sampled.size() - 2], sampled[sampled.size() - 1]});
  require(composition_at(cs, ood.z, sampled, alphas, lookup, proof.claimed_sums) == q_at_z, kWhere,
          "constraints do not match the composition at the out-of-domain point");
  ch.absorb_qm31s("stark/sampled", proof.sampled);
  const QM31 gamma = ch.draw_qm31("stark/gamma");
  const std::vector<SampleGroup> groups = sample_groups(cs, l, ood.z, gamma, sampled);

  std::vector<QM31> chal = {ch.draw_qm31("stark/fri")};
  for (size_t g = 0; g < l.start.size(); ++g) {
    ch.absorb_digest("stark/fri_root", proof.fri_roots[g]);
    for (unsigned t = 0; t < l.k[g]; ++t) chal.push_back(ch.draw_qm31("stark/fri"));
  }
  ch.absorb_qm31s("stark/final", proof.final_coefficients);
  require(ch.check_pow(cfg.pow_bits, proof.pow_nonce), kWhere, "proof of work");
  const std::vector<size_t> queries = ch.draw_indices("stark/queries", cfg.queries, l.L - 1);

  // The three trace trees at the rows the queries open.
  const std::vector<size_t> opened = opened_rows(queries);
  const size_t columns[3] = {l.main_cols, l.inter_cols, 8};
  const char* names[3] = {"main", "interaction", "composition"};
  for (size_t t = 0; t < 3; ++t) {
    const size_t len = 2 * columns[t] + kSalt;
    count(proof.rows[t].size(), opened.size() * len, std::string(names[t]) + " rows");
    try {
      merkle::verify(proof.roots[t], l.L - 1, len, opened, proof.rows[t], proof.paths[t]);
    } catch (const Rejected& e) {
      throw Rejected(kWhere, std::string(names[t]) + " decommitment: " + e.what());
    }
  }
  std::vector<std::vector<size_t>> fri_idx(l.start.size());
  for (size_t g = 0; g < l.start.size(); ++g) {
    fri_idx[g] = fri_rows_of(queries, l, g);
    const size_t w = size_t(1) << l.k[g];
    count(proof.fri_rows[g].size(), fri_idx[g].size() * w, "FRI layer " + std::to_string(l.start[g]) + " rows");
    try {
      merkle::verify(proof.fri_roots[g], l.log_rows(g), w, fri_idx[g], proof.fri_rows[g], proof.fri_paths[g]);
    } catch (const Rejected& e) {
      throw Rejected(kWhere, "FRI layer " + std::to_string(l.start[g]) + " decommitment: " + e.what());
    }
  }

  // D' at an opened position, from its three rows.
  auto deep_at = [&](size_t pos) {
    const size_t half = size_t(1) << (l.L - 1);
    const size_t at = size_t(std::lower_bound(opened.begin(), opened.end(), pos & (half - 1)) - opened.begin());
    const M31* row[3];
    for (size_t t = 0; t < 3; ++t)
      row[t] = proof.rows[t].data() + at * (2 * columns[t] + kSalt) + (pos >= half ? columns[t] : 0);
    const circle::CirclePoint p = circle::domain_point(l.L, pos);
    QM31 d(row[2][4], row[2][5], row[2][6], row[2][7]);
    for (const SampleGroup& g : groups) {
      const QM31 v = g.at(p);
      require(v != QM31(), kWhere, "sample point on the evaluation domain");
      d += (g.combine(row) - (g.a + g.b * p.y)) * v.inverse();
    }
    return d;
  };
  const size_t half = size_t(1) << (l.L - 1);
  for (size_t j : queries) {
    std::vector<QM31> pair = {deep_at(j), deep_at(j + half)};
    QM31 carried = fri::fold_row(pair, j, l.L - 1, l.L, 0, std::span<const QM31>(chal).first(1));
    for (size_t g = 0; g < l.start.size(); ++g) {
      const unsigned log_rows = l.log_rows(g);
      const size_t r = j & ((size_t(1) << log_rows) - 1), w = size_t(1) << l.k[g];
      const size_t at = size_t(std::lower_bound(fri_idx[g].begin(), fri_idx[g].end(), r) - fri_idx[g].begin());
      std::vector<QM31> row(proof.fri_rows[g].begin() + at * w, proof.fri_rows[g].begin() + (at + 1) * w);
      const size_t col = (j & ((size_t(1) << (l.L - l.start[g])) - 1)) >> log_rows;
      require(row[col] == carried, kWhere, "FRI fold consistency at layer " + std::to_string(l.start[g]));
      carried = fri::fold_row(row, r, log_rows, l.L, l.start[g], std::span<const QM31>(chal).subspan(l.start[g], l.k[g]));
    }
    const size_t p = j & ((size_t(1) << (l.L - l.folds)) - 1);
    require(carried == circle::eval_line_poly(proof.final_coefficients, circle::domain_point(l.L - l.folds + 1, p).x),
            kWhere, "last FRI layer does not match the final coefficients");
  }
}

}  // namespace zkm31::stark
