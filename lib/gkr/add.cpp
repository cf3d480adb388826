// Add / sub Y = A ± B, both operands broadcast to Y: Y(ρ) = A(ρ_a)·mask_a(ρ) ± B(ρ_b)·mask_b(ρ),
// with ρ_a, ρ_b the operands' own coordinates of ρ and the masks (the real entries along broadcast
// dimensions) evaluated by the verifier. The prover states A(ρ_a) and B(ρ_b): no sumcheck.
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_add(WalkState& st, const AddStep& s) {
  const std::string where = (s.sub ? "sub " : "add ") + s.name;
  const Claim cl = st.take(s.y, where);
  const std::vector<QM31> pa = s.ba.project(cl.point), pb = s.bb.project(cl.point);
  const QM31 ma = s.ba.mask(cl.point), mb = s.bb.mask(cl.point);
  const QM31 sign = s.sub ? QM31() - QM31::one() : QM31::one();
  const std::vector<QM31> v = st.side.message(s.name + "/operands", 2, [&] {
    std::vector<QM31> out{poly::evaluate(std::span<const M31>(st.values(s.a)), std::span<const QM31>(pa)),
                          poly::evaluate(std::span<const M31>(st.values(s.b)), std::span<const QM31>(pb))};
    if (st.cheat == CheatMode::ShiftOperands && !st.lied) {  // both claims wrong, this node's check still holds
      out[0] += mb, out[1] -= sign * ma;
      st.lied = true;
    }
    return out;
  });
  st.check(ma * v[0] + sign * mb * v[1] == cl.value, where, "Y(ρ) != A(ρ) ± B(ρ)");
  st.claim(s.a, pa, v[0], where);
  st.claim(s.b, pb, v[1], where);
}

}  // namespace zkm31::gkr
