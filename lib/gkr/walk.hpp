#pragma once
// The claim walk (DESIGN §5): from the outputs to the inputs, one reduction per node (matmul.cpp,
// requant.cpp, relu.cpp, index_map.cpp, add.cpp, mul.cpp, scale.cpp, reduce_sum.cpp, reduce_max.cpp, embedding.cpp;
// claims on a vector read by several nodes merged first, merge.hpp), then the weights' bound lookups
// (the weight certificate's circuit has only these) and the tables' multiplicity claims. Before
// calling, the channel must hold the statement and every commitment the lookups read; the walk draws
// the circuit's one set of LogUp challenges and proves every lookup (lookup::prove_lookups) first, so
// that a step reached later finds its instance's leaf claims ready. It returns the ledger, whose
// pending claims are all on committed, certificate or weight vectors: the caller discharges them with
// PCS openings.
#include <vector>

#include "gkr/circuit.hpp"
#include "gkr/ledger.hpp"
#include "gkr/side.hpp"
#include "gkr/witness.hpp"
#include "lookup/logup.hpp"

namespace zkm31::gkr {

// Ways a lying prover cheats, one per layer type; for tests only (never set by a CLI or the
// environment). The verifier must reject each.
enum class CheatMode : uint8_t {
  None,
  SkipLookup,      // the last lookup step's (ReLU or table) lookups are left out of their tree (dummy leaves)
  AlterRound,      // a matmul sumcheck round polynomial is changed after the fact
  ReuseChallenge,  // a matmul sumcheck binds with a stale challenge
  WrongFinal,      // the first matmul walked claims a wrong operand value (opens a different vector)
  WrongRequant,    // a requant claims a different accumulator value
  WrongWiring,     // an index map (transpose, im2col) claims a different input value
  ForgedWitness,   // proves a forged witness as is (no lie in the protocol, no self-checks)
  ShiftOperands,   // the first add/sub walked moves δ from one operand's claimed value to the other's
  WrongProduct,    // the first mul walked claims wrong operand values at the end of its sumcheck
  WrongScale,      // the first scale step (mul_const, masked_fill, ± constant) claims a wrong input value
  WrongSum,        // the first reduce_sum walked alters its last round polynomial
  MergeDrop,       // the first merge of several claims leaves the last claim out of its sumcheck
  MergeWrongValue, // the first merge states a wrong value for the merged claim
  WrongEmbedding,  // the first embedding walked claims a wrong table value at the end of its sumcheck
};

struct WalkState {
  const Circuit& c;
  Side& side;
  const Witness* wit;                           // prover only
  const std::vector<std::vector<M31>>& pub;     // padded public vectors (index = vec id)
  CheatMode cheat;
  Ledger ledger;
  lookup::Challenges ch;
  lookup::LookupClaims lookups;                 // every instance's and table's leaf claims, proven first
  std::vector<bool> instance_walked;
  bool lied = false;                            // a one-shot cheat was used

  WalkState(const Circuit& circuit, Side& s, const Witness* w, const std::vector<std::vector<M31>>& p, CheatMode m)
      : c(circuit), side(s), wit(w), pub(p), cheat(m), ledger(circuit.names(), circuit.n_vars()) {}

  std::span<const M31> values(uint32_t vec) const { return wit->view(vec); }
  // A verifier check. The honest prover runs it too and refuses an inconsistent trace (BadInput);
  // a cheating prover skips it.
  void check(bool cond, const std::string& where, const std::string& what) const;
  // The one pending claim on a step's output, consumed by `where`.
  Claim take(uint32_t vec, const std::string& where);
  // Records a claim; a claim on a public vector is checked and consumed on the spot.
  void claim(uint32_t vec, std::vector<QM31> point, QM31 value, const std::string& origin);
  // Instance k's leaf claims (proven before the walk) put on its sources, once.
  lookup::LeafClaims run_instance(uint32_t instance);
  // x − lo·real and hi·real − x equal their range limbs at the leaf point (so lo ≤ x ≤ hi on the
  // entries where the indicator `real` is 1, and limbs of 0 where it is 0). An empty dhi bounds x − lo only.
  void check_bound_limbs(const std::string& where, const lookup::LeafClaims& leaf, uint32_t instance, uint32_t x,
                         int64_t lo, int64_t hi, const std::vector<uint32_t>& dlo, const std::vector<uint32_t>& dhi,
                         QM31 real = QM31::one());
};

// Called after each part of the walk with its name (kLookupTreePart + " i/n" per batched lookup tree,
// then each node, "weights"): progress and timing.
using StepHook = std::function<void(const std::string&)>;
inline constexpr std::string_view kLookupTreePart = "lookup tree";

Ledger walk(const Circuit& c, Side& side, const Witness* wit, const std::vector<std::vector<M31>>& pub,
            CheatMode cheat = CheatMode::None, const StepHook& hook = {});

// One reduction per node type.
void reduce_matmul(WalkState& st, const MatMulStep& s);
void reduce_requant(WalkState& st, const RequantStep& s);
void reduce_relu(WalkState& st, const LookupStep& s);
void reduce_reshape(WalkState& st, const ReshapeStep& s);
void reduce_index_map(WalkState& st, const IndexMapStep& s);
void reduce_concat(WalkState& st, const ConcatStep& s);
void reduce_add(WalkState& st, const AddStep& s);
void reduce_mul(WalkState& st, const MulStep& s);
void reduce_scale(WalkState& st, const ScaleStep& s);
void reduce_sum(WalkState& st, const ReduceSumStep& s);
void reduce_max(WalkState& st, const ReduceMaxStep& s);
void reduce_embedding(WalkState& st, const EmbeddingStep& s);
// Several pending claims on a virtual vector become one (merge.hpp) before its producer reduces it.
void merge_pending(WalkState& st, uint32_t vec);

}  // namespace zkm31::gkr
