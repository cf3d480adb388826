#include "stark/layout.hpp"

#include <algorithm>
#include <string>

#include "air/eval.hpp"
#include "error/error.hpp"

namespace zkm31::stark {
namespace {

// The smallest q with 2^(q−1) > degree: a polynomial of that (total) degree lies in the circle FFT's space
// of 2^q coefficients.
unsigned log_bound(uint64_t degree) {
  unsigned q = 1;
  while ((uint64_t(1) << (q - 1)) <= degree) ++q;
  return q;
}

}  // namespace

unsigned zk_log_size(const Config& c, unsigned composition_log_width) {
  // Per query: the column's own pair, and the 2^w positions of D_L a composition row holds with one
  // trace row after each; then 4 limbs at each of z and z + one row.
  const uint64_t functionals = (2 + (uint64_t(2) << composition_log_width)) * c.queries + 8;
  unsigned h = 1;
  while ((uint64_t(1) << h) - 1 < functionals) ++h;
  return h;
}

size_t Layout::injected_at(unsigned layer) const {
  for (size_t d = 1; d < domains.size(); ++d)
    if (domains[d].inject == layer) return d;
  return 0;
}

namespace {

// The layout for zk_log_size h with D_L's trees holding 2^w positions per row.
Layout layout_with(const air::Components& cs, const Config& config, unsigned h, unsigned w) {
  Layout l;
  l.h = h, l.w = w;
  for (const auto& c : cs) {
    // A randomised column f + v_n·r has degree ≤ 2^(n−1) + 2^(h−1); a constraint of degree d in the
    // columns and selectors divided by v_n, ≤ d·that − 2^(n−1).
    const uint64_t column = (uint64_t(1) << (c->log_size() - 1)) + (uint64_t(1) << (l.h - 1));
    l.log_coeffs.push_back(log_bound(column));
    l.q = std::max({l.q, l.log_coeffs.back(), log_bound(c->degree() * column - (uint64_t(1) << (c->log_size() - 1)))});
    const std::vector<bool> next = air::next_reads(*c);
    l.next_slot.emplace_back();
    int32_t k = 0;
    for (bool read : next) l.next_slot.back().push_back(read ? k++ : -1);
    l.next_count.push_back(size_t(k));
    l.sample_at.push_back(l.sampled_trace);
    l.sampled_trace += c->main_columns() + size_t(k) + 2 * c->interaction_columns();
  }
  l.L = l.q + config.log_blowup;

  // D_L, then one domain per smaller coefficient space, largest first.
  std::vector<unsigned> spaces(l.log_coeffs.begin(), l.log_coeffs.end());
  std::sort(spaces.rbegin(), spaces.rend());
  spaces.erase(std::unique(spaces.begin(), spaces.end()), spaces.end());
  l.domains.push_back({l.L, 0, {}});
  for (unsigned e : spaces)
    if (e < l.q) l.domains.push_back({e + config.log_blowup, l.q - e + 1, {}});
  for (unsigned e : l.log_coeffs) {
    size_t d = 0;
    while (l.domains[d].log_size != e + config.log_blowup && d + 1 < l.domains.size()) ++d;
    l.domain_of.push_back(e == l.q ? 0 : d);
  }
  l.main_tree.assign(cs.size(), 0), l.main_at.assign(cs.size(), 0);
  l.inter_tree.assign(cs.size(), SIZE_MAX), l.inter_at.assign(cs.size(), 0);
  auto add_trees = [&](bool interaction) {
    for (size_t d = 0; d < l.domains.size(); ++d) {
      TreeShape t{d, 0, d == 0 ? w : 1};
      for (size_t c = 0; c < cs.size(); ++c) {
        const size_t cols = interaction ? cs[c]->interaction_columns() : cs[c]->main_columns();
        if (l.domain_of[c] != d || cols == 0) continue;
        (interaction ? l.inter_tree : l.main_tree)[c] = l.trees.size();
        (interaction ? l.inter_at : l.main_at)[c] = t.columns;
        t.columns += cols;
      }
      if (t.columns == 0) continue;
      l.domains[d].trees.push_back(l.trees.size());
      l.trees.push_back(t);
    }
  };
  add_trees(false);
  l.main_trees = l.trees.size();
  add_trees(true);
  l.composition_tree = l.trees.size();
  l.domains[0].trees.push_back(l.trees.size());
  l.trees.push_back({0, 8, w});

  // FRI folds down to 2^final_log coefficients, or to the smallest domain's line if that is smaller (its
  // quotient must enter before the last layer); committed trees of fold_step layers from layer w, cut
  // where a domain's quotient enters.
  unsigned last = std::min(l.q - 1, config.final_log);
  for (size_t d = 1; d < l.domains.size(); ++d) last = std::min(last, l.domains[d].log_size - config.log_blowup - 1);
  l.folds = l.q - last;
  for (unsigned a = w; a < l.folds;) {
    unsigned end = std::min(a + config.fold_step, l.folds);
    for (size_t d = 1; d < l.domains.size(); ++d)
      if (l.domains[d].inject > a && l.domains[d].inject < end) end = l.domains[d].inject;
    l.start.push_back(a);
    l.k.push_back(end - a);
    a = end;
  }
  return l;
}

// The first layer a smaller domain's quotient enters at (0: none).
unsigned first_injection(const Layout& l) {
  unsigned first = 0;
  for (size_t d = 1; d < l.domains.size(); ++d)
    if (first == 0 || l.domains[d].inject < first) first = l.domains[d].inject;
  return first;
}

}  // namespace

Layout layout_of(const air::Components& cs, const Config& config, bool verifier) {
  auto fail = [&](const std::string& what) {
    if (verifier) throw Rejected(kWhere, what);
    throw BadInput("stark: " + what);
  };
  try {
    pcs::check_floor(config, 0);
  } catch (const Rejected& e) {
    fail(e.check());
  }
  if (config.first_fold != 0) fail("first_fold must be 0 (the first fold is the circle fold)");
  if (cs.empty()) fail("no components");
  for (const auto& c : cs) {
    const std::string who = "component " + c->name() + ": ";
    if (c->log_size() < kMinLogSize || c->log_size() > kMaxLogSize)
      fail(who + "log_size " + std::to_string(c->log_size()) + " outside 3..24");
    if (c->degree() < 1 || c->degree() > kMaxDegree) fail(who + "degree outside 1..8");
    if (c->main_columns() == 0) fail(who + "no main columns");
  }
  Layout l = layout_with(cs, config, zk_log_size(config, 1), 1);
  // When a smaller domain's quotient enters at layer 2 or 3 and D_L holds only the composition tree,
  // that tree's rows hold the 2^w positions that fold into one position of layer w = that layer, and
  // FRI's first tree starts there: one tree fewer (its rows and paths) for 2^w − 2 more composition
  // positions per query, whose openings need a larger h.
  const unsigned first = first_injection(l);
  if ((first == 2 || first == 3) && l.domains[0].trees.size() == 1) {
    Layout wide = layout_with(cs, config, zk_log_size(config, first), first);
    if (first_injection(wide) == first && wide.domains[0].trees.size() == 1) l = std::move(wide);
  }
  if (l.L > kMaxLogDomain) fail("evaluation domain 2^" + std::to_string(l.L) + " above 2^27");
  return l;
}

void absorb_statement(Channel& ch, const air::Components& cs, const Config& c, const Layout& l) {
  ch.absorb_u64("stark/components", cs.size());
  for (const auto& comp : cs) {
    const std::string name = comp->name();
    ch.absorb_bytes("stark/name", {reinterpret_cast<const uint8_t*>(name.data()), name.size()});
    const M31 shape[6] = {M31(comp->version()),  M31(comp->log_size()),    M31(uint32_t(comp->main_columns())),
                          M31(uint32_t(comp->lookups())), M31(uint32_t(comp->constraints())), M31(comp->degree())};
    ch.absorb_m31s("stark/shape", shape);
    ch.absorb_m31s("stark/public", comp->public_inputs());
  }
  const M31 cfg[6] = {M31(c.log_blowup), M31(c.queries),   M31(c.pow_bits),
                      M31(c.fold_step),  M31(c.final_log), M31(c.first_fold)};
  ch.absorb_m31s("stark/config", cfg);
  std::vector<M31> layout = {M31(l.h), M31(l.w), M31(l.q), M31(l.L), M31(l.folds)};
  for (const Domain& d : l.domains) layout.push_back(M31(d.log_size)), layout.push_back(M31(d.inject));
  for (const TreeShape& t : l.trees) layout.push_back(M31(uint32_t(t.domain))), layout.push_back(M31(uint32_t(t.columns)));
  for (size_t g = 0; g < l.start.size(); ++g) layout.push_back(M31(l.start[g])), layout.push_back(M31(l.k[g]));
  ch.absorb_m31s("stark/layout", layout);
}

Ood draw_ood(Channel& ch) {
  const QM31 t = ch.draw_qm31("stark/ood");
  const QM31 t2 = t * t, den = QM31::one() + t2;
  if (t.c1 == CM31() || den == QM31()) return {{}, false};
  const QM31 inv = den.inverse();
  return {{(QM31::one() - t2) * inv, (t + t) * inv}, true};
}

std::vector<SampleGroup> sample_groups(const air::Components& cs, const Layout& l, circle::Point<QM31> z, QM31 gamma,
                                       std::span<const QM31> sampled) {
  // Component c's columns into g, sampled at z (at = 0) or one row further (at = 1, the main columns read
  // there only).
  auto add_main = [&](SampleGroup& g, size_t c, size_t at) {
    for (size_t i = 0; i < cs[c]->main_columns(); ++i) {
      const int32_t slot = l.next_slot[c][i];
      if (at == 1 && slot < 0) continue;
      g.columns.push_back({uint32_t(l.main_tree[c]), uint32_t(l.main_at[c] + i)});
      g.values.push_back(l.sample_at[c] + (at == 0 ? i : cs[c]->main_columns() + size_t(slot)));
    }
  };
  auto add_inter = [&](SampleGroup& g, size_t c, size_t at) {
    const size_t first = l.sample_at[c] + cs[c]->main_columns() + l.next_count[c];
    for (size_t i = 0; i < cs[c]->interaction_columns(); ++i)
      g.columns.push_back({uint32_t(l.inter_tree[c]), uint32_t(l.inter_at[c] + i)}), g.values.push_back(first + 2 * i + at);
  };
  std::vector<SampleGroup> groups;
  for (size_t d = 0; d < l.domains.size(); ++d) {
    SampleGroup g;
    g.domain = d, g.point = z;
    for (size_t c = 0; c < cs.size(); ++c)
      if (l.domain_of[c] == d) add_main(g, c, 0);
    for (size_t c = 0; c < cs.size(); ++c)
      if (l.domain_of[c] == d) add_inter(g, c, 0);
    if (d == 0)
      for (uint32_t limb = 0; limb < 4; ++limb)
        g.columns.push_back({uint32_t(l.composition_tree), limb}), g.values.push_back(l.sampled_values() - 4 + limb);
    groups.push_back(std::move(g));
    std::vector<unsigned> sizes;
    for (size_t c = 0; c < cs.size(); ++c)
      if (l.domain_of[c] == d) sizes.push_back(cs[c]->log_size());
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    for (unsigned n : sizes) {
      SampleGroup next;
      next.domain = d, next.point = shifted(z, n);
      for (size_t c = 0; c < cs.size(); ++c)
        if (l.domain_of[c] == d && cs[c]->log_size() == n) add_main(next, c, 1);
      for (size_t c = 0; c < cs.size(); ++c)
        if (l.domain_of[c] == d && cs[c]->log_size() == n) add_inter(next, c, 1);
      groups.push_back(std::move(next));
    }
  }
  QM31 power = QM31::one();
  for (auto& g : groups) {
    const circle::Point<QM31> s = g.point, sb = conj(s);
    const QM31 dy = s.y - sb.y;
    require(dy != QM31(), kWhere, "degenerate out-of-domain point");
    QM31 sum, diff;
    for (size_t v : g.values) {
      g.coefficients.push_back(power);
      sum += power * sampled[v];
      diff += power * (sampled[v] - conj(sampled[v]));
      power *= gamma;
    }
    g.b = diff * dy.inverse();
    g.a = sum - g.b * s.y;
    for (size_t i = 0; i < g.columns.size(); ++i) {
      const auto [tree, col] = g.columns[i];
      SampleGroup::Run* last = g.runs.empty() ? nullptr : &g.runs.back();
      if (last && last->tree == tree && last->first + last->count == col) {
        ++last->count;
      } else {
        g.runs.push_back({tree, col, 1, uint32_t(i)});
      }
      for (size_t l = 0; l < 4; ++l) g.limbs[l].push_back(g.coefficients[i].limbs()[l].v);
    }
    g.vanishing = {dy, sb.x - s.x, s.x * sb.y - s.y * sb.x};
  }
  return groups;
}

QM31 SampleGroup::combine(const M31* const* rows) const {
  // Limb by limb: each product (< 2^62) folded below 2^32 (2^31 ≡ 1) and summed in 64 bits, reduced once.
  uint64_t w[4] = {};
  for (const Run& r : runs) {
    const M31* v = rows[r.tree] + r.first;
    for (size_t l = 0; l < 4; ++l) {
      const uint32_t* c = limbs[l].data() + r.at;
      uint64_t acc = 0;
      for (uint32_t i = 0; i < r.count; ++i) {
        const uint64_t p = uint64_t(c[i]) * v[i].v;
        acc += (p & kP) + (p >> 31);
      }
      w[l] += acc;
    }
  }
  return QM31(M31::from_u64(w[0]), M31::from_u64(w[1]), M31::from_u64(w[2]), M31::from_u64(w[3]));
}

QM31 composition_at(const air::Components& cs, const Layout& l, circle::Point<QM31> z, std::span<const QM31> sampled,
                    std::span<const QM31> alphas, const air::LookupChallenges& lookup, std::span<const QM31> claimed_sums) {
  QM31 total;
  for (size_t c = 0; c < cs.size(); ++c) {
    const air::Component& comp = *cs[c];
    const size_t nm = comp.main_columns(), nn = l.next_count[c], ni = 2 * comp.interaction_columns();
    const std::vector<QM31> powers = air::combination_powers(alphas[c], comp.all_constraints());
    const std::span<const QM31> block = sampled.subspan(l.sample_at[c], nm + nn + ni);
    air::PointEval e(comp.log_size(), z, block.first(nm), block.subspan(nm, nn), l.next_slot[c], block.subspan(nm + nn),
                     powers, lookup);
    comp.evaluate(e);
    const QM31 acc = e.finish(comp.lookups(), claimed_sums[c] * M31::from_u64(uint64_t(1) << comp.log_size()).inverse());
    const QM31 v = air::vanishing(comp.log_size(), z);
    require(v != QM31(), kWhere, "out-of-domain point on a trace domain");
    total += acc * v.inverse();
  }
  return total;
}

std::vector<size_t> opened_rows(std::span<const size_t> queries, unsigned log_rows) {
  std::vector<size_t> out;
  for (size_t q : queries) out.push_back(q & ((size_t(1) << log_rows) - 1));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<size_t> fri_rows_of(std::span<const size_t> queries, const Layout& l, size_t g) {
  std::vector<size_t> out;
  for (size_t q : queries) out.push_back(q & ((size_t(1) << l.log_rows(g)) - 1));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t next_index(unsigned L, unsigned n, size_t j) {
  // D_L[j] = k·G_{2^(L+1)} with k odd: k = 4j + 1 in the first half, −(4j' + 1) in the second.
  const uint64_t full = uint64_t(1) << (L + 1), half = size_t(1) << (L - 1);
  const uint64_t k = j < half ? 4 * j + 1 : full - 4 * (j - half) - 1;
  const uint64_t k2 = (k + (full >> n)) & (full - 1);
  return k2 % 4 == 1 ? (k2 - 1) / 4 : half + (full - 1 - k2) / 4;
}

QM31 eval_at(std::span<const M31> coeffs, circle::Point<QM31> p) {
  size_t n = coeffs.size();
  unsigned m = 0;
  while ((size_t(1) << m) < n) ++m;
  if (m == 0) return n ? QM31(coeffs[0]) : QM31();
  // factor[k]: y for bit 0, x for bit 1, π^(k−1)(x) for bit k. In bit-reversed order the top bit is the
  // lowest: each step merges neighbours.
  std::vector<QM31> factor(m);
  factor[0] = p.y;
  if (m > 1) factor[1] = p.x;
  for (unsigned k = 2; k < m; ++k) factor[k] = factor[k - 1] * factor[k - 1] * M31(2) - QM31::one();
  n /= 2;
  std::vector<QM31> v(n);
  for (size_t b = 0; b < n; ++b) v[b] = factor[m - 1] * coeffs[2 * b + 1] + coeffs[2 * b];
  for (unsigned k = m - 1; k-- > 0;) {
    n /= 2;
    for (size_t b = 0; b < n; ++b) v[b] = v[2 * b] + factor[k] * v[2 * b + 1];
  }
  return v[0];
}

}  // namespace zkm31::stark
