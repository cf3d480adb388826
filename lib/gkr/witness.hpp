#pragma once
// The prover's side of the circuits: every vector's padded values, from the trace and the weights,
// plus the requant auxiliaries and the table multiplicities (the weight certificate's: its bound
// limbs and multiplicities). The honest prover refuses a trace whose non-linear relations do not hold
// (a tuple outside its table, a wrong requant) and weights outside their declared intervals.
#include <span>
#include <vector>

#include "gkr/circuit.hpp"
#include "model/trace.hpp"

namespace zkm31::gkr {

struct Witness {
  std::vector<std::vector<M31>> values;  // per vec, padded; multiplicities included (empty once lent)
  std::vector<std::span<const M31>> lent;  // where lent vecs' values are now (see lend)

  // A vec's values, wherever they are.
  std::span<const M31> view(uint32_t vec) const {
    return vec < lent.size() && lent[vec].data() ? lent[vec] : std::span<const M31>(values[vec]);
  }
  // Frees the vec's values: `where` holds the same ones (checked) and outlives the witness's use, so
  // that a large model's weights are held once, inside the model commitment.
  void lend(uint32_t vec, std::span<const M31> where);
  // The vec's values are at `where` (outliving the witness's use), never held by the witness itself.
  void place(uint32_t vec, std::span<const M31> where);
};

// The per-proof circuit's witness (weights and biases included). strict = false only for tests that
// forge witnesses: tuples outside a table are left uncounted.
Witness build_witness(const Circuit& c, const model::Trace& t, bool strict = true);
// The same in parts, each emptying the trace of what it embeds, so that a large model is neither held
// twice nor whole: the weights straight into their packed commitment vector, chunk by chunk
// (drain_weights: vector ids[i] at offsets[i] of out, each one's data in g freed once written), then
// every other vector from t (its activations freed as they are embedded).
void drain_weights(const Circuit& c, model::Graph& g, std::span<const uint32_t> ids, std::span<const size_t> offsets,
                   std::span<M31> out);
void add_activations(const Circuit& c, Witness& w, model::Trace& t);

// (Re)computes the circuit's multiplicity vectors from the other vectors.
void count_multiplicities(const Circuit& c, Witness& w, bool strict = true);

// The weight-kind vectors alone (weights and biases), index = vec id: what the model commitment packs.
std::vector<std::vector<M31>> weight_values(const Circuit& c, const model::Graph& g);

// Adds the weight certificate's own vectors to w, which holds the weights (weight_values): their bound
// limbs and the certificate's multiplicities. Refuses a weight outside its declared interval (BadInput)
// unless !strict (tests forging a certificate).
void add_certificate_values(const Circuit& certificate, Witness& w, bool strict = true);

// Padded values of one graph tensor (activation from the trace or weight from the graph).
std::vector<M31> embed(const Vec& v, std::span<const M31> real);

}  // namespace zkm31::gkr
