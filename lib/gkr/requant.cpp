// Requant q = clamp(floor((X·M + B + 2^(s−1)) / 2^s), lo, hi), proven by the decomposition
//   M⊙X + B + 2^(s−1) = 2^s·(q + Σ_j 2^(eb·j)·e_j) + Σ_j 2^(rb·j)·r_j
// with range-checked remainder limbs r_j and sign-tied clamp-excess limbs e_j (one lookup instance
// reads q, e and r, so all three get claims at its one leaf point ρ). Both sides derive
// (M⊙X)(ρ); an eq-sumcheck Σ_x eq(ρ,x)·M(x)·X(x) (degree 3) turns it into one claim on X. M, B and
// the rounding term are public and zero on padded entries.
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

void reduce_requant(WalkState& st, const RequantStep& s) {
  const std::string where = "requant " + s.name;
  const Vec& qv = st.c.vecs[s.q];
  lookup::LeafClaims leaf = st.run_instance(s.instance);
  const std::span<const QM31> rho(leaf.row_point);
  const unsigned rb = st.c.config.range_bits, eb = st.c.config.excess_bits;
  QM31 y = leaf.values[0];
  for (unsigned j = 0; j < s.excess_limbs; ++j) y += leaf.values[1 + j] * M31::from_u64(uint64_t(1) << (eb * j));
  QM31 target = y * M31::from_u64(uint64_t(1) << s.shift);
  for (unsigned j = 0; j < s.rem_limbs; ++j)
    target += leaf.values[1 + s.excess_limbs + j] * M31::from_u64(uint64_t(1) << (rb * j));
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
