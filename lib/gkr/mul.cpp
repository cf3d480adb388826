// Elementwise product Y = A ⊙ B, both operands broadcast to Y (an eq-sumcheck, DESIGN §5):
// Y(ρ) = Σ_x eq(ρ, x)·A'(x)·B'(x) (degree 3), ending at claims on A and B at their coordinates of the
// final point; the verifier evaluates eq and the broadcast masks there itself.
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_mul(WalkState& st, const MulStep& s) {
  const std::string where = "mul " + s.name;
  const Claim cl = st.take(s.y, where);
  const unsigned n = st.c.vecs[s.y].n_vars;
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving())
    tables = {poly::eq_table(cl.point), s.ba.expand(st.values(s.a), n), s.bb.expand(st.values(s.b), n)};
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/product", n, 3, cl.value, std::move(tables));
  const std::vector<QM31> pa = s.ba.project(sc.point), pb = s.bb.project(sc.point);
  const std::vector<QM31> v = st.side.message(s.name + "/product/operands", 2, [&] {
    std::vector<QM31> out{poly::evaluate(std::span<const M31>(st.values(s.a)), std::span<const QM31>(pa)),
                          poly::evaluate(std::span<const M31>(st.values(s.b)), std::span<const QM31>(pb))};
    if (st.cheat == CheatMode::WrongProduct && !st.lied) out[0] += QM31::one(), out[1] += QM31::one(), st.lied = true;
    return out;
  });
  st.check(poly::eq_eval(cl.point, sc.point) * s.ba.mask(sc.point) * v[0] * s.bb.mask(sc.point) * v[1] == sc.claim,
           where, "final product claim != eq·A·B");
  st.claim(s.a, pa, v[0], where);
  st.claim(s.b, pb, v[1], where);
}

}  // namespace zkm31::gkr
