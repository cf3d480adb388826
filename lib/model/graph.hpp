#pragma once
// The integer graph IR (DESIGN.md §4): what onnx2graph produces, graph-forward executes and
// gkr-prove proves. Every node is one integer relation between explicit tensors.
//
// Conventions
// - Tensors are dense, row-major: element (i0,…,ik) of shape (d0,…,dk) is at ((i0·d1+i1)·d2+…)·dk+ik;
//   a matrix A[rows][cols] is at row·cols + col.
// - Integer values v live in M31 as v mod p, with |v| ≤ (p−1)/2. Every tensor carries the proven
//   interval [lo, hi] of its values and the signed width `bits` (lo ≥ −2^(bits−1), hi < 2^(bits−1)).
//   Inputs are range-checked by the verifier; weights declare the full signed range of their width
//   (what their range proof establishes: int8 matrices [−128, 127]); requant outputs are bounded by
//   their clamp; every other bound follows from the node's inputs (`infer` derives it, `validate`
//   re-derives and compares).
// - Real value of an integer tensor t: v · t.scale (dequantization; scale is not proven, reports only).
// - Broadcasting (add, sub, mul, mul_const, masked_fill) follows numpy rules on the shapes.
// - Float track (graph-forward's reference pass): the same nodes on real values with the original
//   float weights; requant/mul_const use real_mult/real_offset, lookups the exact real function
//   (with their gains, if any), masked_fill fills −inf. No rounding or clamping, so it reproduces the float model.
//
// Ops (inputs → outputs, op-specific Node fields)
//   matmul       [A, B] or [A, B, bias] → [Y].  A: [..., M, K]. B: a weight [K, N] or an activation
//                [..., K, N] with the same leading dims as A. bias (optional): int vector [N] (weight kind).
//                Y[..., m, n] = Σ_k A[..., m, k]·B[..., k, n] + bias[n], exact. acc_bound = proven max |Y|.
//   requant      [X] → [Y].  Y = clamp(floor((X·M_c + B_c + 2^(s−1)) / 2^s), lo, hi), c = index along the
//                last axis when `mult` has N > 1 entries (N = last dim), else scalar. `offset` (B) may
//                be empty (= 0). For s = 0 the rounding term 2^(s−1) is 0. Proven by
//                X·M + B + 2^(s−1) = 2^s·(q + e) + r, 0 ≤ r < 2^s, q = Y, e the clamp excess
//                (e > 0 ⇒ q = hi, e < 0 ⇒ q = lo). `unclamped_bound` bounds |q + e|; the importer
//                checks |X|max·|M|max + |B|max + 2^(s−1) + (unclamped_bound+1)·2^s < p.
//   relu         [X] → [Y = max(X, 0)].
//   lookup       [X] → [Y = table.values[X − table.in_lo]]. X's interval lies inside the table domain
//                [in_lo, in_lo + size). The table is rebuilt from (fn, params) by make_table (tables.hpp)
//                with integer-only code; read_graph refuses a stored table that differs.
//   add, sub     [A, B] → [Y = A ± B] (broadcast).   mul [A, B] → [Y = A·B] (broadcast, exact).
//   mul_const    [X, C] → [Y = X·C]; C is a constant tensor (public integers) broadcast to X.
//                (requant's per-channel M·X is the same elementwise product with a public vector.)
//   masked_fill  [X, Mask] → [Y]; Mask is a constant 0/1 tensor broadcast to X: Y = fill where Mask = 1,
//                else X (a causal mask: masked scores become a large negative value).
//   reshape      [X] → [Y], same elements, new shape `ints` (also ONNX Flatten/Squeeze/Unsqueeze).
//   transpose    [X] → [Y], Y axis i = X axis ints[i] (ints = the permutation).
//   im2col       [X] → [Y]. X: [C, H, W] (a leading batch of 1 is allowed: [1, C, H, W]).
//                Y: [OH·OW, C·KH·KW], Y[oh·OW+ow][(c·KH+i)·KW+j] = X[c][oh·sh−pt+i·dh][ow·sw−pl+j·dw],
//                0 outside the image. ints = {KH, KW, sh, sw, pt, pl, pb, pr, dh, dw}.
//   slice        [X] → [Y]; axes/starts/ends/steps (ONNX semantics, normalized: non-negative, clamped).
//   concat       [X1, X2, …] → [Y] along `axis`.
//   gather       [X] → [Y]: constant indices `ints` along `axis` (Y shape: X's with axis → idx_shape).
//   embedding    [W, Ids] → [Y]: token embeddings. W a weight [V, D], Ids a graph input of token ids
//                (public, proven inside [0, V) by the verifier's range check of the input);
//                Y = Ids.shape + [D], Y[..., j] = W[Ids[...], j].
//   reduce_sum   [X] → [Y]: sum over the last axis, kept as a dimension of size 1.
//   reduce_max   [X] → [Y]: max over the last axis, kept as size 1.
//
// Ids: tensors are numbered 0..T−1 in `tensors`; a node's inputs are produced by earlier nodes
// (or are graph inputs, weights, constants): `nodes` is in execution order.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "field/m31.hpp"
#include "hash/blake2s.hpp"

namespace zkm31::artifact {
struct BodyWriter;
}

namespace zkm31::model {

using Shape = std::vector<int64_t>;
int64_t numel(const Shape& s);
std::string shape_str(const Shape& s);

enum class TensorKind : uint8_t {
  Input,       // public input (quantized by graph-forward from the float input)
  Activation,  // produced by a node
  Weight,      // int weights / int biases: bound by the weight commitment (the model commitment hashes its root with the digest)
  Constant,    // public integers fixed in the graph (masks, multiplier vectors): part of the digest
};

struct Tensor {
  std::string name;
  TensorKind kind = TensorKind::Activation;
  Shape shape;
  int bits = 0;          // signed width holding [lo, hi]
  int64_t lo = 0, hi = 0;  // proven value interval
  double scale = 1.0;    // real = int · scale (dequantization only); 0 when the scale is per channel
};

// A weight tensor's data. Matmul weights are [K, N] row-major (W[k][n] at k·N+n) with one scale
// per output column n; biases are [N] int32 at scale in_scale·w_scale[n].
struct WeightData {
  uint32_t tensor = 0;           // tensor id (kind Weight)
  std::vector<int32_t> values;   // the integers (int8 range for matrices), row-major
  std::vector<float> original;   // the float values they quantize (float reference track), same layout
  std::vector<double> scales;    // per-output-channel scale (size N) or one per-tensor scale
};

// A constant tensor's data (part of the digest).
struct ConstantData {
  uint32_t tensor = 0;
  std::vector<int64_t> values;
  std::vector<float> original;  // float track values (empty: values · scale)
};

// Integer function tables (see tables.hpp for fn names and the meaning of params).
struct TableSpec {
  std::string fn;               // "sigmoid", "tanh", "gelu_tanh", "gelu_erf", "silu", "exp_neg", "rsqrt", "recip", …
  std::vector<int64_t> params;  // integers the table is built from (scales as mult/2^shift pairs)
  int64_t in_lo = 0;            // first input value; the domain is [in_lo, in_lo + values.size())
  std::vector<int64_t> values;  // values[i] = f(in_lo + i)
};

enum class Op : uint8_t {
  MatMul, Requant, Relu, Lookup, Add, Sub, Mul, MulConst, MaskedFill,
  Reshape, Transpose, Im2col, Slice, Concat, Gather, ReduceSum, ReduceMax, Embedding,
};
const char* op_name(Op op);
// Index maps (reshape, transpose, im2col, slice, gather, concat) are built entry by entry by prover
// and verifier, so their outputs are bounded: at most 2^kMaxIndexMapLog entries (gkr-prove refuses
// larger ones, onnx2graph before its calibration pass would allocate them).
inline constexpr unsigned kMaxIndexMapLog = 26;
bool is_index_map(Op op);
Op op_from_name(const std::string& name);  // throws BadInput for an unknown op

struct Node {
  Op op = Op::Relu;
  std::string name;                 // the ONNX node(s) it came from, for messages
  std::vector<uint32_t> inputs, outputs;
  // matmul: proven bound on |Y| (= the output tensor's bound).
  int64_t acc_bound = 0;
  // requant
  std::vector<int64_t> mult, offset;
  int shift = 0;
  int64_t lo = 0, hi = 0;
  int64_t unclamped_bound = 0;
  // requant and mul_const, float track only (not proven): the real-valued meaning of the node,
  // y_real = x_real · real_mult[c] + real_offset[c] (scalar when size 1). It is 1 for a pure change
  // of scale, 1/d for a mean, gamma/beta for a LayerNorm affine. mul_const: one factor, or one per
  // element of its constant (broadcast like the constant, e.g. RoPE's cos/sin tables).
  // lookup: empty, or the gains {a, c} of its float track y_real = c·f(a·x_real) (the table's own
  // scales carry them on the integer track: a scaled input or output folded into one table).
  std::vector<double> real_mult, real_offset;
  // lookup
  TableSpec table;
  // masked_fill
  int64_t fill = 0;
  // transpose: perm. gather: indices. im2col: see above. slice: starts/ends/steps (per axis in axes).
  std::vector<int64_t> ints, axes, starts, ends, steps;
  Shape idx_shape;  // gather: shape of the index tensor
  int axis = 0;     // concat / gather
};

struct Graph {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<uint32_t> inputs, outputs;   // tensor ids
  std::vector<WeightData> weights;         // one per Weight tensor
  std::vector<ConstantData> constants;     // one per Constant tensor
  // Float reference graph in the same ids is implicit: graph-forward's float track re-runs the
  // nodes on dequantized values with the original weights (see forward.hpp).
  std::vector<std::string> notes;          // human-readable import notes (calibration source, …)

  const WeightData& weight(uint32_t tensor) const;      // throws if absent
  WeightData& weight(uint32_t tensor);
  const ConstantData& constant(uint32_t tensor) const;  // throws if absent
  size_t parameter_count() const;                       // total weight elements
};

// BLAKE2s over the canonical encoding of everything except weight data (ops, shapes, bounds,
// quantization parameters, tables, constants, weight shapes; not the weights' values, float
// originals or dequantization scales). Domain string "zkm31/graph/v1".
hash::Digest graph_digest(const Graph& g);

// Signed width of the interval [lo, hi]: the least b with −2^(b−1) ≤ lo and hi < 2^(b−1).
int signed_bits(int64_t lo, int64_t hi);

// Numpy broadcast of two shapes; throws BadInput when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// For each element of `out` (row-major), the flat index of the element of `in` it reads under
// numpy broadcasting (in must broadcast to out).
std::vector<int64_t> broadcast_index(const Shape& out, const Shape& in);

// Source index (−1: zero padding) of every output element of an index-map node (reshape,
// transpose, slice, gather, im2col); defined with the forward pass.
std::vector<int64_t> index_map(const Graph& g, const Node& n);

// Output shape and proven value interval of a node, derived from its inputs and parameters only.
struct Inferred {
  Shape shape;
  int64_t lo = 0, hi = 0;
};
Inferred infer(const Graph& g, const Node& n);

// A requant y = floor((x·M + B + 2^(s−1)) / 2^s) over x in [x_lo, x_hi], clamped to q in [lo, hi]:
// the bits its clamp excess e = y − q needs (at least 1), and whether X·M + B + 2^(s−1) =
// 2^s·(q + e) + r stays unique mod p when q may be anywhere in the clamp interval and e anywhere its
// limbs allow — what the GKR prover range-checks, so what soundness needs (lib/gkr refuses
// otherwise; the importer picks shifts that pass).
struct RequantWindow {
  unsigned excess_bits = 1;
  bool unique = false;
  // The clamp can never trigger on [x_lo, x_hi], and q − lo ∈ [0, 2^⌈log2(hi − lo + 1)⌉) alone makes
  // the decomposition unique mod p: the proof then needs no excess and no upper bound limbs.
  bool clamp_free = false;
};
RequantWindow requant_window(const Node& n, int64_t x_lo, int64_t x_hi);

// Structural validation (ids, shapes, op arities, table consistency, bound derivation, the no-wrap
// and requant uniqueness bounds). Throws BadInput naming the node and the failed check.
// WeightValues::absent: a weight-free graph (the one a proof carries): every weight's values must be
// empty, and are not checked against the tensor. WeightValues::integers (decoding only): the weights'
// integers without their float originals, which only the float reference track reads.
enum class WeightValues { present, integers, absent };
// TableValues::made: the lookups' tables were just built from their definitions (a decoded graph),
// so their values are not recomputed to be compared.
enum class TableValues { check, made };
void validate(const Graph& g, WeightValues weights = WeightValues::present, TableValues tables = TableValues::check);

// A readable multi-line summary: inputs/outputs, ops, shapes, parameter count, bit widths,
// accumulator bounds, requant parameters, tables (onnx2graph --inspect).
std::string describe(const Graph& g);

// Graph artifact (kind "graph", version 2: tables stored as their definitions). The body is a msgpack map; see graph_io.cpp.
inline constexpr uint32_t kGraphVersion = 2;
// WeightValues::integers: the weights' integers without their float originals (what a trace carries).
std::vector<uint8_t> encode_graph_body(const Graph& g, WeightValues weights = WeightValues::present);
// The same body in a writer of its own, whose bytes() a caller writes out without a copy (a large model).
std::unique_ptr<artifact::BodyWriter> graph_body_writer(const Graph& g, WeightValues weights = WeightValues::present);
// The same body written as a bin value straight into w (no intermediate copy of a large model).
void write_graph_body_bin(artifact::BodyWriter& w, const Graph& g, WeightValues weights);
Graph decode_graph_body(std::span<const uint8_t> body, WeightValues weights = WeightValues::present);  // validates
std::vector<uint8_t> write_graph(const Graph& g);        // full artifact
Graph read_graph(std::span<const uint8_t> artifact);     // checks the envelope, then decodes

}  // namespace zkm31::model
