#pragma once
// GKR for a sum of fractions Σ_i P_i / Q_i over 2^n leaves (LogUp-GKR). Layer k has 2^k
// fractions; the pairing is MSB: node i of layer k joins children i and i + 2^k of layer k+1,
//   P_k[i] = P_{k+1}[i]·Q_{k+1}[i+2^k] + P_{k+1}[i+2^k]·Q_{k+1}[i],  Q_k[i] = Q_{k+1}[i]·Q_{k+1}[i+2^k],
// so the point grows as r ← ρ ++ [λ] and the highest leaf-index bit is the last coordinate.
// Each layer is reduced by a degree-3 sumcheck over eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1] (LSB bound first);
// round messages are h(0), h(2), h(3) (h(1) follows from the claim).
#include <string>
#include <vector>

#include "field/field.hpp"
#include "lookup/stream.hpp"

namespace zkm31::lookup {

struct Fraction {
  QM31 p, q;
};

// Proves the leaves (n ≥ 1 variables). Returns the leaf point (n coordinates, LSB first).
std::vector<QM31> gkr_prove(proof::Writer& w, const std::string& label, std::vector<QM31> P, std::vector<QM31> Q);

struct GkrClaim {
  Fraction root;              // the claimed total, to be checked by the caller
  std::vector<QM31> point;    // the leaf point
  QM31 p, q;                  // claimed MLEs of the leaf numerators / denominators at point
};
GkrClaim gkr_verify(proof::Reader& r, const std::string& label, unsigned n);

// One sumcheck round on the verifier side: reads "<prefix>/round<i>" = h(0), h(2), …, h(degree)
// (h(1) = claim − h(0)), draws "<prefix>/r<i>" and returns h(challenge), the next claim.
QM31 verify_round(proof::Reader& r, const std::string& prefix, size_t round, QM31 claim, unsigned degree,
                  QM31& challenge);

}  // namespace zkm31::lookup
