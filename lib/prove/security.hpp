#pragma once
// The security a verified proof gives, in bits: conjectured and provable (DESIGN.md §5).
//
// Conjectured (the ethSTARK / Stwo convention, pcs::security_bits): queries·log_blowup + pow_bits,
// capped at 117; the PCS's proximity gap is left to the conjecture and so are the IOP terms below.
//
// Provable: −log2 of the sum of every soundness error of the verification, counted as it runs:
//   ε = Σ_openings 2^−pcs::provable_security_bits(config, n_o)      (each PCS opening, unique decoding)
//     + (3·C + 2·N) / |QM31|,   |QM31| = p^4 ≈ 2^124
// C is the number of QM31 challenges drawn (every channel of the proof, the weight certificate's
// included). Each one is a point where a non-zero polynomial of degree ≤ 3 would have to vanish:
// sumcheck rounds are of degree ≤ 3, and eq points, claim merges, batching and line restrictions
// use independent draws of degree 1. The exception is LogUp's (α, β, γ): the cleared-denominator
// identity Σ ±m/(α − a − β·b − γ·tag) has total degree ≤ N, the number of fractions of every
// LogUp tree (witness leaves and table rows), and a zero denominator has probability ≤ N/|QM31|.
// The challenges' own terms are charged once per draw (3·C ≥ the α, β, γ draws' share).
#include <cstdint>
#include <vector>

#include "gkr/circuit.hpp"
#include "pcs/pcs.hpp"

namespace zkm31::prove {

enum class FloorKind { Conjectured, Provable };

// What the verifier counted.
struct Soundness {
  std::vector<unsigned> openings;  // log2 size of the committed vector of every PCS opening
  uint64_t challenges = 0;         // QM31 challenges drawn
  uint64_t logup_fractions = 0;    // N above
  void add_openings(size_t count, unsigned log_size) { openings.insert(openings.end(), count, log_size); }
};

struct Security {
  double conjectured = 0, provable = 0;
  double iop = 0;  // −log2((3·C + 2·N)/|QM31|): the provable bound's share that is not the PCS
  double of(FloorKind k) const { return k == FloorKind::Provable ? provable : conjectured; }
};

// Fractions of every LogUp tree of a circuit: each instance's columns times its rows, plus the rows
// of every table.
uint64_t logup_fractions(const gkr::Circuit& c);

Security security(const pcs::Config& config, const Soundness& s);

// Rejected("statement", "… gives N provable bits < floor F") when the named bound is below the floor.
void check_floor(const Security& s, FloorKind kind, double floor_bits);

const char* floor_kind_name(FloorKind k);

}  // namespace zkm31::prove
