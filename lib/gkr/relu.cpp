// ReLU: every (x, y) pair is a row of the ReLU table over x's proven interval (one LogUp
// instance); its leaf point gives one claim on x and one on y.
#include "gkr/walk.hpp"

namespace zkm31::gkr {

void reduce_relu(WalkState& st, const LookupStep& s) {
  st.run_instance(s.instance);
}

void reduce_reshape(WalkState& st, const ReshapeStep& s) {
  const std::string where = "reshape " + s.name;
  const Claim cl = st.take(s.y, where);
  st.claim(s.x, cl.point, cl.value, where);
}

}  // namespace zkm31::gkr
