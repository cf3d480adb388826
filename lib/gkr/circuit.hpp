#pragma once
// The graph compiled into the claim walk of DESIGN §5. Both prover and verifier build it from the
// weight-free graph and the proof config, so what must be proven is fixed by them alone.
//
// Vectors: every tensor the walk touches, zero-padded dimension by dimension to powers of two
// (row-major; the last dimension takes the lowest point coordinates), plus the requant auxiliaries
// (clamp-excess and remainder limbs) and one multiplicity vector per table.
//   Public      graph inputs and outputs: the verifier evaluates their MLEs itself
//   Committed   outputs of non-linear nodes (requant, relu, reduce_max), auxiliaries, multiplicities:
//               one PCS commitment per proof, made before any challenge
//   Weight      weights and biases: the model commitment
//   Certificate the weights' bound limbs and the weight certificate's multiplicities: the
//               certificate's own commitment, made once per model
//   Padding     1 on the padded entries of a layout, 0 on the real ones (a lookup source that moves
//               the padded zeros onto a row of a table without (0, 0)): the verifier evaluates its
//               MLE, 1 − real_indicator, itself
//   Virtual     everything else (matmul accumulators, sums, products, reshapes): reduced by the node
//               that produced it; several claims on one (a tensor read by several nodes) are merged
//               into one first (merge.hpp)
// Padding: every relation also holds on padded entries, with zeros there (a requant uses M = 0,
// offset 0 and no rounding term outside the real entries; a bias is masked to the real rows).
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "lookup/logup.hpp"
#include "lookup/table.hpp"
#include "model/graph.hpp"

namespace zkm31::gkr {

enum class VecKind : uint8_t { Public, Committed, Weight, Certificate, Virtual, Padding };

struct Vec {
  std::string name;
  VecKind kind = VecKind::Virtual;
  model::Shape dims;               // real dimensions
  std::vector<unsigned> log_dims;  // padded, per dimension
  unsigned n_vars = 0;
  int64_t tensor = -1;             // graph tensor id, −1 for auxiliaries and multiplicities
  size_t size() const { return size_t(1) << n_vars; }
};

struct Config {
  unsigned range_bits = 12;   // the shared range table [0, 2^range_bits)
  unsigned excess_bits = 8;   // width of the clamp-excess limbs
  unsigned wide_log = 12;     // clamp intervals of more entries are proven without a clamp table
};

// Y = A·W (+ bias): W a weight [K, N] or an activation [..., K, N] with A's leading (batch) dims.
struct MatMulStep {
  uint32_t y, a, w;
  int64_t bias = -1;                 // vec id or −1
  unsigned n_bits, k_bits, row_bits;  // variables of N (output columns), K (inner), rows of A
  unsigned batch_bits = 0;            // the top row variables that also index W (activation W only)
  std::string name;
};
// Requant with clamp excess e = y − q (|e| < 2^excess_total_bits). Narrow clamp intervals use the
// clamp tables on signed excess limbs (e[j], excess_bits each, the top one narrower); wide intervals
// (more than 2^wide_log entries) use e⁺, e⁻ ≥ 0 (committed range limbs) with e⁺·(hi − q) = e⁻·(q − lo) = 0 and the
// limbs of q − lo and hi − q (dlo, dhi) for the bound lo ≤ q ≤ hi. A wide clamp that can never
// trigger (model::RequantWindow::clamp_free) has no excess and no dhi: e = 0, q − lo ∈ [0, 2^d_bits).
struct RequantStep {
  uint32_t x, q;
  std::vector<int64_t> mult, offset;  // per channel (size 1 = scalar)
  int shift;
  int64_t lo, hi;
  bool wide = false;
  bool clamp_free = false;            // wide only
  unsigned excess_total_bits = 0;
  std::vector<uint32_t> e;            // narrow: signed limbs
  std::vector<uint32_t> ep, en;       // wide: range limbs of e⁺ and e⁻
  std::vector<uint32_t> dlo, dhi;     // wide only
  unsigned d_bits = 0;
  std::vector<uint32_t> r;            // remainder limbs
  unsigned top_bits = 0;              // width of the top remainder limb
  uint32_t instance = 0;
  std::string name;
};
struct LookupStep {  // relu or a function table: every (x, y) is a row of the node's table
  uint32_t x, y;
  uint32_t instance;
  std::string name;
};
struct ReshapeStep {
  uint32_t x, y;
  std::string name;
};
// Y[y] = X[src(y)] or 0 (transpose, im2col, reshapes between different padded layouts):
// Y(ρ) = Σ_x X(x)·w(x) with w(x) = Σ_{src(y) = x} eq(ρ, y), a degree-2 sumcheck over X; the verifier
// evaluates w at the final point itself from the map.
struct IndexMapStep {
  uint32_t x, y;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (padded y index, padded x index)
  std::string name;
};
// An operand broadcast (numpy rules) to an output's padded layout: its broadcast MLE at ρ is
// X(project(ρ))·mask(ρ), mask the indicator of the real entries along the broadcast dimensions (so
// the broadcast operand is zero on the output's padding, like every vector).
struct Broadcast {
  std::vector<unsigned> kept;  // output coordinates that are the operand's own, lowest first
  struct Dim {
    unsigned first, count;
    int64_t size;
  };
  std::vector<Dim> masked;     // output dimensions the operand is repeated along
  std::vector<QM31> project(std::span<const QM31> point) const;
  QM31 mask(std::span<const QM31> point) const;
  // The operand's padded values laid out over the output's 2^out_vars entries.
  std::vector<QM31> expand(std::span<const M31> x, unsigned out_vars) const;
};
Broadcast broadcast_to(const Vec& out, const model::Shape& operand);

// Y = A + B or A − B, both broadcast to Y: Y(ρ) = A'(ρ) ± B'(ρ), no sumcheck.
struct AddStep {
  uint32_t y, a, b;
  Broadcast ba, bb;
  bool sub = false;
  std::string name;
};
// Y = A ⊙ B, both broadcast to Y: Y(ρ) = Σ_x eq(ρ, x)·A'(x)·B'(x), a degree-3 sumcheck.
struct MulStep {
  uint32_t y, a, b;
  Broadcast ba, bb;
  std::string name;
};
// Y = C ⊙ X + D with public C, D laid out over X's padded entries (mul_const: D = 0; masked_fill:
// C = 1 − mask, D = fill·mask; add/sub of a constant K: C = ±1, D = ±K):
// Y(ρ) − D(ρ) = Σ_x eq(ρ, x)·C(x)·X(x), or c·X(ρ) for one scalar c.
struct ScaleStep {
  uint32_t y, x;
  std::vector<M31> scale, offset;  // padded; offset empty when zero
  bool scalar = false;             // every real entry of C is scale[0]: no sumcheck
  std::string name;
};
// Y[..., 0] = Σ_j X[..., j] (reduce_sum over the last axis): Y(ρ) = Σ_j X(j, ρ), a degree-1 sumcheck
// over the 2^len_bits padded j (X is zero on its padding).
struct ReduceSumStep {
  uint32_t y, x;
  unsigned len_bits;
  std::string name;
};
// Y[..., 0] = max_j X[..., j] (reduce_max over the last axis), Y committed. With D = Y' − X (Y'
// the broadcast of Y over X's layout, zero on padding) and a committed one-hot selector S:
// D ≥ 0 (range limbs) and S ∈ {0, 1} (one lookup instance reads S and the limbs); at the leaf point
// ρ, D(ρ) = Y'(ρ) − X(ρ) ties the limbs to Y and X; Σ_x eq(ρ, x)·S(x)·D(x) = 0 (degree 3) makes S
// select only entries equal to the max; Σ_j S(j, ρ_rows)·real(j) = 1 (degree 2) gives every row
// exactly one selected real column, so Y is attained (and 0 on padded rows, where X is 0).
struct ReduceMaxStep {
  uint32_t y, x;
  Broadcast by;                // Y over X's layout
  uint32_t sel;                // S
  std::vector<uint32_t> d;     // limbs of D
  unsigned len_bits;
  uint32_t instance;
  std::string name;
};
// Y = concat(X_1, …, X_k): each part an index map from its input; the prover states each part's
// share Y_i(ρ) = Σ_x X_i(x)·w_i(x), the verifier checks Σ_i Y_i(ρ) = Y(ρ) and each share by its
// wiring sumcheck.
struct ConcatStep {
  uint32_t y;
  std::vector<IndexMapStep> parts;
  std::string name;
};
// Y[t, j] = W[ids[t], j] with public token ids (embedding): for the claim Y(ρ_j, ρ_t),
//   Y(ρ) = Σ_v c(v)·W(ρ_j, v),  c(v) = Σ_{real t: ids[t] = v} eq(ρ_t, t),
// a degree-2 sumcheck over W's row variables ending at one claim on W; the verifier evaluates c at
// the final point itself from the public ids (O(tokens · row_bits)).
struct EmbeddingStep {
  uint32_t y, w, ids;
  unsigned col_bits, row_bits;  // W's column (D) and row (V) variables
  std::string name;
};
using Step = std::variant<MatMulStep, RequantStep, LookupStep, ReshapeStep, IndexMapStep, AddStep, MulStep, ScaleStep,
                          ReduceSumStep, ReduceMaxStep, ConcatStep, EmbeddingStep>;

// The per-proof circuit or the weight certificate's (see Compiled).
struct Circuit {
  Config config;
  std::vector<Vec> vecs;
  std::vector<Step> steps;                        // forward order; the walk runs them backwards
  std::vector<lookup::Table> tables;              // distinct tables; tag = index + 1
  std::vector<uint32_t> mult_vecs;                // multiplicity vector of each table
  std::vector<lookup::Instance> instances;
  std::vector<std::vector<uint32_t>> instance_vecs;  // instance source → vec id
  std::vector<uint32_t> inputs, outputs;          // public vec ids (graph order)
  std::vector<uint32_t> committed;                // the circuit's own commitment, in commitment order
  std::vector<uint32_t> weights;                  // the model commitment, in commitment order
  // Certificate only: each weight tensor proven inside [lo, hi] by a one-column interval lookup for
  // small intervals; otherwise by range limbs of w − lo and hi − w (certificate vectors derived from
  // the weights), checked against w at the instance's leaf point.
  struct WeightBound {
    uint32_t w;
    int64_t lo, hi;
    std::vector<uint32_t> dlo, dhi;
    uint32_t instance;
  };
  std::vector<WeightBound> weight_bounds;

  std::vector<std::string> names() const;
  std::vector<unsigned> n_vars() const;
};

// A graph compiles to two circuits over ONE vector list (one id space, so both lay out the model
// commitment alike):
//   proof        the per-inference claim walk of every node; its tables and multiplicities serve
//                the activations only
//   certificate  the weight certificate: every weight and bias inside its declared interval, with its
//                own tables and multiplicities. It depends on the model alone, so it is proven once
//                per (model, config) and carried by every proof.
struct Compiled {
  Circuit proof;
  Circuit certificate;
};
Compiled compile(const model::Graph& g, const Config& cfg);

// Padded row-major index of a real row-major index.
size_t padded_index(const Vec& v, size_t real_index);

// MLE at `point` of the indicator of the real entries among the padded ones, restricted to the
// dimensions [first_dim, dims.size()−1−skip_last) — used for row masks.
QM31 real_indicator(const Vec& v, std::span<const QM31> point, size_t skip_last_dims);

}  // namespace zkm31::gkr
