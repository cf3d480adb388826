// MatMul Y = A·W + bias (W a weight [K, N]): Y(ρ_n, ρ_rows) − bias(ρ_n)·rows(ρ_rows)
//   = Σ_k A(k, ρ_rows)·W(ρ_n, k), a degree-2 sumcheck over the inner dimension.
#include "error/error.hpp"
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

namespace {

// Test-only lies of a dishonest prover (CheatMode); the verifier must catch each.
void cheat(WalkState& st, SumcheckResult& sc, const std::vector<std::vector<QM31>>& tables) {
  switch (st.cheat) {
    case CheatMode::AlterRound:  // the last round message changed after it entered the transcript
      const_cast<std::vector<QM31>&>(st.side.writer->data()).back() += QM31::one();
      break;
    case CheatMode::ReuseChallenge:  // bind every variable with the first challenge
      if (sc.point.size() > 1) {
        std::vector<QM31> pt(sc.point.size(), sc.point[0]);
        sc.finals = {poly::evaluate(std::span<const QM31>(tables[0]), std::span<const QM31>(pt)),
                     poly::evaluate(std::span<const QM31>(tables[1]), std::span<const QM31>(pt))};
      }
      break;
    case CheatMode::WrongFinal:  // once; a committed operand's claim is then checked only by the openings
      if (!st.lied) sc.finals[0] += QM31::one();
      st.lied = true;
      break;
    default: break;
  }
}

}  // namespace

void reduce_matmul(WalkState& st, const MatMulStep& s) {
  const std::string where = "matmul " + s.name;
  const size_t id = st.ledger.only_pending(s.y, where);
  const Claim cl = st.ledger.at(id);
  st.ledger.consume(id, where);
  const std::span<const QM31> rho(cl.point);
  const auto rho_n = rho.first(s.n_bits), rho_rows = rho.subspan(s.n_bits);
  QM31 target = cl.value;
  if (s.bias >= 0) {
    const uint32_t b = uint32_t(s.bias);
    QM31 bv = st.side.message(s.name + "/bias", 1, [&] {
      return std::vector<QM31>{poly::evaluate(std::span<const M31>(st.values(b)), rho_n)};
    })[0];
    st.claim(b, {rho_n.begin(), rho_n.end()}, bv, where);
    target -= bv * real_indicator(st.c.vecs[s.y], rho_rows, 1);
  }
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    tables.push_back(poly::fix_high(std::span<const M31>(st.values(s.a)), rho_rows));
    tables.push_back(poly::weighted_rows(st.values(s.w), poly::eq_table(rho_n)));
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/sumcheck", s.k_bits, 2, target, tables);
  if (st.side.proving()) cheat(st, sc, tables);
  std::vector<QM31> fin = st.side.message(s.name + "/final", 2, [&] { return sc.finals; });
  st.check(fin[0] * fin[1] == sc.claim, where, "final sumcheck claim != A(.)·W(.)");
  std::vector<QM31> pa(sc.point), pw(rho_n.begin(), rho_n.end());
  pa.insert(pa.end(), rho_rows.begin(), rho_rows.end());
  pw.insert(pw.end(), sc.point.begin(), sc.point.end());
  st.claim(s.a, std::move(pa), fin[0], where);
  st.claim(s.w, std::move(pw), fin[1], where);
}

}  // namespace zkm31::gkr
