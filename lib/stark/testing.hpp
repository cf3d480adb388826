#pragma once
// A cheating prover for the negative tests of lib/stark (nothing else calls this): the honest prover
// without its witness check, so that a trace breaking a constraint or a lookup reaches the verifier.
// With match_ood it also replaces the composition's sampled limbs by (value the verifier expects, 0, 0, 0),
// so that the out-of-domain check passes and only FRI can catch the lie.
#include "stark/stark.hpp"

namespace zkm31::stark::testing {

Proof prove_unchecked(const air::Components& components, const std::vector<air::Columns>& traces, const Config& config,
                      Randomness& randomness, bool match_ood = false);

}  // namespace zkm31::stark::testing
