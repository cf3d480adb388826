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

unsigned zk_log_size(const Config& c) {
  unsigned h = 1;
  while ((uint64_t(1) << h) - 1 < 4 * uint64_t(c.queries) + 8) ++h;
  return h;
}

size_t Layout::sampled_values() const { return 2 * (main_cols + inter_cols) + 4; }

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
  Layout l;
  l.h = zk_log_size(config);
  for (const auto& c : cs) {
    const std::string who = "component " + c->name() + ": ";
    if (c->log_size() < kMinLogSize || c->log_size() > kMaxLogSize)
      fail(who + "log_size " + std::to_string(c->log_size()) + " outside 3..24");
    if (c->degree() < 1 || c->degree() > kMaxDegree) fail(who + "degree outside 1..8");
    if (c->main_columns() == 0) fail(who + "no main columns");
    // A randomised column f + v_n·r has degree ≤ 2^(n−1) + 2^(h−1); a constraint of degree d in the
    // columns and selectors divided by v_n, ≤ d·that − 2^(n−1).
    const uint64_t column = (uint64_t(1) << (c->log_size() - 1)) + (uint64_t(1) << (l.h - 1));
    l.q = std::max({l.q, log_bound(column), log_bound(c->degree() * column - (uint64_t(1) << (c->log_size() - 1)))});
    l.main_at.push_back(l.main_cols);
    l.inter_at.push_back(l.inter_cols);
    l.main_cols += c->main_columns();
    l.inter_cols += c->interaction_columns();
  }
  l.L = l.q + config.log_blowup;
  if (l.L > kMaxLogDomain) fail("evaluation domain 2^" + std::to_string(l.L) + " above 2^27");
  l.folds = l.q - std::min(l.q - 1, config.final_log);
  for (unsigned a = 1; a < l.folds; a += l.k.back()) {
    l.start.push_back(a);
    l.k.push_back(std::min(config.fold_step, l.folds - a));
  }
  return l;
}

void absorb_statement(Channel& ch, const air::Components& cs, const Config& c) {
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
  std::vector<size_t> block(cs.size());  // each component's first sampled value
  for (size_t c = 1; c < cs.size(); ++c)
    block[c] = block[c - 1] + 2 * (cs[c - 1]->main_columns() + cs[c - 1]->interaction_columns());
  std::vector<SampleGroup> groups(1);
  groups[0].point = z;
  for (size_t c = 0; c < cs.size(); ++c)
    for (size_t i = 0; i < cs[c]->main_columns(); ++i)
      groups[0].columns.push_back({0, uint32_t(l.main_at[c] + i)}), groups[0].values.push_back(block[c] + 2 * i);
  for (size_t c = 0; c < cs.size(); ++c)
    for (size_t i = 0; i < cs[c]->interaction_columns(); ++i)
      groups[0].columns.push_back({1, uint32_t(l.inter_at[c] + i)}),
          groups[0].values.push_back(block[c] + 2 * (cs[c]->main_columns() + i));
  for (uint32_t limb = 0; limb < 4; ++limb)
    groups[0].columns.push_back({2, limb}), groups[0].values.push_back(l.sampled_values() - 4 + limb);
  std::vector<unsigned> sizes;
  for (const auto& c : cs) sizes.push_back(c->log_size());
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  for (unsigned n : sizes) {
    SampleGroup g;
    g.point = shifted(z, n);
    for (size_t c = 0; c < cs.size(); ++c) {
      if (cs[c]->log_size() != n) continue;
      for (size_t i = 0; i < cs[c]->main_columns(); ++i)
        g.columns.push_back({0, uint32_t(l.main_at[c] + i)}), g.values.push_back(block[c] + 2 * i + 1);
      for (size_t i = 0; i < cs[c]->interaction_columns(); ++i)
        g.columns.push_back({1, uint32_t(l.inter_at[c] + i)}),
            g.values.push_back(block[c] + 2 * (cs[c]->main_columns() + i) + 1);
    }
    groups.push_back(std::move(g));
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
    g.vanishing = {dy, sb.x - s.x, s.x * sb.y - s.y * sb.x};
  }
  return groups;
}

QM31 SampleGroup::combine(const M31* const rows[3]) const {
  // Limb by limb in 128-bit sums, reduced once.
  unsigned __int128 w[4] = {};
  for (size_t i = 0; i < columns.size(); ++i) {
    const uint64_t v = rows[columns[i].first][columns[i].second].v;
    const QM31& c = coefficients[i];
    w[0] += c.c0.a.v * v, w[1] += c.c0.b.v * v, w[2] += c.c1.a.v * v, w[3] += c.c1.b.v * v;
  }
  return QM31(air::reduce_wide(w[0]), air::reduce_wide(w[1]), air::reduce_wide(w[2]), air::reduce_wide(w[3]));
}

QM31 composition_at(const air::Components& cs, circle::Point<QM31> z, std::span<const QM31> sampled,
                    std::span<const QM31> alphas, const air::LookupChallenges& lookup, std::span<const QM31> claimed_sums) {
  QM31 total;
  size_t at = 0;
  for (size_t c = 0; c < cs.size(); ++c) {
    const air::Component& comp = *cs[c];
    const size_t nm = 2 * comp.main_columns(), ni = 2 * comp.interaction_columns();
    const std::vector<QM31> powers = air::combination_powers(alphas[c], comp.all_constraints());
    air::PointEval e(comp.log_size(), z, sampled.subspan(at, nm), sampled.subspan(at + nm, ni), powers, lookup);
    at += nm + ni;
    comp.evaluate(e);
    const QM31 acc = e.finish(comp.lookups(), claimed_sums[c] * M31::from_u64(uint64_t(1) << comp.log_size()).inverse());
    const QM31 v = air::vanishing(comp.log_size(), z);
    require(v != QM31(), kWhere, "out-of-domain point on a trace domain");
    total += acc * v.inverse();
  }
  return total;
}

std::vector<size_t> opened_rows(std::span<const size_t> queries) {
  std::vector<size_t> out(queries.begin(), queries.end());
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
  // factor[k]: y for bit 0, x for bit 1, π^(k−1)(x) for bit k.
  std::vector<QM31> factor(m);
  factor[0] = p.y;
  if (m > 1) factor[1] = p.x;
  for (unsigned k = 2; k < m; ++k) factor[k] = factor[k - 1] * factor[k - 1] * M31(2) - QM31::one();
  n /= 2;
  std::vector<QM31> v(n);
  for (size_t b = 0; b < n; ++b) v[b] = factor[m - 1] * coeffs[b + n] + coeffs[b];
  for (unsigned k = m - 1; k-- > 0;) {
    n /= 2;
    for (size_t b = 0; b < n; ++b) v[b] = v[b] + factor[k] * v[b + n];
  }
  return v[0];
}

}  // namespace zkm31::stark
