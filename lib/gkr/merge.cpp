#include "gkr/merge.hpp"

#include "error/error.hpp"
#include "poly/multilinear.hpp"
#include "sumcheck/batched_eq.hpp"

namespace zkm31::gkr {

namespace {
constexpr unsigned kPerClaimRounds = 8;  // rounds run per claim before the tables are materialised
}  // namespace

Merged merge_claims(Side& side, const std::string& label, const std::vector<MergeClaim>& claims, unsigned n,
                    std::span<const M31> values) {
  const std::vector<QM31> lam = side.draws(label + "/lambda", claims.size());
  QM31 total;
  for (size_t i = 0; i < claims.size(); ++i) total += lam[i] * claims[i].value;
  SumcheckResult sc;
  if (side.proving() && n > 0) {
    // W = Σ_i λ_i eq(r_i, ·) and a QM31 copy of the vector are never materialised (a merge on a
    // packed model commitment spans 2^28 entries): the same messages in 2^(n−k) memory.
    std::vector<std::vector<QM31>> points;
    for (const MergeClaim& c : claims) points.push_back(c.point);
    sumcheck::BatchedEqProver prover(values, points, lam, std::min(n, kPerClaimRounds));
    sc = record(side, total,
                sumcheck::run_rounds(total, n, 2, [&] { return prover.round_poly(); }, [&](QM31 s) { prover.bind(s); },
                                     side.channel(), label + "/batch"));
    sc.finals = {QM31(), prover.bound_e().at(0)};
  } else {  // the verifier, or a vector of one entry
    std::vector<std::vector<QM31>> tables;
    if (side.proving()) {
      QM31 w;
      for (const QM31& l : lam) w += l;
      tables = {{w}, {QM31() + values[0]}};
    }
    sc = sumcheck_product(side, label + "/batch", n, 2, total, std::move(tables));
  }
  const QM31 v = side.message(label + "/batch/value", 1, [&] { return std::vector<QM31>{sc.finals[1]}; })[0];
  if (!side.proving()) {
    QM31 w;
    for (size_t i = 0; i < claims.size(); ++i) w += lam[i] * poly::eq_eval(claims[i].point, sc.point);
    require(w * v == sc.claim, label, "batched claims do not hold (final sumcheck claim)");
  }
  return {std::move(sc.point), v};
}

}  // namespace zkm31::gkr
