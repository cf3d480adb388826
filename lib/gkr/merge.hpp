#pragma once
// Several claims on one vector merged into one (DESIGN §5): with λ_i drawn after every claim is in
// the transcript, the degree-2 sumcheck of Σ_x (Σ_i λ_i eq(r_i, x))·V(x) = Σ_i λ_i v_i ends at one
// claim V(s), which the prover states and the verifier ties to the sumcheck's last claim. Used by the
// walk for a virtual vector read by several nodes, and by the prover for PCS openings with more
// claims than one opening takes.
#include <span>
#include <string>
#include <vector>

#include "gkr/side.hpp"

namespace zkm31::gkr {

struct MergeClaim {
  std::vector<QM31> point;
  QM31 value;
  // eq(point, ·) vanishes outside [offset, offset + 2^member_vars): point[member_vars, …) are fixed bits
  // (a member's slot in a packed vector); member_vars = point.size() for a plain claim.
  size_t offset = 0;
  unsigned member_vars = 0;
};

struct Merged {
  std::vector<QM31> point;
  QM31 value;
};

// `values` (the vector's 2^n entries) only when proving. Rejects when the stated value does not
// satisfy the sumcheck's last claim.
Merged merge_claims(Side& side, const std::string& label, const std::vector<MergeClaim>& claims, unsigned n,
                    std::span<const M31> values);

}  // namespace zkm31::gkr
