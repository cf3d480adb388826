#include "gkr/merge.hpp"

#include "error/error.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

Merged merge_claims(Side& side, const std::string& label, const std::vector<MergeClaim>& claims, unsigned n,
                    std::span<const M31> values) {
  const std::vector<QM31> lam = side.draws(label + "/lambda", claims.size());
  QM31 total;
  for (size_t i = 0; i < claims.size(); ++i) total += lam[i] * claims[i].value;
  std::vector<std::vector<QM31>> tables;
  if (side.proving()) {
    std::vector<QM31> w(size_t(1) << n), f(size_t(1) << n);
    for (size_t i = 0; i < claims.size(); ++i) {
      const MergeClaim& c = claims[i];
      poly::add_eq_table(std::span<const QM31>(c.point).first(c.member_vars), lam[i],
                         std::span<QM31>(w).subspan(c.offset, size_t(1) << c.member_vars));
    }
    for (size_t i = 0; i < f.size(); ++i) f[i] = QM31() + values[i];
    tables = {std::move(w), std::move(f)};
  }
  SumcheckResult sc = sumcheck_product(side, label + "/batch", n, 2, total, std::move(tables));
  const QM31 v = side.message(label + "/batch/value", 1, [&] { return std::vector<QM31>{sc.finals[1]}; })[0];
  if (!side.proving()) {
    QM31 w;
    for (size_t i = 0; i < claims.size(); ++i) w += lam[i] * poly::eq_eval(claims[i].point, sc.point);
    require(w * v == sc.claim, label, "batched claims do not hold (final sumcheck claim)");
  }
  return {std::move(sc.point), v};
}

}  // namespace zkm31::gkr
