// ReLU: every (x, y) pair is a row of the ReLU table over x's proven interval (one LogUp
// instance); its leaf point gives one claim on x and one on y.
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

void reduce_relu(WalkState& st, const LookupStep& s) {
  if (st.side.proving() && st.cheat == CheatMode::SkipLookup) {
    // A lying prover that skips the lookup and claims x where y was claimed.
    const auto& pt = st.ledger.at(st.ledger.pending(s.y).at(0)).point;
    st.side.message(s.name + "/skipped", 1, [&] {
      return std::vector<QM31>{poly::evaluate(std::span<const M31>(st.values(s.x)), std::span<const QM31>(pt))};
    });
    return;
  }
  st.run_instance(s.instance);
}

void reduce_reshape(WalkState& st, const ReshapeStep& s) {
  const std::string where = "reshape " + s.name;
  const Claim cl = st.take(s.y, where);
  st.claim(s.x, cl.point, cl.value, where);
}

}  // namespace zkm31::gkr
