// Y = C ⊙ X + D with public C, D (mul_const: D = 0; masked_fill: C = 1 − mask, D = fill·mask;
// add/sub of a constant K: C = ±1, D = ±K):
// Y(ρ) − D(ρ) = Σ_x eq(ρ, x)·C(x)·X(x), a degree-3 sumcheck ending at one claim on X, or
// c·X(ρ) when C is one scalar c. The verifier evaluates C and D itself (they are in the graph).
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_scale(WalkState& st, const ScaleStep& s) {
  const std::string where = "scale " + s.name;
  const Claim cl = st.take(s.y, where);
  const std::span<const QM31> rho(cl.point);
  QM31 target = cl.value;
  if (!s.offset.empty()) target -= poly::evaluate(std::span<const M31>(s.offset), rho);
  auto x_at = [&](std::span<const QM31> pt) {
    return st.side.message(s.name + "/x", 1, [&] {
      QM31 v = poly::evaluate(std::span<const M31>(st.values(s.x)), pt);
      if (st.cheat == CheatMode::WrongScale && !st.lied) v += QM31::one(), st.lied = true;
      return std::vector<QM31>{v};
    })[0];
  };
  if (s.scalar) {
    const QM31 xv = x_at(rho);
    st.check(xv * s.scale[0] == target, where, "Y(ρ) != c·X(ρ)");
    st.claim(s.x, cl.point, xv, where);
    return;
  }
  const unsigned n = st.c.vecs[s.x].n_vars;
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    std::vector<QM31> c(s.scale.size()), x(s.scale.size());
    for (size_t i = 0; i < c.size(); ++i) c[i] = QM31() + s.scale[i], x[i] = QM31() + st.values(s.x)[i];
    tables = {poly::eq_table(rho), std::move(c), std::move(x)};
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/scale", n, 3, target, std::move(tables));
  const QM31 xv = x_at(sc.point);
  st.check(poly::eq_eval(rho, sc.point) * poly::evaluate(std::span<const M31>(s.scale), std::span<const QM31>(sc.point)) *
                   xv == sc.claim,
           where, "final claim != eq·C·X");
  st.claim(s.x, sc.point, xv, where);
}

}  // namespace zkm31::gkr
