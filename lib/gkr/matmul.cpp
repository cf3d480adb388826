// MatMul Y = A·W + bias (W a weight [K, N]): Y(ρ_n, ρ_rows) − bias(ρ_n)·rows(ρ_rows)
//   = Σ_k A(k, ρ_rows)·W(ρ_n, k), a degree-2 sumcheck over the inner dimension.
// W may be an activation [batch, K, N] beside A [batch, M, K] (attention's Q·Kᵀ, P·V): then
// Y(ρ_n, ρ_m, ρ_b) = Σ_k A(k, ρ_m, ρ_b)·W(ρ_n, k, ρ_b), both tables from the witness. The
// accumulator bound the requant after it relies on comes from both operands' proven intervals.
#include "error/error.hpp"
#include "gkr/restrict.hpp"
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
  const Claim cl = st.take(s.y, where);
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
  // An activation W [batch, K, N] is restricted to A's batch coordinates first.
  const auto rho_batch = rho_rows.last(s.batch_bits);
  if (st.side.proving()) {
    const std::span<const M31> a(st.values(s.a)), w(st.values(s.w));
    tables.push_back(restrict_high(a, s.k_bits, rho_rows));
    if (s.batch_bits)
      tables.push_back(restrict_low(std::span<const QM31>(restrict_high(w, s.k_bits + s.n_bits, rho_batch)), rho_n));
    else
      tables.push_back(restrict_low(w, rho_n));
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/sumcheck", s.k_bits, 2, target, tables);
  if (st.side.proving()) cheat(st, sc, tables);
  std::vector<QM31> fin = st.side.message(s.name + "/final", 2, [&] { return sc.finals; });
  st.check(fin[0] * fin[1] == sc.claim, where, "final sumcheck claim != A(.)·W(.)");
  std::vector<QM31> pa(sc.point), pw(rho_n.begin(), rho_n.end());
  pa.insert(pa.end(), rho_rows.begin(), rho_rows.end());
  pw.insert(pw.end(), sc.point.begin(), sc.point.end());
  pw.insert(pw.end(), rho_batch.begin(), rho_batch.end());
  st.claim(s.a, std::move(pa), fin[0], where);
  st.claim(s.w, std::move(pw), fin[1], where);
}

}  // namespace zkm31::gkr
