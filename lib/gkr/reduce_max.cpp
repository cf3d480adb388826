// reduce_max over the last axis (see ReduceMaxStep): Y is attained and above every entry.
//   lookup      S ∈ {0, 1}, the limbs of D in range          → claims on S, D at the leaf point ρ
//   tie         D(ρ) = Y(ρ_y)·mask(ρ) − X(ρ)                  → claims on Y (committed) and X
//   selection   Σ_x eq(ρ, x)·S(x)·D(x) = 0 (degree 3)          → S selects only entries equal to Y
//   one-hot     Σ_j S(j, ρ_rows)·real(j) = 1 (degree 2)        → one selected real entry per row
#include <algorithm>

#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_max(WalkState& st, const ReduceMaxStep& s) {
  const std::string where = "reduce_max " + s.name;
  const Vec& xv = st.c.vecs[s.x];
  const lookup::LeafClaims leaf = st.run_instance(s.instance);
  const auto& srcs = st.c.instance_vecs[s.instance];
  auto val = [&](uint32_t vec) { return leaf.values[size_t(std::find(srcs.begin(), srcs.end(), vec) - srcs.begin())]; };
  const std::vector<QM31> rho(leaf.row_point.begin(), leaf.row_point.begin() + xv.n_vars);
  const unsigned rb = st.c.config.range_bits;
  auto combine = [&](auto&& limb) {
    QM31 acc;
    for (size_t j = 0; j < s.d.size(); ++j) acc += limb(j) * M31::from_u64(uint64_t(1) << (rb * j));
    return acc;
  };
  // tie the limbs to Y and X at ρ
  const std::vector<QM31> rho_y = s.by.project(rho);
  const std::vector<QM31> yx = st.side.message(s.name + "/max/tie", 2, [&] {
    return std::vector<QM31>{poly::evaluate(std::span<const M31>(st.values(s.y)), std::span<const QM31>(rho_y)),
                             poly::evaluate(std::span<const M31>(st.values(s.x)), std::span<const QM31>(rho))};
  });
  st.check(s.by.mask(rho) * yx[0] - yx[1] == combine([&](size_t j) { return val(s.d[j]); }), where,
           "max − x does not match its range limbs");
  st.claim(s.y, rho_y, yx[0], where);
  st.claim(s.x, rho, yx[1], where);
  // selection: S·D = 0 entrywise
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    std::vector<QM31> sel(xv.size()), d(xv.size());
    for (size_t i = 0; i < xv.size(); ++i) {
      sel[i] = QM31() + st.values(s.sel)[i];
      d[i] = combine([&](size_t j) { return QM31() + st.values(s.d[j])[i]; });
    }
    tables = {poly::eq_table(rho), std::move(sel), std::move(d)};
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/max/select", xv.n_vars, 3, QM31(), std::move(tables));
  std::vector<uint32_t> vecs{s.sel};
  vecs.insert(vecs.end(), s.d.begin(), s.d.end());
  const std::vector<QM31> fin = st.side.message(s.name + "/max/select/final", vecs.size(), [&] {
    std::vector<QM31> out;
    for (uint32_t v : vecs) out.push_back(poly::evaluate(std::span<const M31>(st.values(v)), std::span<const QM31>(sc.point)));
    return out;
  });
  st.check(poly::eq_eval(rho, sc.point) * fin[0] * combine([&](size_t j) { return fin[1 + j]; }) == sc.claim, where,
           "the selector picks an entry below the max (final sumcheck claim)");
  for (size_t i = 0; i < vecs.size(); ++i) st.claim(vecs[i], sc.point, fin[i], where);
  // one-hot: every row, padded ones included, selects exactly one real column (S is 0/1 by the
  // lookup). On a padded row X is 0, so the selected D = 0 forces Y = 0 there.
  const std::span<const QM31> rows = std::span<const QM31>(rho).subspan(s.len_bits);
  const Vec columns{"", VecKind::Virtual, {xv.dims.back()}, {s.len_bits}, s.len_bits, -1};
  std::vector<std::vector<QM31>> sum_tables;
  if (st.side.proving()) {
    std::vector<QM31> real(columns.size());
    std::fill(real.begin(), real.begin() + xv.dims.back(), QM31::one());
    sum_tables = {poly::fix_high(std::span<const M31>(st.values(s.sel)), rows), std::move(real)};
  }
  SumcheckResult one = sumcheck_product(st.side, s.name + "/max/one-hot", s.len_bits, 2, QM31::one(), std::move(sum_tables));
  const QM31 sel_at = st.side.message(s.name + "/max/one-hot/final", 1, [&] { return std::vector<QM31>{one.finals[0]}; })[0];
  st.check(sel_at * real_indicator(columns, one.point, 0) == one.claim, where,
           "a row does not select exactly one entry (final sumcheck claim)");
  std::vector<QM31> ps(one.point);
  ps.insert(ps.end(), rows.begin(), rows.end());
  st.claim(s.sel, std::move(ps), sel_at, where);
}

}  // namespace zkm31::gkr
