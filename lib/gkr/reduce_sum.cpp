// reduce_sum over the last axis, Y[..., 0] = Σ_j X[..., j]: Y(ρ) = Σ_j X(j, ρ) over the 2^len_bits
// padded j (X is zero on its padding), a degree-1 sumcheck whose last claim is X(s, ρ) itself.
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_sum(WalkState& st, const ReduceSumStep& s) {
  const std::string where = "reduce_sum " + s.name;
  const Claim cl = st.take(s.y, where);
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) tables = {poly::fix_high(std::span<const M31>(st.values(s.x)), cl.point)};
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/sum", s.len_bits, 1, cl.value, std::move(tables));
  if (st.side.proving() && st.cheat == CheatMode::WrongSum && !st.lied && s.len_bits) {
    // the last round message changed after it entered the transcript
    const_cast<std::vector<QM31>&>(st.side.writer->data()).back() += QM31::one();
    st.lied = true;
  }
  std::vector<QM31> px(sc.point);
  px.insert(px.end(), cl.point.begin(), cl.point.end());
  st.claim(s.x, std::move(px), sc.claim, where);
}

}  // namespace zkm31::gkr
