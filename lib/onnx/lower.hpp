#pragma once
// Lowering of the folded ONNX graph to the integer graph (internal to lib/onnx). The lowering runs
// twice: a structural pass (provisional integer parameters, exact float semantics) whose float
// track calibrates every tensor, then the real pass that quantizes with those statistics. Tensor
// names are deterministic, so the real pass looks statistics up by name.
//
// One file per op family under ops/ defines the Lowerer members of that family; ops/registry.cpp
// maps each ONNX op type to its entry point. Adding an op: a lowering file, a registry line, a test.
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/graph.hpp"
#include "onnx/import.hpp"
#include "onnx/loader.hpp"

namespace zkm31::onnx_import {

struct Stats {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  double absmax() const { return std::max(std::abs(lo), std::abs(hi)); }
};
using StatsMap = std::map<std::string, Stats>;

constexpr int64_t kProductBudget = int64_t(1) << 29;  // |x|max·M + … stays below this (< p/4)

// Float-track statistics of every tensor over the calibration inputs.
StatsMap calibrate(const model::Graph& g, const std::vector<std::vector<model::InputTensor>>& sets);
// `samples` sets of i.i.d. N(0, 1) inputs (fixed seed).
std::vector<std::vector<model::InputTensor>> default_calibration(const OnnxModel& m, int samples);

class Lowerer {
 public:
  Lowerer(const OnnxModel& m, const ImportOptions& opt, const StatsMap* stats)
      : m_(m), stats_(stats), bits_(opt.act_bits), qmax_((int64_t(1) << (opt.act_bits - 1)) - 1),
        qres_((int64_t(1) << (residual_bits(opt) - 1)) - 1), wbits_(opt.weight_bits) {}
  // The last pass over m: it frees a weight constant once the one node that reads it is lowered, so
  // that a large model is not held as its doubles beside its quantized graph.
  Lowerer(OnnxModel& m, const ImportOptions& opt, const StatsMap& stats) : Lowerer(std::as_const(m), opt, &stats) {
    consumed_ = &m;
  }

  model::Graph run();

  // Entry point of an op family: lowers live node i (already marked done).
  using Lowering = void (Lowerer::*)(size_t i);
  static const std::map<std::string, Lowering>& registry();  // ops/registry.cpp

 private:
  using Node = model::Node;
  using Op = model::Op;
  using Tensor = model::Tensor;
  using TensorKind = model::TensorKind;

  // ---- tensors and nodes (lower.cpp) -----------------------------------------------------------
  bool structural() const { return stats_ == nullptr; }
  int64_t lo_q() const { return structural() ? -1 : -qmax_; }
  int64_t qmax_q() const { return structural() ? 1 : qmax_; }
  std::string unique(const std::string& base);
  uint32_t add_tensor(const std::string& name, TensorKind kind, const model::Shape& shape, int64_t lo, int64_t hi,
                      double scale);
  const Tensor& T(uint32_t id) const { return g_.tensors[id]; }
  uint32_t emit(Node n, const std::string& out_name, double scale);
  int64_t unclamped(const Node& n) const;
  Node node(Op op, const std::string& name, std::vector<uint32_t> inputs);
  uint32_t constant(const std::string& name, const model::Shape& shape, std::vector<int64_t> values,
                    std::vector<float> original, double scale);
  uint32_t weight(const std::string& name, const model::Shape& shape, std::vector<int32_t> values,
                  std::vector<float> original, std::vector<double> scales);

  // ---- value access (lower.cpp) ----------------------------------------------------------------
  uint32_t tid(const std::string& name) const;
  const Const* cst(const std::string& name) const { return name.empty() ? nullptr : m_.constant(name); }
  std::vector<size_t> consumers(const std::string& name) const;
  const LiveNode* sole_consumer(const std::string& name, const std::string& op) const;
  size_t index_of(const LiveNode* n) const { return size_t(n - m_.nodes.data()); }
  static int64_t axis_in(const LiveNode& n, int64_t axis, size_t rank);
  void bind(const std::string& onnx_name, uint32_t id) { val_[onnx_name] = id; }
  void lower(size_t i);
  [[noreturn]] void unsupported(const LiveNode& n) const;

  // ---- calibration and requantization (quantize.cpp) -------------------------------------------
  const Stats& stat(const std::string& tensor_name) const;
  double scale_for(const std::string& key, bool relu_fed) const;
  uint32_t requant(uint32_t x, std::vector<double> in_scales, const std::vector<double>& real_mult,
                   const std::vector<double>& real_offset, double out_scale, int64_t lo, int64_t hi,
                   const std::string& out_name, const std::string& node_name);
  // x at most `bits` wide (0: the activation width), requantized to its calibrated scale if wider.
  uint32_t narrow(uint32_t x, const std::string& node_name, int bits = 0);
  uint32_t rescale(uint32_t x, double c, const std::string& out_name, const std::string& node_name);

  // ---- ops/matmul.cpp, ops/conv.cpp ------------------------------------------------------------
  uint32_t linear(uint32_t x, const std::vector<double>& W, int64_t K, int64_t N, const std::vector<double>* b,
                  const std::string& out, const std::string& node_name, bool relu_fed);
  void lower_matmul(size_t i);
  // A 2-D conv of x [1, Ci·G, H, W] by kernels W [Co][Ci][KH][KW] (flat), output shape os; pads
  // {top, left, bottom, right}, strides and dilations {h, w}.
  struct ConvSpec {
    int64_t Co, Ci, KH, KW, G;
    std::vector<int64_t> pads, strides, dil;
  };
  uint32_t conv2d(uint32_t x, const std::vector<double>& W, const ConvSpec& c, const std::vector<double>& bias,
                  const model::Shape& os, const std::string& out, const std::string& node_name, bool relu_fed);
  // What Conv and ConvTranspose read alike: a constant 3-D (1-D conv, run as 2-D over [1, C, 1, L] with
  // a 1×K kernel) or 4-D weight, an input [1, C, L] or [1, C, H, W] (xs, in its 2-D form), pads,
  // strides and dilations in their 2-D form with defaults filled, the constant bias if any, and x
  // reshaped to 2-D (a Reshape node for a 1-D conv).
  struct ConvInput {
    const Const* W;
    bool one_d;
    model::Shape xs;
    std::vector<int64_t> pads, strides, dil;
    std::vector<double> bias;
    uint32_t x;
  };
  ConvInput conv_input(const LiveNode& n, const std::string& op);
  void lower_conv(size_t i);
  void lower_conv_transpose(size_t i);

  // ---- ops/elementwise.cpp ---------------------------------------------------------------------
  void lower_add_sub(size_t i);
  void lower_mul(size_t i);
  void lower_div(size_t i);
  void lower_neg(size_t i);
  void lower_pow(size_t i);
  void add_sub(const LiveNode& n);
  // a ± b, either of them a constant (then a weight the proof opens from the model commitment).
  uint32_t add_sub(uint32_t a, const Const* ca, uint32_t b, const Const* cb, bool add, const std::string& out,
                   const std::string& node_name);
  void mul(const LiveNode& n);
  static double absmax(const Const& c);
  uint32_t weighted_sum(const std::vector<std::pair<uint32_t, double>>& terms, double out_scale, const std::string& out,
                        const std::string& node_name);

  // ---- ops/piecewise.cpp -----------------------------------------------------------------------
  void lower_clip(size_t i);
  void lower_hard_sigmoid(size_t i);
  void lower_hard_swish(size_t i);
  void lower_leaky_relu(size_t i);
  void lower_prelu(size_t i);
  void lower_abs(size_t i);
  // clamp(a·x + b, lo, hi) (lo/hi may be ±inf) requantized to out_scale and [qlo, qhi].
  uint32_t clamp_affine(uint32_t x, double a, double b, double lo, double hi, double out_scale, int64_t qlo, int64_t qhi,
                        const std::string& out, const std::string& node_name);
  uint32_t relu_of_affine(uint32_t x, double a, double b_minus_c, const std::string& out, const std::string& node_name);

  // ---- ops/activation.cpp ----------------------------------------------------------------------
  void lower_relu(size_t i);
  void lower_table_fn(size_t i);
  void lower_elu(size_t i);
  void lower_selu(size_t i);
  void lower_celu(size_t i);
  uint32_t elu_family(uint32_t x, double pos, double neg, const std::string& out, const std::string& node_name);
  bool region(size_t start);
  uint32_t lookup(uint32_t x, const std::string& fn, const std::string& out, const std::string& node_name,
                  double a = 1.0, double c = 1.0);

  // ---- ops/input_mask.cpp ----------------------------------------------------------------------
  // An attention-mask input m (an integer graph input, 0 or 1) as the value a + b·m it has become on
  // its way to the scores (shape: that value's).
  struct MaskValue {
    uint32_t input;
    std::string name;
    model::Shape shape;
    double a = 0, b = 1;
  };
  // Node i reads a mask value: carries it (a reshape, a cast, a scalar affine step, a comparison with
  // a scalar or its negation, which give 0/1 values of the same form) or, added to the scores of a
  // Softmax or choosing between them and a fill ≤ −1e4 (Where), makes it that Softmax's pending mask.
  // False when node i reads none.
  bool mask_step(size_t i);
  // The scores with the entries the mask drops set to `fill` (scale ss): s·keep + drop·fill.
  uint32_t apply_input_mask(uint32_t s, const MaskValue& m, double ss, int64_t fill, const std::string& out,
                            const std::string& node_name);

  // ---- ops/softmax.cpp -------------------------------------------------------------------------
  struct Pending {
    std::string scores;
    Const mask;  // nonzero = masked (for Add masks: the additive constant)
    std::string node;
    bool where;
    std::optional<MaskValue> input;  // a mask from an input instead of the constant
  };
  void lower_where(size_t i);
  // Equal / Not on anything but an attention mask input (mask_step takes those): refused.
  void lower_mask_only(size_t i);
  void lower_softmax(size_t i);
  void lower_log_softmax(size_t i);
  void softmax_node(const LiveNode& n, bool log);
  uint32_t softmax_last(uint32_t scores, const std::optional<Pending>& mask, const std::string& out,
                        const std::string& node_name, bool log);
  static bool mask_like(const Const& c);

  // ---- ops/norm.cpp ----------------------------------------------------------------------------
  struct LnMatch {
    std::string x, out, name;
    double eps = 1e-5;
    std::vector<double> gamma, beta;
    bool center = true;  // false: RMSNorm (no mean subtraction)
  };
  void lower_reduce_mean(size_t i);
  void lower_layer_norm(size_t i);
  void lower_batch_norm(size_t i);
  std::optional<LnMatch> match_layer_norm(const LiveNode& mean);
  bool rms_norm(const LiveNode& sq);
  void layer_norm(const LnMatch& ln);

  // ---- ops/reduce.cpp --------------------------------------------------------------------------
  std::vector<int64_t> reduce_axes(const LiveNode& n, size_t rank) const;
  // Reduces x over `axes` (sorted) by op (reduce_sum, or reduce_max), a sum divided by the count when
  // `mean`; the result has x's other axes and a last axis of 1, and is named `out`.
  uint32_t reduce(uint32_t x, const std::vector<int64_t>& axes, model::Op op, bool mean, const std::string& out,
                  const std::string& node_name);
  void reduce_node(const LiveNode& n, model::Op op, bool mean);
  void lower_reduce_sum(size_t i);
  void lower_reduce_max(size_t i);

  // ---- ops/pool.cpp ----------------------------------------------------------------------------
  void lower_pool(size_t i);
  void lower_global_pool(size_t i);

  // ---- ops/shape.cpp ---------------------------------------------------------------------------
  uint32_t index_node(Node n, const std::string& out, uint32_t x);
  void lower_identity(size_t i);
  void lower_reshape(size_t i);
  void lower_transpose(size_t i);
  void lower_slice(size_t i);
  void lower_split(size_t i);
  void lower_concat(size_t i);
  // Concatenation along `axis` at the largest of the inputs' scales (the others requantized to it).
  uint32_t concat(std::vector<uint32_t> ins, int64_t axis, const std::string& out, const std::string& node_name);
  void lower_gather(size_t i);
  void lower_pad(size_t i);
  // x padded along `axis` (negative pads crop); with `dilation` d > 1 (constant mode only) d − 1 rows
  // of the value go between x's rows first (ConvTranspose's strides).
  uint32_t gather_pad(uint32_t x, int64_t axis, int64_t before, int64_t after, const std::string& mode, double value,
                      const std::string& prefix, const std::string& out, const std::string& node_name, int64_t dilation = 1);
  // Row k of the result along `axis` is x's row idx[k], or a row of `value` where idx[k] is −1.
  uint32_t gather_rows(uint32_t x, int64_t axis, const std::vector<int64_t>& idx, double value, const std::string& prefix,
                       const std::string& out, const std::string& node_name);
  void lower_expand(size_t i);
  void lower_resize(size_t i);
  void slice_axis(uint32_t x, int64_t axis, int64_t start, int64_t end, int64_t step, const std::string& out,
                  const std::string& name);

  // ---- ops/embedding.cpp -----------------------------------------------------------------------
  void lower_embedding(size_t i);

  const OnnxModel& m_;
  OnnxModel* consumed_ = nullptr;  // the last pass's model, whose read weight constants are freed
  // Frees constant `name` when this is the last pass and node i is its only reader.
  void release_constant(const std::string& name, size_t i);
  const StatsMap* stats_;
  int bits_;
  int64_t qmax_;
  int64_t qres_;  // the wide range: the residual stream (Add/Sub outputs) and function-table outputs
  int wbits_;     // the widest matmul weights
  model::Graph g_;
  std::map<std::string, uint32_t> val_;
  std::set<size_t> done_;
  std::set<uint32_t> narrow_ids_;
  std::set<uint32_t> wide_ids_;  // Add/Sub and function-table outputs wider than the activation width
  std::map<std::string, int> name_count_;
  std::map<std::string, Pending> pending_;
  std::map<std::string, MaskValue> masks_;  // ONNX value → the mask value it holds
};

}  // namespace zkm31::onnx_import
