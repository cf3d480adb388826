#include <algorithm>
#include <string>

#include "air/eval.hpp"
#include "circle/fft.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "parallel/parallel.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"
#include "stark/testing.hpp"

namespace zkm31::stark {
namespace {

// A randomised trace column f' = f + v_n·r (stark.hpp).
struct ColumnPoly {
  unsigned n;
  std::vector<M31> f, r;
  QM31 at(circle::Point<QM31> p) const { return eval_at(f, p) + air::vanishing(n, p) * eval_at(r, p); }
};

ColumnPoly randomised(std::span<const M31> rows, unsigned n, unsigned h, Randomness& rnd) {
  std::vector<M31> natural(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) natural[air::natural_index(n, i)] = rows[i];
  ColumnPoly p{n, circle::interpolate(natural), std::vector<M31>(size_t(1) << h)};
  rnd.fill(p.r);
  return p;
}

// f' on D_L. When r fits in 2^n coefficients, v_n·r is the upper half of f′'s 2^(n+1) coefficients
// (v_n = π^(n−1)(x) is basis bit n): one FFT; otherwise f and r apart, combined pointwise.
std::vector<M31> extend(const ColumnPoly& p, unsigned L, std::span<const M31> vanishing) {
  if (p.r.size() <= p.f.size()) {
    std::vector<M31> coeffs(2 * p.f.size());
    std::copy(p.f.begin(), p.f.end(), coeffs.begin());
    std::copy(p.r.begin(), p.r.end(), coeffs.begin() + p.f.size());
    return circle::evaluate(coeffs, L);
  }
  std::vector<M31> f = circle::evaluate(p.f, L);
  const std::vector<M31> r = circle::evaluate(p.r, L);
  for (size_t j = 0; j < f.size(); ++j) f[j] += vanishing[j] * r[j];
  return f;
}

// The rows of a trace tree (layout.hpp: position_in), filled column by column, several at once so that
// each row's values are written together; an extension is dropped once written, never held twice.
class SaltedRows {
 public:
  SaltedRows(unsigned L, size_t columns)
      : half_(size_t(1) << (L - 1)), cols_(columns), len_(2 * columns + kSalt), rows_(half_ * len_) {}
  void set(size_t first, const std::vector<std::vector<M31>>& cols) {
    parallel::for_range(half_, 1 << 10, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j)
        for (size_t c = 0; c < cols.size(); ++c) {
          rows_[j * len_ + first + c] = cols[c][j];
          rows_[j * len_ + cols_ + first + c] = cols[c][j + half_];
        }
    });
  }
  merkle::Tree commit(Randomness& rnd) && {
    for (size_t j = 0; j < half_; ++j) rnd.fill(std::span<M31>(rows_).subspan(j * len_ + len_ - kSalt, kSalt));
    return merkle::Tree(std::move(rows_), len_);
  }

 private:
  size_t half_, cols_, len_;
  std::vector<M31> rows_;
};

std::vector<M31> limb(std::span<const QM31> xs, size_t l) {
  std::vector<M31> out(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) out[i] = xs[i].limbs()[l];
  return out;
}

// The line polynomial (bit 0 ↔ x, bit k ↔ π^k(x)) of a folded layer of 2^K points, first `count`
// coefficients: limb by limb, the layer doubled onto D_(K+1) (a point and its conjugate share x) is a
// circle polynomial in x alone, whose even coefficients are the line coefficients.
std::vector<QM31> line_coefficients(std::span<const QM31> layer, size_t count) {
  std::array<std::vector<M31>, 4> c;
  for (size_t l = 0; l < 4; ++l) {
    std::vector<M31> doubled = limb(layer, l);
    doubled.insert(doubled.end(), doubled.begin(), doubled.end());
    c[l] = circle::interpolate(doubled);
  }
  std::vector<QM31> out(count);
  for (size_t b = 0; b < count; ++b) out[b] = QM31(c[0][2 * b], c[1][2 * b], c[2][2 * b], c[3][2 * b]);
  return out;
}

// A layer as rows of `width` positions {j + t·rows}.
std::vector<QM31> coset_rows(std::span<const QM31> layer, size_t width) {
  const size_t rows = layer.size() / width;
  std::vector<QM31> out(layer.size());
  for (size_t j = 0; j < rows; ++j)
    for (size_t t = 0; t < width; ++t) out[j * width + t] = layer[j + t * rows];
  return out;
}

Proof prove_with(const air::Components& cs, const std::vector<air::Columns>& traces, const Config& config,
                 Randomness& rnd, bool check, bool match_ood) {
  const Layout l = layout_of(cs, config, false);
  if (traces.size() != cs.size())
    throw BadInput("stark: " + std::to_string(traces.size()) + " traces for " + std::to_string(cs.size()) + " components");
  for (size_t c = 0; c < cs.size(); ++c) {
    if (check) {
      air::check_trace(*cs[c], traces[c]);
    } else {
      air::check_shape(*cs[c], traces[c]);
    }
  }
  const size_t N = size_t(1) << l.L;
  Proof proof;
  proof.config = config;
  Channel ch("zkm31/stark");
  absorb_statement(ch, cs, config);

  const std::vector<circle::CirclePoint> domain = circle::canonic_domain(l.L);
  std::vector<std::vector<M31>> vanishing(kMaxLogSize + 1);
  for (const auto& c : cs) {
    auto& v = vanishing[c->log_size()];
    if (!v.empty()) continue;
    v.resize(N);
    parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) v[j] = air::vanishing(c->log_size(), domain[j]);
    });
  }

  // Main trace.
  std::vector<ColumnPoly> main_polys, inter_polys;
  std::vector<std::vector<M31>> inter_lde;
  SaltedRows main_rows(l.L, l.main_cols);
  std::vector<std::vector<M31>> batch;  // extensions written to the rows kBatch at a time
  constexpr size_t kBatch = 16;
  for (size_t c = 0; c < cs.size(); ++c)
    for (const auto& col : traces[c]) {
      main_polys.push_back(randomised(col, cs[c]->log_size(), l.h, rnd));
      batch.push_back(extend(main_polys.back(), l.L, vanishing[cs[c]->log_size()]));
      if (batch.size() == kBatch) main_rows.set(main_polys.size() - kBatch, batch), batch.clear();
    }
  main_rows.set(main_polys.size() - batch.size(), batch), batch.clear();
  const merkle::Tree main_tree = std::move(main_rows).commit(rnd);
  proof.roots[0] = main_tree.root();
  ch.absorb_digest("stark/main", proof.roots[0]);

  // Interaction trace: I_k = multiplicity_k / denominator_k per row, and the running sum S.
  const air::LookupChallenges lookup{ch.draw_qm31("stark/lookup_z"), ch.draw_qm31("stark/lookup_alpha")};
  for (size_t c = 0; c < cs.size(); ++c) {
    const air::Component& comp = *cs[c];
    const size_t K = comp.lookups(), rows = size_t(1) << comp.log_size();
    if (K == 0) {
      proof.claimed_sums.push_back(QM31());
      continue;
    }
    air::TraceEval e(traces[c], comp.log_size(), &lookup);
    for (size_t i = 0; i < rows; ++i) e.at(i), comp.evaluate(e);
    if (e.denominators.size() != rows * K) throw BadInput("stark: component " + comp.name() + " made a wrong number of lookups");
    for (const QM31& d : e.denominators)
      if (d == QM31()) throw BadInput("stark: a LogUp denominator is zero (draw again)");
    std::vector<QM31> inv(e.denominators.size());
    batch_inverse<QM31>(e.denominators, inv);
    std::vector<std::vector<QM31>> cols(K + 1, std::vector<QM31>(rows));
    QM31 total;
    for (size_t i = 0; i < rows; ++i)
      for (size_t k = 0; k < K; ++k) total += cols[k][i] = inv[i * K + k] * e.numerators[i * K + k];
    const QM31 per_row = total * M31::from_u64(rows).inverse();
    QM31 s;
    for (size_t i = 0; i < rows; ++i) {
      for (size_t k = 0; k < K; ++k) s += cols[k][i];
      cols[K][i] = s -= per_row;
    }
    proof.claimed_sums.push_back(total);
    for (const auto& col : cols)
      for (size_t li = 0; li < 4; ++li) {
        inter_polys.push_back(randomised(limb(col, li), comp.log_size(), l.h, rnd));
        inter_lde.push_back(extend(inter_polys.back(), l.L, vanishing[comp.log_size()]));
      }
  }
  SaltedRows inter_rows(l.L, l.inter_cols);
  inter_rows.set(0, inter_lde);
  std::vector<std::vector<M31>>().swap(inter_lde);
  if (check) {
    QM31 total;
    for (const QM31& s : proof.claimed_sums) total += s;
    if (total != QM31()) throw BadInput("stark: the lookups do not balance (a looked-up value is missing from its table)");
  }
  const merkle::Tree inter_tree = std::move(inter_rows).commit(rnd);
  proof.roots[1] = inter_tree.root();
  ch.absorb_digest("stark/interaction", proof.roots[1]);
  ch.absorb_qm31s("stark/claimed", proof.claimed_sums);

  // Composition Q = Σ_c combination_c / v_{n_c} on D_L, and the mask.
  const std::vector<QM31> alphas = ch.draw_qm31s("stark/alpha", cs.size());
  const std::span<const M31> main_values = main_tree.values(), inter_values = inter_tree.values();
  std::vector<QM31> Q(N);
  for (size_t c = 0; c < cs.size(); ++c) {
    const air::Component& comp = *cs[c];
    const unsigned n = comp.log_size();
    const size_t last = (size_t(1) << n) - 1;
    std::vector<M31> first(N), lastv(N), not_last(N), inv_v(N);
    const circle::CirclePoint p0 = air::trace_point(n, 0), pl = air::trace_point(n, last);
    parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) {
        first[j] = air::only_row(n, p0, domain[j]);
        lastv[j] = air::only_row(n, pl, domain[j]);
        not_last[j] = air::except_row(pl, domain[j]);
      }
    });
    batch_inverse<M31>(vanishing[n], inv_v);
    const std::vector<QM31> powers = air::combination_powers(alphas[c], comp.all_constraints());
    const air::DomainEval::Rows mains{main_values.data(), l.main_cols, l.main_at[c]},
        inters{inter_values.data(), l.inter_cols, l.inter_at[c]};
    const QM31 claimed_over_rows = proof.claimed_sums[c] * M31::from_u64(last + 1).inverse();
    parallel::for_range(N, 1 << 10, [&](size_t b, size_t e) {
      air::DomainEval ev(l.L, mains, inters, {first, lastv, not_last}, powers, lookup);
      for (size_t j = b; j < e; ++j) {
        ev.at(j, next_index(l.L, n, j));
        comp.evaluate(ev);
        Q[j] += ev.finish(comp.lookups(), claimed_over_rows) * inv_v[j];
      }
    });
  }
  // The composition's limbs (kept as coefficients for the out-of-domain samples) and the mask.
  std::array<std::vector<M31>, 4> q_coeffs;
  SaltedRows comp_rows(l.L, 8);
  for (size_t li = 0; li < 4; ++li) {
    batch.push_back(limb(Q, li));
    q_coeffs[li] = circle::interpolate(batch.back());
    q_coeffs[li].resize(size_t(1) << l.q);
  }
  std::vector<QM31>().swap(Q);
  for (size_t li = 0; li < 4; ++li) {
    std::vector<M31> coeffs(size_t(1) << l.q);
    rnd.fill(coeffs);
    batch.push_back(circle::evaluate(coeffs, l.L));
  }
  comp_rows.set(0, batch);
  batch.clear();
  const merkle::Tree comp_tree = std::move(comp_rows).commit(rnd);
  proof.roots[2] = comp_tree.root();
  ch.absorb_digest("stark/composition", proof.roots[2]);

  // Out-of-domain samples.
  const Ood ood = draw_ood(ch);
  if (!ood.ok) throw BadInput("stark: degenerate out-of-domain point (prove again)");
  for (size_t c = 0, m = 0, i = 0; c < cs.size(); ++c) {
    const circle::Point<QM31> zn = shifted(ood.z, cs[c]->log_size());
    for (size_t t = 0; t < cs[c]->main_columns(); ++t, ++m)
      proof.sampled.push_back(main_polys[m].at(ood.z)), proof.sampled.push_back(main_polys[m].at(zn));
    for (size_t t = 0; t < cs[c]->interaction_columns(); ++t, ++i)
      proof.sampled.push_back(inter_polys[i].at(ood.z)), proof.sampled.push_back(inter_polys[i].at(zn));
  }
  for (size_t li = 0; li < 4; ++li) proof.sampled.push_back(eval_at(q_coeffs[li], ood.z));
  if (match_ood) {
    const QM31 expected = composition_at(cs, ood.z, proof.sampled, alphas, lookup, proof.claimed_sums);
    std::fill(proof.sampled.end() - 4, proof.sampled.end(), QM31());
    proof.sampled[proof.sampled.size() - 4] = expected;
  }
  ch.absorb_qm31s("stark/sampled", proof.sampled);

  // DEEP: D' = M + Σ_groups (Σ γ^k f_k − line) / V.
  const QM31 gamma = ch.draw_qm31("stark/gamma");
  const std::vector<SampleGroup> groups = sample_groups(cs, l, ood.z, gamma, proof.sampled);
  const M31* tree_values[3] = {main_values.data(), inter_values.data(), comp_tree.values().data()};
  const size_t columns[3] = {l.main_cols, l.inter_cols, 8};
  auto rows_at = [&](size_t j, const M31* (&rows)[3]) {
    for (size_t t = 0; t < 3; ++t) rows[t] = position_in(tree_values[t], columns[t], l.L, j);
  };
  std::vector<QM31> deep(N);
  parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j) {
      const M31* m = position_in(tree_values[2], 8, l.L, j) + 4;
      deep[j] = QM31(m[0], m[1], m[2], m[3]);
    }
  });
  for (const SampleGroup& g : groups) {
    std::vector<QM31> den(N);
    parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) den[j] = g.at(domain[j]);
    });
    batch_inverse<QM31>(den, den);
    // Σ_i γ^k_i·f_i(P) limb by limb in 128-bit sums, reduced once per point.
    parallel::for_range(N, 1 << 10, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) {
        const M31* rows[3];
        rows_at(j, rows);
        deep[j] += (g.combine(rows) - (g.a + g.b * domain[j].y)) * den[j];
      }
    });
  }

  // FRI.
  std::vector<QM31> chal = {ch.draw_qm31("stark/fri")};
  std::vector<QM31> layer = fri::fold_circle(std::span<const QM31>(deep), chal.back());
  std::vector<std::vector<QM31>> fri_layers;
  std::vector<merkle::Tree> fri_trees;
  for (size_t g = 0; g < l.start.size(); ++g) {
    fri_layers.push_back(coset_rows(layer, size_t(1) << l.k[g]));
    fri_trees.emplace_back(std::span<const QM31>(fri_layers.back()), size_t(1) << l.k[g]);
    proof.fri_roots.push_back(fri_trees.back().root());
    ch.absorb_digest("stark/fri_root", proof.fri_roots.back());
    for (unsigned t = 0; t < l.k[g]; ++t) {
      chal.push_back(ch.draw_qm31("stark/fri"));
      layer = fri::fold_line(layer, chal.back());
    }
  }
  proof.final_coefficients = line_coefficients(layer, size_t(1) << (l.q - l.folds));
  ch.absorb_qm31s("stark/final", proof.final_coefficients);
  proof.pow_nonce = ch.grind(config.pow_bits);
  const std::vector<size_t> queries = ch.draw_indices("stark/queries", config.queries, l.L - 1);

  const std::vector<size_t> opened = opened_rows(queries);
  const merkle::Tree* trees[3] = {&main_tree, &inter_tree, &comp_tree};
  for (size_t t = 0; t < 3; ++t) {
    for (size_t j : opened) {
      const std::vector<M31> row = trees[t]->row(j);
      proof.rows[t].insert(proof.rows[t].end(), row.begin(), row.end());
    }
    proof.paths[t] = trees[t]->open(opened);
  }
  for (size_t g = 0; g < l.start.size(); ++g) {
    const size_t w = size_t(1) << l.k[g];
    std::vector<QM31> opened;
    const std::vector<size_t> idx = fri_rows_of(queries, l, g);
    for (size_t j : idx) opened.insert(opened.end(), fri_layers[g].begin() + j * w, fri_layers[g].begin() + (j + 1) * w);
    proof.fri_rows.push_back(std::move(opened));
    proof.fri_paths.push_back(fri_trees[g].open(idx));
  }
  return proof;
}

}  // namespace

Proof prove(const air::Components& cs, const std::vector<air::Columns>& traces, const Config& config) {
  Randomness rnd;
  return prove_with(cs, traces, config, rnd, true, false);
}

Proof prove(const air::Components& cs, const std::vector<air::Columns>& traces, const Config& config, Randomness& rnd) {
  return prove_with(cs, traces, config, rnd, true, false);
}

Proof testing::prove_unchecked(const air::Components& cs, const std::vector<air::Columns>& traces, const Config& config,
                               Randomness& rnd, bool match_ood) {
  return prove_with(cs, traces, config, rnd, false, match_ood);
}

}  // namespace zkm31::stark
