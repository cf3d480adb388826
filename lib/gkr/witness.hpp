#pragma once
// The prover's side of the circuits: every vector's padded values, from the trace and the weights,
// plus the requant auxiliaries and the table multiplicities (the weight certificate's: its bound
// limbs and multiplicities). The honest prover refuses a trace whose non-linear relations do not hold
// (a tuple outside its table, a wrong requant) and weights outside their declared intervals.
#include <functional>
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
// every other vector on demand (WitnessBuilder).
void drain_weights(const Circuit& c, model::Graph& g, std::span<const uint32_t> ids, std::span<const size_t> offsets,
                   std::span<M31> out);

// Computes a witness's non-weight vectors on demand, each with what it reads (an activation from the
// trace, a requant's or reduce_max's auxiliaries from its input and output, the multiplicities from
// every lookup's vectors): a prover that commits the vectors chunk by chunk builds each chunk's
// members just before packing it, and never holds the whole witness. With `drain`, an activation of
// the trace is freed once every vector that embeds it is built. The weights must be in w already.
class WitnessBuilder {
 public:
  WitnessBuilder(const Circuit& c, const model::Trace& t, model::Trace* drain, Witness& w, bool strict = true,
                 std::function<void()> after_read = {});
  void ensure(uint32_t vec);
  void ensure_all();

 private:
  static constexpr int32_t kEmbedded = -1, kMultiplicity = -2, kNothing = -3;
  const Circuit& c_;
  const model::Trace& t_;
  model::Trace* drain_;
  Witness& w_;
  bool strict_;
  std::function<void()> after_read_;  // count_multiplicities'
  std::vector<int32_t> producer_;  // a step index, or one of the constants above
  std::vector<bool> built_;
  std::vector<size_t> uses_;  // vectors still to embed per activation tensor
};

// (Re)computes the circuit's multiplicity vectors from the other vectors; after_read, if set, is called
// once each lookup's vectors are counted (a prover drops the pages of mapped vectors it read).
void count_multiplicities(const Circuit& c, Witness& w, bool strict = true, const std::function<void()>& after_read = {});

// The weight-kind vectors alone (weights and biases), index = vec id: what the model commitment packs.
std::vector<std::vector<M31>> weight_values(const Circuit& c, const model::Graph& g);

// Adds the weight certificate's own vectors to w, which holds the weights (weight_values): their bound
// limbs and the certificate's multiplicities. Refuses a weight outside its declared interval (BadInput)
// unless !strict (tests forging a certificate).
void add_certificate_values(const Circuit& certificate, Witness& w, bool strict = true);

// Padded values of one graph tensor (activation from the trace or weight from the graph).
std::vector<M31> embed(const Vec& v, std::span<const M31> real);

}  // namespace zkm31::gkr
