// MatMul Y = A·W + bias (W a weight [K, N]): Y(ρ_n, ρ_rows) − bias(ρ_n)·rows(ρ_rows)
//   = Σ_k A(k, ρ_rows)·W(ρ_n, k), a degree-2 sumcheck over the inner dimension.
// W may be an activation [batch, K, N] beside A [batch, M, K] (attention's Q·Kᵀ, P·V): then
// Y(ρ_n, ρ_m, ρ_b) = Σ_{k,b} eq(ρ_b, b)·A(k, ρ_m, b)·W(ρ_n, k, b), a degree-3 sumcheck over k and the
// batch variables (degree 2 without batch), both tables from the witness. The
// accumulator bound the requant after it relies on comes from both operands' proven intervals.
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
  // An activation W [batch, K, N] shares A's batch variables: they are summed over beside k.
  const auto rho_m = rho_rows.first(s.row_bits - s.batch_bits), rho_b = rho_rows.last(s.batch_bits);
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    const std::span<const M31> a(st.values(s.a));
    // W restricted to ρ_n: over (k, batch), index b·2^k_bits + k
    std::vector<QM31> tw = poly::weighted_rows(st.values(s.w), poly::eq_table(rho_n));
    if (s.batch_bits == 0) {
      tables = {poly::fix_high(a, rho_rows), std::move(tw)};
    } else {
      // A restricted to ρ_m per batch, and eq(ρ_b, b), on the same index
      const size_t K = size_t(1) << s.k_bits, block = a.size() >> s.batch_bits;
      std::vector<QM31> ta, eq(tw.size()), eb = poly::eq_table(rho_b);
      for (size_t b = 0; b < eb.size(); ++b) {
        std::vector<QM31> t = poly::fix_high(a.subspan(b * block, block), rho_m);
        ta.insert(ta.end(), t.begin(), t.end());
        std::fill(eq.begin() + b * K, eq.begin() + (b + 1) * K, eb[b]);
      }
      tables = {std::move(ta), std::move(tw), std::move(eq)};
    }
  }
  const unsigned degree = s.batch_bits ? 3 : 2;
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/sumcheck", s.k_bits + s.batch_bits, degree, target, tables);
  if (st.side.proving()) cheat(st, sc, tables);
  std::vector<QM31> fin = st.side.message(s.name + "/final", 2, [&] { return std::vector<QM31>{sc.finals[0], sc.finals[1]}; });
  const auto s_k = std::span<const QM31>(sc.point).first(s.k_bits), s_b = std::span<const QM31>(sc.point).subspan(s.k_bits);
  st.check(fin[0] * fin[1] * poly::eq_eval(rho_b, s_b) == sc.claim, where, "final sumcheck claim != A(.)·W(.)");
  std::vector<QM31> pa(s_k.begin(), s_k.end()), pw(rho_n.begin(), rho_n.end());
  pa.insert(pa.end(), rho_m.begin(), rho_m.end());
  pa.insert(pa.end(), s_b.begin(), s_b.end());
  pw.insert(pw.end(), sc.point.begin(), sc.point.end());
  st.claim(s.a, std::move(pa), fin[0], where);
  st.claim(s.w, std::move(pw), fin[1], where);
}

}  // namespace zkm31::gkr
