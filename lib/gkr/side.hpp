#pragma once
// One walk, two roles: the prover computes and sends each message, the verifier receives it.
// Writing the claim walk once against this interface keeps prover and verifier in lockstep.
#include <functional>
#include <string>
#include <vector>

#include "lookup/stream.hpp"
#include "sumcheck/sumcheck.hpp"

namespace zkm31::gkr {

struct Side {
  proof::Writer* writer = nullptr;  // set when proving
  proof::Reader* reader = nullptr;  // set when verifying

  bool proving() const { return writer != nullptr; }
  Channel& channel() { return proving() ? writer->channel() : reader->channel(); }
  QM31 draw(const std::string& label) { return channel().draw_qm31(label); }
  std::vector<QM31> draws(const std::string& label, size_t n) {
    std::vector<QM31> out;
    for (size_t i = 0; i < n; ++i) out.push_back(draw(label + "[" + std::to_string(i) + "]"));
    return out;
  }
  // Prover: compute() and send; verifier: receive n elements.
  std::vector<QM31> message(const std::string& label, size_t n, const std::function<std::vector<QM31>()>& compute);
};

// Sumcheck of Σ_x Π_i t_i(x) over n variables (degree = number of tables) through lib/sumcheck;
// its round messages go into the proof stream. The prover passes the tables; both sides get the
// point and the final claim; the prover also gets the tables' values at the point.
struct SumcheckResult {
  std::vector<QM31> point;
  QM31 claim;
  std::vector<QM31> finals;  // prover only
};
SumcheckResult sumcheck_product(Side& side, const std::string& prefix, unsigned n, unsigned degree, QM31 claim,
                                std::vector<std::vector<QM31>> tables);
// A prover's sumcheck output (run against the side's channel) appended to the proof stream, with the
// final claim followed through its rounds.
SumcheckResult record(Side& side, QM31 claim, sumcheck::ProverOutput po);
// The same for Σ_x Σ_t coeff_t·Π_{j∈t} tables_j(x) (lib/sumcheck terms).
SumcheckResult sumcheck_terms(Side& side, const std::string& prefix, unsigned n, unsigned degree, QM31 claim,
                              std::vector<std::vector<QM31>> tables, std::vector<sumcheck::Term> terms);

}  // namespace zkm31::gkr
