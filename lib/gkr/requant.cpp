// Requant q = clamp(floor((X·M + B + 2^(s−1)) / 2^s), lo, hi), proven by the decomposition
//   M⊙X + B + 2^(s−1) = 2^s·(q + Σ_j 2^(eb·j)·e_j) + Σ_j 2^(rb·j)·r_j
// with range-checked remainder limbs r_j and sign-tied clamp-excess limbs e_j (one lookup instance
// reads q, e and r, so all three get claims at its one leaf point ρ). Both sides derive
// (M⊙X)(ρ); an eq-sumcheck Σ_x eq(ρ,x)·M(x)·X(x) (degree 3) turns it into one claim on X. M, B and
// the rounding term are public and zero on padded entries.
#include <algorithm>

#include "error/error.hpp"
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

namespace {

// MLE at `point` of a per-channel public vector broadcast over the real rows, zero on padding.
QM31 channel_mle(const Vec& v, const std::vector<int64_t>& per_channel, std::span<const QM31> point) {
  const unsigned cb = v.log_dims.back();
  const size_t C = size_t(v.dims.back());
  std::vector<M31> vec(size_t(1) << cb);
  for (size_t i = 0; i < C; ++i) vec[i] = M31::from_signed(per_channel.size() == 1 ? per_channel[0] : per_channel[i]);
  return poly::evaluate(std::span<const M31>(vec), point.first(cb)) * real_indicator(v, point.subspan(cb), 1);
}

std::vector<QM31> channel_table(const Vec& v, const std::vector<int64_t>& per_channel) {
  std::vector<QM31> out(v.size());
  const size_t real = size_t(model::numel(v.dims));
  const size_t C = size_t(v.dims.back());
  for (size_t i = 0; i < real; ++i)
    out[padded_index(v, i)] = QM31() + M31::from_signed(per_channel.size() == 1 ? per_channel[0] : per_channel[i % C]);
  return out;
}

}  // namespace

namespace {

// Wide clamp: lo ≤ q ≤ hi from the limbs of q − lo and hi − q on the real entries (0 on padding,
// where q = 0 need not lie in [lo, hi]; checked at the leaf point), and
// e⁺·(hi − q) = e⁻·(q − lo) = 0 on every entry by an eq-sumcheck at the leaf point, so a nonzero
// excess comes only with a saturated q. Returns e = e⁺ − e⁻ at the leaf point.
QM31 wide_clamp(WalkState& st, const RequantStep& s, const lookup::LeafClaims& leaf,
                const std::function<QM31(uint32_t)>& val, std::span<const QM31> rho) {
  const std::string where = "requant " + s.name;
  const QM31 lo = QM31() + M31::from_signed(s.lo), hi = QM31() + M31::from_signed(s.hi);
  st.check_bound_limbs(where, leaf, s.instance, s.q, s.lo, s.hi, s.dlo, s.dhi, real_indicator(st.c.vecs[s.q], rho, 0));
  if (s.clamp_free) return QM31();
  const QM31 nu = st.side.draw(s.name + "/clamp/nu");
  const unsigned rb = st.c.config.range_bits;
  auto combine = [&](const std::vector<uint32_t>& limbs, auto&& get) {
    QM31 acc;
    for (size_t j = 0; j < limbs.size(); ++j) acc += get(j) * M31::from_u64(uint64_t(1) << (rb * j));
    return acc;
  };
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    const size_t n = st.c.vecs[s.q].size();
    tables.assign(4, std::vector<QM31>(n));
    tables[0] = poly::eq_table(rho);
    for (size_t i = 0; i < n; ++i) {
      tables[1][i] = combine(s.ep, [&](size_t j) { return QM31() + st.values(s.ep[j])[i]; });
      tables[2][i] = combine(s.en, [&](size_t j) { return QM31() + st.values(s.en[j])[i]; });
      tables[3][i] = QM31() + st.values(s.q)[i];
    }
  }
  // eq·[e⁺·(hi − q) + ν·e⁻·(q − lo)]
  std::vector<sumcheck::Term> terms{{hi, {0, 1}}, {QM31() - M31::one(), {0, 1, 3}}, {nu, {0, 2, 3}}, {QM31() - nu * lo, {0, 2}}};
  SumcheckResult sc = sumcheck_terms(st.side, s.name + "/clamp", st.c.vecs[s.q].n_vars, 3, QM31(), std::move(tables), terms);
  // The limbs at the final point, and q there.
  std::vector<uint32_t> vecs(s.ep);
  vecs.insert(vecs.end(), s.en.begin(), s.en.end());
  vecs.push_back(s.q);
  std::vector<QM31> fin = st.side.message(s.name + "/clamp/final", vecs.size(), [&] {
    std::vector<QM31> out;
    for (uint32_t v : vecs) out.push_back(poly::evaluate(std::span<const M31>(st.values(v)), std::span<const QM31>(sc.point)));
    return out;
  });
  const QM31 ep = combine(s.ep, [&](size_t j) { return fin[j]; });
  const QM31 en = combine(s.en, [&](size_t j) { return fin[s.ep.size() + j]; });
  const QM31 qs = fin.back();
  st.check(poly::eq_eval(rho, sc.point) * (ep * (hi - qs) + nu * en * (qs - lo)) == sc.claim, where,
           "clamp excess without saturation (final sumcheck claim)");
  for (size_t i = 0; i < vecs.size(); ++i) st.claim(vecs[i], sc.point, fin[i], where);
  return combine(s.ep, [&](size_t j) { return val(s.ep[j]); }) - combine(s.en, [&](size_t j) { return val(s.en[j]); });
}

}  // namespace

void reduce_requant(WalkState& st, const RequantStep& s) {
  const std::string where = "requant " + s.name;
  const Vec& qv = st.c.vecs[s.q];
  lookup::LeafClaims leaf = st.run_instance(s.instance);
  const auto& srcs = st.c.instance_vecs[s.instance];
  auto val = [&](uint32_t vec) { return leaf.values[size_t(std::find(srcs.begin(), srcs.end(), vec) - srcs.begin())]; };
  const std::span<const QM31> rho(leaf.row_point);
  const unsigned rb = st.c.config.range_bits, eb = st.c.config.excess_bits;
  QM31 e;
  if (s.wide) {
    e = wide_clamp(st, s, leaf, val, rho);
  } else {
    for (size_t j = 0; j < s.e.size(); ++j) e += val(s.e[j]) * M31::from_u64(uint64_t(1) << (eb * j));
  }
  QM31 target = (val(s.q) + e) * M31::from_u64(uint64_t(1) << s.shift);
  for (size_t j = 0; j < s.r.size(); ++j) target += val(s.r[j]) * M31::from_u64(uint64_t(1) << (rb * j));
  if (!s.offset.empty()) target -= channel_mle(qv, s.offset, rho);
  if (s.shift) target -= real_indicator(qv, rho, 0) * M31::from_u64(uint64_t(1) << (s.shift - 1));
  // target = (M⊙X)(ρ)
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    const auto& x = st.values(s.x);
    std::vector<QM31> xs(x.size());
    for (size_t i = 0; i < x.size(); ++i) xs[i] = QM31() + x[i];
    tables = {poly::eq_table(rho), channel_table(qv, s.mult), std::move(xs)};
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/requant", qv.n_vars, 3, target, std::move(tables));
  QM31 xv = st.side.message(s.name + "/requant/x", 1, [&] {
    return std::vector<QM31>{sc.finals[2] + (st.cheat == CheatMode::WrongRequant ? QM31::one() : QM31())};
  })[0];
  st.check(poly::eq_eval(rho, sc.point) * channel_mle(qv, s.mult, sc.point) * xv == sc.claim, where,
           "requant identity fails (final eq-sumcheck claim)");
  st.claim(s.x, sc.point, xv, where);
}

}  // namespace zkm31::gkr
