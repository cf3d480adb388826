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
  count(proof.roots.size(), l.trees.size(), "roots");
  count(proof.rows.size(), l.trees.size(), "opened rows");
  count(proof.paths.size(), l.trees.size(), "paths");
  count(proof.claimed_sums.size(), cs.size(), "claimed sums");
  count(proof.sampled.size(), l.sampled_values(), "sampled values");
  count(proof.fri_roots.size(), l.start.size(), "FRI roots");
  count(proof.fri_rows.size(), l.start.size(), "FRI rows");
  count(proof.fri_paths.size(), l.start.size(), "FRI paths");
  count(proof.final_coefficients.size(), size_t(1) << l.log_final(), "final coefficients");

  Channel ch("zkm31/stark");
  absorb_statement(ch, cs, cfg, l);
  for (size_t t = 0; t < l.main_trees; ++t) ch.absorb_digest("stark/main", proof.roots[t]);
  const air::LookupChallenges lookup{ch.draw_qm31("stark/lookup_z"), ch.draw_qm31("stark/lookup_alpha")};
  for (size_t t = l.main_trees; t < l.composition_tree; ++t) ch.absorb_digest("stark/interaction", proof.roots[t]);
  ch.absorb_qm31s("stark/claimed", proof.claimed_sums);
  QM31 total;
  for (size_t c = 0; c < cs.size(); ++c) {
    require(cs[c]->lookups() || proof.claimed_sums[c] == QM31(), kWhere,
            "component " + cs[c]->name() + " has no lookups but a non-zero LogUp sum");
    total += proof.claimed_sums[c];
  }
  require(total == QM31(), kWhere, "LogUp sums do not cancel");
  const std::vector<QM31> alphas = ch.draw_qm31s("stark/alpha", cs.size());
  ch.absorb_digest("stark/composition", proof.roots[l.composition_tree]);
  const Ood ood = draw_ood(ch);
  require(ood.ok, kWhere, "degenerate out-of-domain point");
  const std::span<const QM31> sampled(proof.sampled);
  const QM31 q_at_z = air::from_limb_values({sampled[sampled.size() - 4], sampled[sampled.size() - 3],
                                             sampled[sampled.size() - 2], sampled[sampled.size() - 1]});
  require(composition_at(cs, l, ood.z, sampled, alphas, lookup, proof.claimed_sums) == q_at_z, kWhere,
          "constraints do not match the composition at the out-of-domain point");
  ch.absorb_qm31s("stark/sampled", proof.sampled);
  const QM31 gamma = ch.draw_qm31("stark/gamma");
  const std::vector<SampleGroup> groups = sample_groups(cs, l, ood.z, gamma, sampled);

  // The same draws as the prover's FRI: a domain's (λ, μ) before the tree of the layer it enters.
  std::vector<QM31> chal = {ch.draw_qm31("stark/fri")};
  for (unsigned a = 1; a < l.w; ++a) chal.push_back(ch.draw_qm31("stark/fri"));
  std::vector<std::array<QM31, 2>> injection(l.domains.size());  // λ, μ
  auto draw_injection = [&](unsigned a) {
    if (const size_t d = l.injected_at(a)) injection[d] = {ch.draw_qm31("stark/inject_fold"), ch.draw_qm31("stark/inject")};
  };
  for (size_t g = 0; g < l.start.size(); ++g) {
    draw_injection(l.start[g]);
    ch.absorb_digest("stark/fri_root", proof.fri_roots[g]);
    for (unsigned t = 0; t < l.k[g]; ++t) chal.push_back(ch.draw_qm31("stark/fri"));
  }
  draw_injection(l.folds);
  ch.absorb_qm31s("stark/final", proof.final_coefficients);
  require(ch.check_pow(cfg.pow_bits, proof.pow_nonce), kWhere, "proof of work");
  const std::vector<size_t> queries = ch.draw_indices("stark/queries", cfg.queries, l.L - 1);

  // Every tree at the rows the queries open on its domain.
  std::vector<std::vector<size_t>> opened(l.trees.size());
  for (size_t t = 0; t < l.trees.size(); ++t) {
    const unsigned log_rows = l.domains[l.trees[t].domain].log_size - l.trees[t].log_width;
    opened[t] = opened_rows(queries, log_rows);
    const std::string name = t == l.composition_tree ? "composition" : (t < l.main_trees ? "main" : "interaction");
    const size_t len = l.trees[t].row_len();
    count(proof.rows[t].size(), opened[t].size() * len, name + " rows");
    try {
      merkle::verify(proof.roots[t], log_rows, len, opened[t], proof.rows[t], proof.paths[t]);
    } catch (const Rejected& e) {
      throw Rejected(kWhere, name + " decommitment: " + e.what());
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

  // D'_m at position pos of domain d, from the opened rows of its trees.
  auto deep_at = [&](size_t d, size_t pos) {
    const unsigned m = l.domains[d].log_size;
    std::vector<const M31*> row(l.trees.size());
    for (size_t t : l.domains[d].trees) {
      const unsigned log_rows = m - l.trees[t].log_width;
      const size_t r = pos & ((size_t(1) << log_rows) - 1);
      const size_t at = size_t(std::lower_bound(opened[t].begin(), opened[t].end(), r) - opened[t].begin());
      row[t] = proof.rows[t].data() + at * l.trees[t].row_len() + (pos >> log_rows) * l.trees[t].columns;
    }
    const circle::CirclePoint p = circle::domain_point(m, pos);
    QM31 v;
    if (d == 0) {
      const M31* mk = row[l.composition_tree] + 4;
      v = QM31(mk[0], mk[1], mk[2], mk[3]);
    }
    for (const SampleGroup& g : groups) {
      if (g.domain != d) continue;
      const QM31 den = g.at(p);
      require(den != QM31(), kWhere, "sample point on the evaluation domain");
      v += (g.combine(row.data()) - (g.a + g.b * p.y)) * den.inverse();
    }
    return v;
  };
  // D'_m circle-folded at the pair (p, p + 2^(m−1)) of a smaller domain d.
  auto folded_at = [&](size_t d, size_t p, QM31 lambda) {
    const unsigned m = l.domains[d].log_size;
    std::vector<QM31> pair = {deep_at(d, p), deep_at(d, p + (size_t(1) << (m - 1)))};
    return fri::fold_row(pair, p, m - 1, m, 0, std::span<const QM31>(&lambda, 1));
  };
  // The value a layer has after a domain's quotient entered it, at position p.
  auto entered = [&](unsigned a, size_t p, QM31 carried) {
    const size_t d = l.injected_at(a);
    return d == 0 ? carried : carried + injection[d][1] * folded_at(d, p, injection[d][0]);
  };
  for (size_t j : queries) {
    // Layer w at j mod 2^(L−w), folded from the 2^w positions of D_L's row.
    const unsigned first_rows = l.L - l.w;
    const size_t first_pos = j & ((size_t(1) << first_rows) - 1);
    std::vector<QM31> coset(size_t(1) << l.w);
    for (size_t t = 0; t < coset.size(); ++t) coset[t] = deep_at(0, first_pos + (t << first_rows));
    QM31 carried = fri::fold_row(coset, first_pos, first_rows, l.L, 0, std::span<const QM31>(chal).first(l.w));
    for (size_t g = 0; g < l.start.size(); ++g) {
      const unsigned log_rows = l.log_rows(g);
      const size_t r = j & ((size_t(1) << log_rows) - 1), w = size_t(1) << l.k[g];
      const size_t pos = j & ((size_t(1) << (l.L - l.start[g])) - 1);
      carried = entered(l.start[g], pos, carried);
      const size_t at = size_t(std::lower_bound(fri_idx[g].begin(), fri_idx[g].end(), r) - fri_idx[g].begin());
      std::vector<QM31> row(proof.fri_rows[g].begin() + at * w, proof.fri_rows[g].begin() + (at + 1) * w);
      require(row[pos >> log_rows] == carried, kWhere, "FRI fold consistency at layer " + std::to_string(l.start[g]));
      carried = fri::fold_row(row, r, log_rows, l.L, l.start[g], std::span<const QM31>(chal).subspan(l.start[g], l.k[g]));
    }
    const size_t p = j & ((size_t(1) << (l.L - l.folds)) - 1);
    carried = entered(l.folds, p, carried);
    require(carried == circle::eval_line_poly(proof.final_coefficients, circle::domain_point(l.L - l.folds + 1, p).x),
            kWhere, "last FRI layer does not match the final coefficients");
  }
}

}  // namespace zkm31::stark
