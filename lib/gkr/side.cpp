#include "gkr/side.hpp"

#include "sumcheck/sumcheck.hpp"

namespace zkm31::gkr {

std::vector<QM31> Side::message(const std::string& label, size_t n,
                                const std::function<std::vector<QM31>()>& compute) {
  if (!proving()) return reader->recv(label, n);
  std::vector<QM31> v = compute();
  if (v.size() != n) throw std::logic_error("message " + label + ": wrong length");
  writer->send(label, v);
  return v;
}

SumcheckResult record(Side& side, QM31 claim, sumcheck::ProverOutput po) {
  SumcheckResult out;
  out.claim = claim;
  for (size_t i = 0; i < po.proof.size(); ++i) {
    side.writer->append(po.proof[i]);
    out.claim = sumcheck::next_claim(out.claim, po.proof[i], po.challenges[i]);
  }
  out.point = std::move(po.challenges);
  out.finals = std::move(po.final_evals);
  return out;
}

SumcheckResult sumcheck_product(Side& side, const std::string& prefix, unsigned n, unsigned degree, QM31 claim,
                                std::vector<std::vector<QM31>> tables) {
  sumcheck::Term t{QM31::one(), {}};
  for (size_t j = 0; j < degree; ++j) t.factors.push_back(j);
  return sumcheck_terms(side, prefix, n, degree, claim, std::move(tables), {t});
}

SumcheckResult sumcheck_terms(Side& side, const std::string& prefix, unsigned n, unsigned degree, QM31 claim,
                              std::vector<std::vector<QM31>> tables, std::vector<sumcheck::Term> terms) {
  SumcheckResult out;
  out.claim = claim;
  if (n == 0) {  // nothing to sum over: the claim is the product itself
    for (auto& t : tables) out.finals.push_back(side.proving() ? t.at(0) : QM31());
    return out;
  }
  if (side.proving()) {
    std::vector<sumcheck::TableRef> refs;
    for (const auto& t : tables) refs.emplace_back(std::span<const QM31>(t));
    return record(side, claim, sumcheck::prove(claim, refs, std::move(terms), side.channel(), prefix));
  }
  sumcheck::Proof proof;
  for (unsigned i = 0; i < n; ++i) proof.push_back(side.reader->take(prefix, degree));
  sumcheck::VerifierOutput vo = sumcheck::verify(claim, n, degree, proof, side.channel(), prefix);
  out.point = std::move(vo.challenges);
  out.claim = vo.final_claim;
  return out;
}

}  // namespace zkm31::gkr
