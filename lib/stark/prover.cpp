#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "air/eval.hpp"
#include "circle/fft.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "parallel/parallel.hpp"
#include "poly/bitrev.hpp"
#include "stark/layout.hpp"
#include "stark/stark.hpp"
#include "stark/testing.hpp"

namespace zkm31::stark {
namespace {

// A randomised trace column f' = f + v_n·r (stark.hpp), f's and r's coefficients kept in bit-reversed
// order (the FFTs' own: no permutation per evaluation).
struct ColumnPoly {
  unsigned n;
  std::vector<M31> f, r;
  // f′'s coefficients in its space of 2^e (out.size()), bit-reversed. When r fits below 2^n coefficients
  // (e = n + 1), v_n·r is the block [2^n, 2^n + 2^h) (v_n = π^(n−1)(x) is basis bit n): bitrev puts f at
  // the even positions, r at the odd ones every 2^(n−h); otherwise v_n·r is interpolated from its values
  // on D_e (a small component).
  void coefficients(std::span<M31> out) const {
    std::fill(out.begin(), out.end(), M31());
    if (r.size() < f.size() && out.size() == 2 * f.size()) {
      const size_t stride = f.size() / r.size();
      for (size_t i = 0; i < f.size(); ++i) out[2 * i] = f[i];
      for (size_t i = 0; i < r.size(); ++i) out[2 * i * stride + 1] = r[i];
      return;
    }
    const unsigned e = unsigned(__builtin_ctzll(out.size()));
    std::vector<M31> vr = circle::evaluate_bitreversed(r, e);
    const std::vector<circle::CirclePoint> d = circle::canonic_domain(e);
    for (size_t j = 0; j < vr.size(); ++j) vr[j] *= air::vanishing(n, d[j]);
    vr = circle::interpolate(vr);
    const std::vector<M31> fn = poly::bitrev_permute<M31>(f);
    for (size_t j = 0; j < fn.size(); ++j) vr[j] += fn[j];
    poly::bitrev_permute_into<M31>(vr, out, 0);
  }
};

ColumnPoly randomised(std::span<const M31> rows, unsigned n, unsigned h, Randomness& rnd) {
  std::vector<M31> natural(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) natural[air::natural_index(n, i)] = rows[i];
  ColumnPoly p{n, circle::interpolate_bitreversed(natural), std::vector<M31>(size_t(1) << h)};
  rnd.fill(p.r);  // uniform in any order
  return p;
}

// The circle basis T_b(p) (fft.hpp) for b < 2^k at a point, in bit-reversed order of b, limb by limb: what
// a column with bit-reversed coefficients is dotted with to evaluate it there.
struct BasisAt {
  std::array<std::vector<uint32_t>, 4> limbs;
  BasisAt(unsigned k, circle::Point<QM31> p) {
    std::vector<QM31> t(size_t(1) << k);
    t[0] = QM31::one();
    QM31 factor = p.y;
    for (unsigned bit = 0; bit < k; ++bit) {
      const size_t half = size_t(1) << bit;
      for (size_t b = 0; b < half; ++b) t[b + half] = t[b] * factor;
      factor = bit == 0 ? p.x : factor * factor * M31(2) - QM31::one();
    }
    t = poly::bitrev_permute<QM31>(t);
    for (size_t l = 0; l < 4; ++l) {
      limbs[l].resize(t.size());
      for (size_t b = 0; b < t.size(); ++b) limbs[l][b] = t[b].limbs()[l].v;
    }
  }
  // Σ c_i·T_i: M31 by limb products folded below 2^32 and summed in 64 bits.
  QM31 dot(std::span<const M31> c) const {
    uint64_t w[4] = {};
    for (size_t l = 0; l < 4; ++l) {
      const uint32_t* t = limbs[l].data();
      for (size_t i = 0; i < c.size(); ++i) {
        const uint64_t prod = uint64_t(t[i]) * c[i].v;
        w[l] += (prod & kP) + (prod >> 31);
      }
    }
    return QM31(M31::from_u64(w[0]), M31::from_u64(w[1]), M31::from_u64(w[2]), M31::from_u64(w[3]));
  }
};

// The rows of a tree (layout.hpp: TreeShape), filled column by column, several at once so that each row's
// values are written together; an evaluation is dropped once written, never held twice.
class SaltedRows {
 public:
  explicit SaltedRows(unsigned m, const TreeShape& t)
      : rows_count_(size_t(1) << (m - t.log_width)), width_(size_t(1) << t.log_width), cols_(t.columns),
        len_(t.row_len()), rows_(rows_count_ * len_) {}
  void set(size_t first, std::span<const std::vector<M31>> cols) {
    parallel::for_range(rows_count_, 1 << 10, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j)
        for (size_t t = 0; t < width_; ++t) {
          M31* at = rows_.data() + j * len_ + t * cols_ + first;
          for (size_t c = 0; c < cols.size(); ++c) at[c] = cols[c][j + t * rows_count_];
        }
    });
  }
  merkle::Tree commit(Randomness& rnd) && {
    for (size_t j = 0; j < rows_count_; ++j) rnd.fill(std::span<M31>(rows_).subspan(j * len_ + len_ - kSalt, kSalt));
    return merkle::Tree(std::move(rows_), len_);
  }

 private:
  size_t rows_count_, width_, cols_, len_;
  std::vector<M31> rows_;
};

// Commits columns (each given by its 2^e coefficients in bit-reversed order, `coeffs` writing column i's)
// on D_m, 16 at a time.
merkle::Tree commit_columns(unsigned m, const TreeShape& shape, size_t log_coeffs,
                            const std::function<void(size_t, std::span<M31>)>& coeffs, Randomness& rnd) {
  SaltedRows rows(m, shape);
  const size_t count = shape.columns;
  constexpr size_t kBatch = 16;
  std::vector<M31> c(size_t(1) << log_coeffs);
  std::vector<std::vector<M31>> batch(std::min(kBatch, count), std::vector<M31>(size_t(1) << m));
  for (size_t first = 0; first < count; first += kBatch) {
    const size_t n = std::min(kBatch, count - first);
    for (size_t i = 0; i < n; ++i) {
      coeffs(first + i, c);
      circle::evaluate_bitreversed(c, batch[i]);
    }
    rows.set(first, std::span<const std::vector<M31>>(batch).first(n));
  }
  return std::move(rows).commit(rnd);
}

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

// The closed forms at the points of one residue class of D_q (circle::ResidueDomain) for a size-2^n
// component: its selectors and 1/v_n.
struct ClassSelectors {
  std::vector<M31> first, last, not_last, inv_vanishing;
};
ClassSelectors class_selectors(unsigned n, unsigned e, unsigned q, size_t residue) {
  const size_t size = size_t(1) << e, half = size / 2;
  const circle::CirclePoint g = circle::subgroup_gen(q + 1), step = g.mul(uint64_t(4) << (q - e));
  const circle::CirclePoint p0 = air::trace_point(n, 0), last_row = air::trace_point(n, (size_t(1) << n) - 1);
  ClassSelectors s{std::vector<M31>(size), std::vector<M31>(size), std::vector<M31>(size), std::vector<M31>(size)};
  // only_row(r)(P) = v_n(P)·(P.x + x_r) / (y_r·P.x − x_r·P.y): the denominators and v_n inverted in one batch.
  std::vector<M31> den(3 * size);
  parallel::for_range(half, 1 << 10, [&](size_t b, size_t end) {
    circle::CirclePoint p = g.mul(4 * uint64_t(residue) + 1) + step.mul(b);
    for (size_t k = b; k < end; ++k, p = p + step)
      for (const circle::CirclePoint& pt : {p, p.conj()}) {
        const size_t at = pt == p ? k : k + half;
        const M31 v = air::vanishing(n, pt);
        s.first[at] = v * (pt.x + p0.x), s.last[at] = v * (pt.x + last_row.x);
        s.not_last[at] = air::except_row(last_row, pt);
        den[at] = pt.x * p0.y - pt.y * p0.x, den[size + at] = pt.x * last_row.y - pt.y * last_row.x, den[2 * size + at] = v;
      }
  });
  batch_inverse<M31>(den, den);
  for (size_t k = 0; k < size; ++k)
    s.first[k] *= den[k], s.last[k] *= den[size + k], s.inv_vanishing[k] = den[2 * size + k];
  return s;
}

// Adds component c's combination / v_n at every point of D_q to Q (natural order), residue class by class:
// its columns are evaluated from their coefficients on a class of 2^e points (closed under one trace row,
// e > n) at a time, into one buffer reused for every class.
void add_composition(const air::Component& comp, unsigned e, unsigned q, std::span<const ColumnPoly> mains,
                     std::span<const ColumnPoly> inters, std::span<const QM31> powers, const air::LookupChallenges& lookup,
                     QM31 claimed_over_rows, std::span<QM31> Q) {
  const unsigned n = comp.log_size();
  const size_t size = size_t(1) << e, classes = size_t(1) << (q - e);
  const size_t nm = mains.size(), ni = inters.size();
  // Column after column: each is evaluated in place.
  std::vector<M31> main_block(size * nm), inter_block(size * ni);
  for (size_t residue = 0; residue < classes; ++residue) {
    const circle::ResidueDomain rd(e, q, residue);
    parallel::for_range(nm + ni, 1, [&](size_t b, size_t end) {
      std::vector<M31> coeffs(size);
      for (size_t i = b; i < end; ++i) {
        const bool is_main = i < nm;
        (is_main ? mains[i] : inters[i - nm]).coefficients(coeffs);
        M31* out = is_main ? main_block.data() + i * size : inter_block.data() + (i - nm) * size;
        rd.evaluate_bitreversed(coeffs, std::span<M31>(out, size));
      }
    });
    const ClassSelectors sel = class_selectors(n, e, q, residue);
    parallel::for_range(size, 1 << 10, [&](size_t b, size_t end) {
      air::DomainEval ev({main_block.data(), size}, {inter_block.data(), size}, {sel.first, sel.last, sel.not_last}, powers,
                         lookup);
      for (size_t k = b; k < end; ++k) {
        ev.at(k, next_index(e, n, k));
        comp.evaluate(ev);
        Q[residue + classes * k] += ev.finish(comp.lookups(), claimed_over_rows) * sel.inv_vanishing[k];
      }
    });
  }
}

Proof prove_with(const air::Components& cs, const std::vector<air::Columns>& traces, const Config& config,
                 Randomness& rnd, bool check, bool match_ood) {
  const Layout l = layout_of(cs, config, false);
  if (traces.size() != cs.size())
    throw BadInput("stark: " + std::to_string(traces.size()) + " traces for " + std::to_string(cs.size()) + " components");
  // The witness check; a component with lookups is checked in its LogUp pass instead (one evaluation of
  // its constraints on the trace, not two).
  for (size_t c = 0; c < cs.size(); ++c) {
    if (check && cs[c]->lookups() == 0) {
      air::check_trace(*cs[c], traces[c]);
    } else {
      air::check_shape(*cs[c], traces[c]);
    }
  }
  Proof proof;
  proof.config = config;
  Channel ch("zkm31/stark");
  absorb_statement(ch, cs, config, l);
  std::vector<merkle::Tree> trees;
  // Commits tree t from the polynomials of its components (their main or interaction columns).
  auto commit_tree = [&](size_t t, const std::vector<std::vector<ColumnPoly>>& polys, const std::vector<size_t>& tree_of) {
    std::vector<const ColumnPoly*> cols;
    unsigned e = 0;
    for (size_t c = 0; c < cs.size(); ++c)
      if (tree_of[c] == t) {
        for (const ColumnPoly& p : polys[c]) cols.push_back(&p);
        e = l.log_coeffs[c];
      }
    trees.push_back(commit_columns(l.domains[l.trees[t].domain].log_size, l.trees[t], e,
                                   [&](size_t i, std::span<M31> out) { cols[i]->coefficients(out); }, rnd));
    proof.roots.push_back(trees.back().root());
  };

  // Main trace.
  std::vector<std::vector<ColumnPoly>> main_polys(cs.size()), inter_polys(cs.size());
  for (size_t c = 0; c < cs.size(); ++c)
    for (const auto& col : traces[c]) main_polys[c].push_back(randomised(col, cs[c]->log_size(), l.h, rnd));
  for (size_t t = 0; t < l.main_trees; ++t) {
    commit_tree(t, main_polys, l.main_tree);
    ch.absorb_digest("stark/main", proof.roots.back());
  }

  // Interaction trace: I_k = multiplicity_k / denominator_k per row, and the running sum S.
  const air::LookupChallenges lookup{ch.draw_qm31("stark/lookup_z"), ch.draw_qm31("stark/lookup_alpha")};
  for (size_t c = 0; c < cs.size(); ++c) {
    const air::Component& comp = *cs[c];
    const size_t K = comp.lookups(), rows = size_t(1) << comp.log_size();
    if (K == 0) {
      proof.claimed_sums.push_back(QM31());
      continue;
    }
    // The fractions row by row, chunks in parallel; each chunk inverts its own denominators.
    std::vector<M31> numerators(rows * K);
    std::vector<QM31> inv(rows * K);
    std::atomic<bool> miscounted{false}, zero{false};
    std::mutex m;
    size_t first_bad = rows;
    std::string problem;
    parallel::for_range(rows, 1 << 8, [&](size_t b, size_t end) {
      air::TraceEval e(traces[c], comp.log_size(), &lookup);
      for (size_t i = b; i < end; ++i) {
        e.at(i), comp.evaluate(e);
        if (!check) continue;
        std::string found = air::row_problem(comp, e, i);
        if (found.empty()) continue;
        std::lock_guard lock(m);
        if (i < first_bad) first_bad = i, problem = std::move(found);
        return;
      }
      if (e.denominators.size() != (end - b) * K) {
        miscounted = true;
        return;
      }
      if (std::any_of(e.denominators.begin(), e.denominators.end(), [](const QM31& d) { return d == QM31(); })) {
        zero = true;
        return;
      }
      std::copy(e.numerators.begin(), e.numerators.end(), numerators.begin() + b * K);
      batch_inverse<QM31>(e.denominators, std::span<QM31>(inv).subspan(b * K, (end - b) * K));
    });
    if (first_bad < rows) throw BadInput(problem);
    if (miscounted) throw BadInput("stark: component " + comp.name() + " made a wrong number of lookups");
    if (zero) throw BadInput("stark: a LogUp denominator is zero (draw again)");
    std::vector<std::vector<QM31>> cols(K + 1, std::vector<QM31>(rows));
    QM31 total;
    for (size_t i = 0; i < rows; ++i)
      for (size_t k = 0; k < K; ++k) total += cols[k][i] = inv[i * K + k] * numerators[i * K + k];
    const QM31 per_row = total * M31::from_u64(rows).inverse();
    QM31 s;
    for (size_t i = 0; i < rows; ++i) {
      for (size_t k = 0; k < K; ++k) s += cols[k][i];
      cols[K][i] = s -= per_row;
    }
    proof.claimed_sums.push_back(total);
    for (const auto& col : cols)
      for (size_t li = 0; li < 4; ++li) inter_polys[c].push_back(randomised(limb(col, li), comp.log_size(), l.h, rnd));
  }
  if (check) {
    QM31 total;
    for (const QM31& s : proof.claimed_sums) total += s;
    if (total != QM31()) throw BadInput("stark: the lookups do not balance (a looked-up value is missing from its table)");
  }
  for (size_t t = l.main_trees; t < l.composition_tree; ++t) {
    commit_tree(t, inter_polys, l.inter_tree);
    ch.absorb_digest("stark/interaction", proof.roots.back());
  }
  ch.absorb_qm31s("stark/claimed", proof.claimed_sums);

  // Composition Q = Σ_c combination_c / v_{n_c} on D_q, extended to D_L with the mask.
  const std::vector<QM31> alphas = ch.draw_qm31s("stark/alpha", cs.size());
  std::array<std::vector<M31>, 4> q_coeffs;
  {
    std::vector<QM31> Q(size_t(1) << l.q);
    for (size_t c = 0; c < cs.size(); ++c) {
      const air::Component& comp = *cs[c];
      add_composition(comp, l.log_coeffs[c], l.q, main_polys[c], inter_polys[c],
                      air::combination_powers(alphas[c], comp.all_constraints()), lookup,
                      proof.claimed_sums[c] * M31::from_u64(uint64_t(1) << comp.log_size()).inverse(), Q);
    }
    for (size_t li = 0; li < 4; ++li) q_coeffs[li] = circle::interpolate_bitreversed(limb(Q, li));
  }
  std::array<std::vector<M31>, 4> mask;
  for (auto& m : mask) m.resize(size_t(1) << l.q), rnd.fill(m);  // uniform in any order
  trees.push_back(commit_columns(l.L, l.trees[l.composition_tree], l.q, [&](size_t i, std::span<M31> out) {
    const auto& src = i < 4 ? q_coeffs[i] : mask[i - 4];
    std::copy(src.begin(), src.end(), out.begin());
  }, rnd));
  proof.roots.push_back(trees.back().root());
  ch.absorb_digest("stark/composition", proof.roots.back());

  // Out-of-domain samples.
  const Ood ood = draw_ood(ch);
  if (!ood.ok) throw BadInput("stark: degenerate out-of-domain point (prove again)");
  // Every trace column at z and one row further (Proof::sampled): dot products of its coefficients with
  // the basis there, one basis per point and size, columns in parallel.
  std::map<std::pair<unsigned, unsigned>, BasisAt> bases;  // (log size, 0 for z / n for z + one row)
  auto basis = [&](unsigned k, unsigned shift) -> const BasisAt& {
    auto it = bases.find({k, shift});
    if (it == bases.end()) it = bases.emplace(std::pair{k, shift}, BasisAt(k, shift ? shifted(ood.z, shift) : ood.z)).first;
    return it->second;
  };
  struct Sample {
    const ColumnPoly* poly;
    const BasisAt *f, *r;
    QM31 vanishing;
  };
  std::vector<Sample> samples;
  for (size_t c = 0; c < cs.size(); ++c) {
    const unsigned n = cs[c]->log_size();
    auto add = [&](const ColumnPoly& p, unsigned shift) {
      samples.push_back({&p, &basis(n, shift), &basis(l.h, shift), air::vanishing(n, shift ? shifted(ood.z, n) : ood.z)});
    };
    for (const ColumnPoly& p : main_polys[c]) add(p, 0);
    for (size_t i = 0; i < main_polys[c].size(); ++i)
      if (l.next_slot[c][i] >= 0) add(main_polys[c][i], n);
    for (const ColumnPoly& p : inter_polys[c]) add(p, 0), add(p, n);
  }
  proof.sampled.resize(samples.size());
  parallel::for_range(samples.size(), 1, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const Sample& s = samples[i];
      proof.sampled[i] = s.f->dot(s.poly->f) + s.vanishing * s.r->dot(s.poly->r);
    }
  });
  for (size_t li = 0; li < 4; ++li) proof.sampled.push_back(eval_at(q_coeffs[li], ood.z));
  if (match_ood) {
    const QM31 expected = composition_at(cs, l, ood.z, proof.sampled, alphas, lookup, proof.claimed_sums);
    std::fill(proof.sampled.end() - 4, proof.sampled.end(), QM31());
    proof.sampled[proof.sampled.size() - 4] = expected;
  }
  std::vector<std::vector<ColumnPoly>>().swap(main_polys);
  std::vector<std::vector<ColumnPoly>>().swap(inter_polys);
  ch.absorb_qm31s("stark/sampled", proof.sampled);

  // DEEP, per domain: D'_m = [M] + Σ_groups (Σ γ^k f_k − line) / V.
  const QM31 gamma = ch.draw_qm31("stark/gamma");
  const std::vector<SampleGroup> groups = sample_groups(cs, l, ood.z, gamma, proof.sampled);
  std::vector<std::vector<QM31>> deep(l.domains.size());
  for (size_t d = 0; d < l.domains.size(); ++d) {
    const unsigned m = l.domains[d].log_size;
    const size_t N = size_t(1) << m;
    const std::vector<circle::CirclePoint> domain = circle::canonic_domain(m);
    deep[d].resize(N);
    if (d == 0) {
      const M31* values = trees[l.composition_tree].values().data();
      parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
        for (size_t j = b; j < e; ++j) {
          const M31* mk = position_in(values, l.trees[l.composition_tree], m, j) + 4;
          deep[d][j] = QM31(mk[0], mk[1], mk[2], mk[3]);
        }
      });
    }
    for (const SampleGroup& g : groups) {
      if (g.domain != d) continue;
      std::vector<QM31> den(N);
      parallel::for_range(N, 1 << 12, [&](size_t b, size_t e) {
        for (size_t j = b; j < e; ++j) den[j] = g.at(domain[j]);
      });
      batch_inverse<QM31>(den, den);
      parallel::for_range(N, 1 << 10, [&](size_t b, size_t e) {
        std::vector<const M31*> rows(trees.size());
        for (size_t j = b; j < e; ++j) {
          for (size_t t : l.domains[d].trees) rows[t] = position_in(trees[t].values().data(), l.trees[t], m, j);
          deep[d][j] += (g.combine(rows.data()) - (g.a + g.b * domain[j].y)) * den[j];
        }
      });
    }
  }

  // FRI, the smaller domains' quotients entering at their layers.
  std::vector<QM31> chal = {ch.draw_qm31("stark/fri")};
  std::vector<QM31> layer = fri::fold_circle(std::span<const QM31>(deep[0]), chal.back());
  for (unsigned a = 1; a < l.w; ++a) {  // folded by the verifier from D_L's rows
    chal.push_back(ch.draw_qm31("stark/fri"));
    layer = fri::fold_line(layer, chal.back());
  }
  auto inject = [&](unsigned a) {
    const size_t d = l.injected_at(a);
    if (d == 0) return;
    const QM31 lambda = ch.draw_qm31("stark/inject_fold"), mu = ch.draw_qm31("stark/inject");
    const std::vector<QM31> folded = fri::fold_circle(std::span<const QM31>(deep[d]), lambda);
    parallel::for_range(layer.size(), 1 << 12, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) layer[j] += mu * folded[j];
    });
  };
  std::vector<std::vector<QM31>> fri_layers;
  std::vector<merkle::Tree> fri_trees;
  for (size_t g = 0; g < l.start.size(); ++g) {
    inject(l.start[g]);
    fri_layers.push_back(coset_rows(layer, size_t(1) << l.k[g]));
    fri_trees.emplace_back(std::span<const QM31>(fri_layers.back()), size_t(1) << l.k[g]);
    proof.fri_roots.push_back(fri_trees.back().root());
    ch.absorb_digest("stark/fri_root", proof.fri_roots.back());
    for (unsigned t = 0; t < l.k[g]; ++t) {
      chal.push_back(ch.draw_qm31("stark/fri"));
      layer = fri::fold_line(layer, chal.back());
    }
  }
  inject(l.folds);
  std::vector<std::vector<QM31>>().swap(deep);
  proof.final_coefficients = line_coefficients(layer, size_t(1) << l.log_final());
  ch.absorb_qm31s("stark/final", proof.final_coefficients);
  proof.pow_nonce = ch.grind(config.pow_bits);
  const std::vector<size_t> queries = ch.draw_indices("stark/queries", config.queries, l.L - 1);

  for (size_t t = 0; t < trees.size(); ++t) {
    const std::vector<size_t> opened = opened_rows(queries, l.domains[l.trees[t].domain].log_size - l.trees[t].log_width);
    proof.rows.emplace_back();
    for (size_t j : opened) {
      const std::vector<M31> row = trees[t].row(j);
      proof.rows.back().insert(proof.rows.back().end(), row.begin(), row.end());
    }
    proof.paths.push_back(trees[t].open(opened));
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
