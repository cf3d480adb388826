#pragma once
// A cheating prover for the negative tests of lib/pcs (nothing else calls this). It corrupts every
// `stride`-th entry of layer `layer` (0 = the codeword, at commit; else a committed folded layer, in its
// coset-row layout) before
// that layer is committed, while running the honest sumcheck and encoding the other layers honestly.
#include "pcs/pcs.hpp"

namespace zkm31::pcs::testing {

struct Fault {
  unsigned layer;
  size_t stride;
};

Committed commit(std::vector<M31> values, const Config& config, const Fault& fault);
OpeningProof open(const Committed& committed, std::span<const Claim> claims, Channel& channel, const Fault& fault);

}  // namespace zkm31::pcs::testing
