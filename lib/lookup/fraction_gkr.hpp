#pragma once
// GKR for a sum of fractions Σ_i P_i / Q_i over 2^n leaves (LogUp-GKR). Layer k has 2^k
// fractions; the pairing is MSB: node i of layer k joins children i and i + 2^k of layer k+1,
//   P_k[i] = P_{k+1}[i]·Q_{k+1}[i+2^k] + P_{k+1}[i+2^k]·Q_{k+1}[i],  Q_k[i] = Q_{k+1}[i]·Q_{k+1}[i+2^k],
// so the point grows as r ← ρ ++ [λ] and the highest leaf-index bit is the last coordinate.
// Each layer is reduced by a degree-3 sumcheck over eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1] (LSB bound first);
// round messages are h(0), h(2), h(3) (h(1) follows from the claim).
#include <functional>
#include <string>
#include <vector>

#include "field/field.hpp"
#include "lookup/stream.hpp"

namespace zkm31::lookup {

struct Fraction {
  QM31 p, q;
};

// Leaves [first, first + count) of a tree, written to p and q: trees too large to keep are recomputed
// from their leaves on demand instead of being stored.
using LeafBlock = std::function<void(size_t first, size_t count, QM31* p, QM31* q)>;

// Proves the 2^n leaves (n ≥ 1). Returns the leaf point (n coordinates, LSB first). Layers of up to
// 2^stored_log fractions are kept; the larger ones are recomputed from `leaves` when the walk reaches
// them, and their sumchecks bind their first variables on the fly until the bound tables are that
// small: memory stays near 2^stored_log·64 bytes whatever n is, for a few extra passes over the
// leaves. The proof does not depend on stored_log (≥ 2; tests lower it). By default (0) trees of up
// to 2^kStoredLeavesLog leaves are stored whole, larger ones recompute their leaves (the largest
// layer, and the cheapest to recompute) and store the layers of up to 2^kStoredLog.
inline constexpr unsigned kStoredLog = 21, kStoredLeavesLog = 16;
std::vector<QM31> gkr_prove(proof::Writer& w, const std::string& label, unsigned n, const LeafBlock& leaves,
                            unsigned stored_log = 0);
// The same over leaves already in memory (kept, not copied).
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
