#include "model/forward.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "error/error.hpp"
#include "field/simd.hpp"
#include "model/tables.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::model {

namespace {

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Calls f(flat_out, multi_index) for every element of shape s, in row-major order.
template <typename F>
void for_each_index(const Shape& s, F&& f) {
  std::vector<int64_t> idx(s.size(), 0);
  int64_t n = numel(s);
  for (int64_t i = 0; i < n; ++i) {
    f(i, idx);
    for (size_t a = s.size(); a-- > 0;) {
      if (++idx[a] < s[a]) break;
      idx[a] = 0;
    }
  }
}

}  // namespace

std::vector<int64_t> index_map(const Graph& g, const Node& n) {
  const Shape& xs = g.tensors[n.inputs[0]].shape;
  const Shape& os = g.tensors[n.outputs[0]].shape;
  auto ist = strides_of(xs);
  std::vector<int64_t> map(size_t(numel(os)));
  switch (n.op) {
    case Op::Reshape:
      for (size_t i = 0; i < map.size(); ++i) map[i] = int64_t(i);
      break;
    case Op::Transpose:
      for_each_index(os, [&](int64_t i, const std::vector<int64_t>& o) {
        int64_t src = 0;
        for (size_t a = 0; a < o.size(); ++a) src += o[a] * ist[size_t(n.ints[a])];
        map[size_t(i)] = src;
      });
      break;
    case Op::Slice:
      for_each_index(os, [&](int64_t i, const std::vector<int64_t>& o) {
        std::vector<int64_t> s = o;
        for (size_t k = 0; k < n.axes.size(); ++k) {
          size_t ax = size_t(n.axes[k]);
          s[ax] = n.starts[k] + o[ax] * n.steps[k];
        }
        int64_t src = 0;
        for (size_t a = 0; a < s.size(); ++a) src += s[a] * ist[a];
        map[size_t(i)] = src;
      });
      break;
    case Op::Gather: {
      size_t ax = size_t(n.axis), r = n.idx_shape.size();
      auto idst = strides_of(n.idx_shape);
      for_each_index(os, [&](int64_t i, const std::vector<int64_t>& o) {
        int64_t flat_idx = 0;
        for (size_t k = 0; k < r; ++k) flat_idx += o[ax + k] * idst[k];
        int64_t src = 0;
        for (size_t a = 0; a < ax; ++a) src += o[a] * ist[a];
        src += n.ints[size_t(flat_idx)] * ist[ax];
        for (size_t a = ax + 1; a < xs.size(); ++a) src += o[a + r - 1] * ist[a];
        map[size_t(i)] = src;
      });
      break;
    }
    case Op::Im2col: {
      Shape s = xs;
      if (s.size() == 4) s.erase(s.begin());
      const auto& p = n.ints;  // KH, KW, sh, sw, pt, pl, pb, pr, dh, dw
      int64_t C = s[0], H = s[1], W = s[2], KH = p[0], KW = p[1];
      int64_t OW = (W + p[5] + p[7] - p[9] * (KW - 1) - 1) / p[3] + 1;
      int64_t cols = C * KH * KW;
      for (int64_t i = 0; i < int64_t(map.size()); ++i) {
        int64_t row = i / cols, col = i % cols;
        int64_t oh = row / OW, ow = row % OW;
        int64_t c = col / (KH * KW), kh = (col / KW) % KH, kw = col % KW;
        int64_t y = oh * p[2] - p[4] + kh * p[8], x = ow * p[3] - p[5] + kw * p[9];
        map[size_t(i)] = (y < 0 || y >= H || x < 0 || x >= W) ? -1 : (c * H + y) * W + x;
      }
      break;
    }
    default:
      throw BadInput("internal: node '" + n.name + "' is not an index map");
  }
  return map;
}

namespace {

template <typename T>
std::vector<T> concat_values(const Graph& g, const Node& n, const std::vector<std::vector<T>>& vals) {
  const Shape& os = g.tensors[n.outputs[0]].shape;
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < n.axis; ++a) outer *= os[size_t(a)];
  for (size_t a = size_t(n.axis) + 1; a < os.size(); ++a) inner *= os[a];
  std::vector<T> out;
  out.reserve(size_t(numel(os)));
  for (int64_t o = 0; o < outer; ++o)
    for (uint32_t id : n.inputs) {
      int64_t block = g.tensors[id].shape[size_t(n.axis)] * inner;
      const T* src = vals[id].data() + o * block;
      out.insert(out.end(), src, src + block);
    }
  return out;
}

constexpr int64_t kRowTile = 16, kColTile = 256, kMicroRows = 4, kMicroCols = 32;

// Rows [r0, r1) × columns [c0, c1) of Y (c1 − c0 ≤ kColTile), one accumulator row at a time: the edges
// the micro-tiles leave. A zero entry of A is skipped (ReLU outputs: about half).
template <typename T>
void matmul_rows(const T* A, const T* B, const T* bias, T* Y, int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                 int64_t K, int64_t N) {
  T acc[kColTile];
  const int64_t w = c1 - c0;
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t c = 0; c < w; ++c) acc[c] = bias ? bias[c0 + c] : T(0);
    for (int64_t k = 0; k < K; ++k) {
      const T a = A[r * K + k];
      if (a == T(0)) continue;
      const T* b = B + k * N + c0;
      for (int64_t c = 0; c < w; ++c) acc[c] += a * b[c];
    }
    std::copy(acc, acc + w, Y + r * N + c0);
  }
}

// One tile of Y: micro-tiles of kMicroRows × kMicroCols accumulators kept in registers over the whole
// inner dimension, each row slice of B loaded once for kMicroRows rows. Every output is the same sum in
// the same order (k ascending; a zero product adds nothing) on every path, so the result does not
// depend on the tiling or the clone.
template <typename T>
ZKM31_TEMPLATE_VECTOR_CLONES void matmul_tile(const T* A, const T* B, const T* bias, T* Y, int64_t r0, int64_t r1,
                                            int64_t c0, int64_t c1, int64_t K, int64_t N) {
  int64_t r = r0;
  for (; r + kMicroRows <= r1; r += kMicroRows) {
    int64_t c = c0;
    for (; c + kMicroCols <= c1; c += kMicroCols) {
      T acc[kMicroRows][kMicroCols];
      for (int64_t i = 0; i < kMicroRows; ++i)
        for (int64_t j = 0; j < kMicroCols; ++j) acc[i][j] = bias ? bias[c + j] : T(0);
      for (int64_t k = 0; k < K; ++k) {
        const T* b = B + k * N + c;
        for (int64_t i = 0; i < kMicroRows; ++i) {
          const T a = A[(r + i) * K + k];
          for (int64_t j = 0; j < kMicroCols; ++j) acc[i][j] += a * b[j];
        }
      }
      for (int64_t i = 0; i < kMicroRows; ++i) std::copy(acc[i], acc[i] + kMicroCols, Y + (r + i) * N + c);
    }
    if (c < c1) matmul_rows(A, B, bias, Y, r, r + kMicroRows, c, c1, K, N);
  }
  if (r < r1) matmul_rows(A, B, bias, Y, r, r1, c0, c1, K, N);
}

// Tiles column slab by column slab: a slab of B (K × kColTile) stays in cache while every row tile
// reads it (many rows: calibration stacks its input sets).
template <typename T>
void matmul_any(const T* A, const T* B, const T* bias, T* Y, int64_t M, int64_t K, int64_t N) {
  int64_t rt = (M + kRowTile - 1) / kRowTile, ct = (N + kColTile - 1) / kColTile;
  size_t grain = size_t(std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, K * std::min(N, kColTile))));
  parallel::for_range(size_t(rt * ct), grain, [&](size_t b, size_t e) {
    for (size_t t = b; t < e; ++t) {
      int64_t r0 = int64_t(t) % rt * kRowTile, c0 = int64_t(t) / rt * kColTile;
      matmul_tile(A, B, bias, Y, r0, std::min(M, r0 + kRowTile), c0, std::min(N, c0 + kColTile), K, N);
    }
  });
}

// body(i) for every i in [0, n), split across the pool for large tensors (elementwise: the
// result does not depend on the split).
template <typename F>
void each(size_t n, F&& body) {
  parallel::for_range(n, size_t(1) << 14, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) body(i);
  });
}

// Channel index (last axis) for per-channel parameters of size 1 or C.
inline size_t channel(size_t i, int64_t C, size_t n_params) { return n_params == 1 ? 0 : size_t(int64_t(i) % C); }

template <typename T>
std::vector<T> elementwise(const Graph& g, const Node& n, const std::vector<std::vector<T>>& vals,
                           T (*f)(T, T)) {
  const Shape& os = g.tensors[n.outputs[0]].shape;
  const auto& a = vals[n.inputs[0]];
  const auto& b = vals[n.inputs[1]];
  auto ma = broadcast_index(os, g.tensors[n.inputs[0]].shape);
  auto mb = broadcast_index(os, g.tensors[n.inputs[1]].shape);
  std::vector<T> out(ma.size());
  each(out.size(), [&](size_t i) { out[i] = f(a[size_t(ma[i])], b[size_t(mb[i])]); });
  return out;
}

// The values of a weight on a track: its integers (int32_t) or its float originals (float).
template <typename T>
const T* weight_values(const Graph& g, uint32_t id) {
  const WeightData& w = g.weight(id);
  if constexpr (std::is_same_v<T, int32_t>) return w.values.data();
  else
    return w.original.size() == size_t(numel(g.tensors[id].shape)) ? w.original.data()
                                                                     : throw BadInput("graph has no float weights");
}

// A pass's starting values: the inputs, the constants, and the weights read as elementwise operands.
// T = int32_t (integer track) or float (float track).
template <typename T>
std::vector<std::vector<T>> start_pass(const Graph& g, const std::vector<std::vector<T>>& inputs) {
  constexpr bool kInt = std::is_same_v<T, int32_t>;
  std::vector<std::vector<T>> vals(g.tensors.size());
  if (inputs.size() != g.inputs.size()) throw BadInput("expected " + std::to_string(g.inputs.size()) + " inputs");
  for (size_t i = 0; i < g.inputs.size(); ++i) vals[g.inputs[i]] = inputs[i];
  for (const ConstantData& c : g.constants) {
    auto& v = vals[c.tensor];
    if constexpr (kInt) {
      v.assign(c.values.begin(), c.values.end());
    } else if (!c.original.empty()) {
      v = c.original;
    } else {
      for (int64_t x : c.values) v.push_back(float(double(x) * g.tensors[c.tensor].scale));
    }
  }
  // A weight that is an elementwise operand (learned positions added to the embeddings) takes a slot.
  for (const Node& n : g.nodes)
    if (n.op == Op::Add || n.op == Op::Sub || n.op == Op::Mul)
      for (uint32_t in : n.inputs)
        if (g.tensors[in].kind == TensorKind::Weight && vals[in].empty())
          vals[in].assign(weight_values<T>(g, in), weight_values<T>(g, in) + numel(g.tensors[in].shape));
  return vals;
}

// Node n's output from the values it reads.
template <typename T>
void eval_node(const Graph& g, const Node& n, std::vector<std::vector<T>>& vals) {
  constexpr bool kInt = std::is_same_v<T, int32_t>;
  auto weight_values = [&](uint32_t id) { return zkm31::model::weight_values<T>(g, id); };
  {
    const Tensor& out = g.tensors[n.outputs[0]];
    const Shape& xs = g.tensors[n.inputs[0]].shape;
    const std::vector<T>& x = vals[n.inputs[0]];
    std::vector<T> y;
    switch (n.op) {
      case Op::MatMul: {
        const Tensor& bt = g.tensors[n.inputs[1]];
        int64_t K = xs.back(), N = bt.shape.back();
        y.assign(size_t(numel(out.shape)), T(0));
        const T* bias = n.inputs.size() == 3 ? weight_values(n.inputs[2]) : nullptr;
        if (bt.kind == TensorKind::Weight) {
          matmul_any<T>(x.data(), weight_values(n.inputs[1]), bias, y.data(), numel(xs) / K, K, N);
        } else {
          int64_t M = xs[xs.size() - 2], batch = numel(xs) / (M * K);
          const auto& B = vals[n.inputs[1]];
          for (int64_t b = 0; b < batch; ++b)
            matmul_any<T>(x.data() + b * M * K, B.data() + b * K * N, bias, y.data() + b * M * N, M, K, N);
        }
        break;
      }
      case Op::Requant: {
        int64_t C = xs.empty() ? 1 : xs.back();
        y.resize(x.size());
        if constexpr (kInt) {
          int64_t half = n.shift ? int64_t(1) << (n.shift - 1) : 0;
          each(x.size(), [&](size_t i) {
            int64_t v = int64_t(x[i]) * n.mult[channel(i, C, n.mult.size())] + half;
            if (!n.offset.empty()) v += n.offset[channel(i, C, n.offset.size())];
            y[i] = int32_t(std::clamp<int64_t>(v >> n.shift, n.lo, n.hi));  // >> is floor division (C++20)
          });
        } else {
          each(x.size(), [&](size_t i) {
            double v = double(x[i]) * n.real_mult[channel(i, C, n.real_mult.size())];
            if (!n.real_offset.empty()) v += n.real_offset[channel(i, C, n.real_offset.size())];
            y[i] = float(v);
          });
        }
        break;
      }
      case Op::Relu:
        y.resize(x.size());
        each(x.size(), [&](size_t i) { y[i] = std::max(x[i], T(0)); });
        break;
      case Op::Lookup: {
        y.resize(x.size());
        const double gin = n.real_mult.empty() ? 1.0 : n.real_mult[0], gout = n.real_mult.empty() ? 1.0 : n.real_mult[1];
        each(x.size(), [&](size_t i) {
          if constexpr (kInt) y[i] = int32_t(n.table.values[size_t(x[i] - n.table.in_lo)]);
          else y[i] = float(gout * table_fn_real(n.table.fn, gin * double(x[i])));
        });
        break;
      }
      case Op::Add:
        y = elementwise<T>(g, n, vals, [](T a, T b) { return T(a + b); });
        break;
      case Op::Sub:
        y = elementwise<T>(g, n, vals, [](T a, T b) { return T(a - b); });
        break;
      case Op::Mul:
        y = elementwise<T>(g, n, vals, [](T a, T b) { return T(a * b); });
        break;
      case Op::MulConst: {
        y.resize(x.size());
        if constexpr (kInt) {
          const auto& c = g.constant(n.inputs[1]).values;
          auto m = broadcast_index(xs, g.tensors[n.inputs[1]].shape);
          each(x.size(), [&](size_t i) { y[i] = int32_t(int64_t(x[i]) * c[size_t(m[i])]); });
        } else if (n.real_mult.size() == 1) {
          each(x.size(), [&](size_t i) { y[i] = float(double(x[i]) * n.real_mult[0]); });
        } else {  // one real factor per element of the constant, broadcast like it
          auto m = broadcast_index(xs, g.tensors[n.inputs[1]].shape);
          each(x.size(), [&](size_t i) { y[i] = float(double(x[i]) * n.real_mult[size_t(m[i])]); });
        }
        break;
      }
      case Op::MaskedFill: {
        const auto& mask = g.constant(n.inputs[1]).values;
        auto m = broadcast_index(xs, g.tensors[n.inputs[1]].shape);
        T fill;
        if constexpr (kInt) fill = int32_t(n.fill);
        else fill = -std::numeric_limits<float>::infinity();
        y.resize(x.size());
        each(x.size(), [&](size_t i) { y[i] = mask[size_t(m[i])] ? fill : x[i]; });
        break;
      }
      case Op::Reshape:
        y = x;
        break;
      case Op::Transpose:
      case Op::Im2col:
      case Op::Slice:
      case Op::Gather: {
        auto map = index_map(g, n);
        y.resize(map.size());
        each(map.size(), [&](size_t i) { y[i] = map[i] < 0 ? T(0) : x[size_t(map[i])]; });
        break;
      }
      case Op::Concat:
        y = concat_values(g, n, vals);
        break;
      case Op::Embedding: {
        const Shape& ws = g.tensors[n.inputs[0]].shape;
        const int64_t V = ws[0], D = ws[1];
        const T* w = weight_values(n.inputs[0]);
        const std::vector<T>& ids = vals[n.inputs[1]];
        y.resize(ids.size() * size_t(D));
        for (size_t t = 0; t < ids.size(); ++t) {
          const double id = double(ids[t]);
          if (!(id >= 0 && id < double(V)) || id != std::floor(id))
            throw BadInput("embedding " + n.name + ": token id " + std::to_string(id) + " is not a row of the " +
                           std::to_string(V) + "-row table");
          std::copy_n(w + int64_t(id) * D, D, y.begin() + int64_t(t) * D);
        }
        break;
      }
      case Op::ReduceSum:
      case Op::ReduceMax: {
        int64_t len = xs.back(), rows = numel(xs) / len;
        y.resize(size_t(rows));
        for (int64_t r = 0; r < rows; ++r) {
          const T* p = x.data() + r * len;
          if (n.op == Op::ReduceMax) {
            y[size_t(r)] = *std::max_element(p, p + len);
          } else {
            T s = T(0);
            for (int64_t k = 0; k < len; ++k) s += p[k];
            y[size_t(r)] = s;
          }
        }
        break;
      }
    }
    vals[n.outputs[0]] = std::move(y);
  }
}

template <typename T>
std::vector<std::vector<T>> run_pass(const Graph& g, const std::vector<std::vector<T>>& inputs) {
  std::vector<std::vector<T>> vals = start_pass<T>(g, inputs);
  for (const Node& n : g.nodes) eval_node<T>(g, n, vals);
  return vals;
}

}  // namespace

void matmul_int(const int32_t* A, const int32_t* B, const int32_t* bias, int32_t* Y, int64_t M, int64_t K, int64_t N) {
  matmul_any<int32_t>(A, B, bias, Y, M, K, N);
}

std::vector<std::vector<int32_t>> forward_int(const Graph& g, const std::vector<std::vector<int32_t>>& inputs) {
  return run_pass<int32_t>(g, inputs);
}

std::vector<std::vector<float>> forward_float(const Graph& g, const std::vector<std::vector<float>>& inputs) {
  return run_pass<float>(g, inputs);
}

void forward_float_sets(const Graph& g, const std::vector<std::vector<std::vector<float>>>& sets, const SeenInSets& seen) {
  const size_t S = sets.size();
  std::vector<std::vector<std::vector<float>>> vals;
  for (const auto& inputs : sets) vals.push_back(start_pass<float>(g, inputs));
  if (S == 0) return;
  std::vector<size_t> uses(g.tensors.size(), 0);
  for (const Node& n : g.nodes)
    for (uint32_t in : n.inputs) ++uses[in];
  std::vector<const std::vector<float>*> per_set(S);
  auto report = [&](uint32_t t) {
    for (size_t k = 0; k < S; ++k) per_set[k] = &vals[k][t];
    seen(t, per_set);
  };
  for (uint32_t t = 0; t < g.tensors.size(); ++t)
    if (!vals[0][t].empty()) report(t);
  for (const Node& n : g.nodes) {
    const uint32_t out = n.outputs[0];
    if (n.op == Op::MatMul && g.tensors[n.inputs[1]].kind == TensorKind::Weight) {
      const Shape& xs = g.tensors[n.inputs[0]].shape;
      const int64_t K = xs.back(), N = g.tensors[n.inputs[1]].shape.back(), rows = numel(xs) / K;
      std::vector<float> A, Y(size_t(int64_t(S) * rows * N));
      A.reserve(size_t(int64_t(S) * rows * K));
      for (size_t k = 0; k < S; ++k) A.insert(A.end(), vals[k][n.inputs[0]].begin(), vals[k][n.inputs[0]].end());
      const float* bias = n.inputs.size() == 3 ? weight_values<float>(g, n.inputs[2]) : nullptr;
      matmul_any<float>(A.data(), weight_values<float>(g, n.inputs[1]), bias, Y.data(), int64_t(S) * rows, K, N);
      for (size_t k = 0; k < S; ++k) vals[k][out].assign(Y.begin() + int64_t(k) * rows * N, Y.begin() + int64_t(k + 1) * rows * N);
    } else {
      for (size_t k = 0; k < S; ++k) eval_node<float>(g, n, vals[k]);
    }
    report(out);
    for (uint32_t in : n.inputs)
      if (--uses[in] == 0)
        for (auto& v : vals) std::vector<float>().swap(v[in]);
  }
}

std::vector<InputTensor> parse_inputs_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw BadInput(std::string("malformed input JSON: ") + e.what());
  }
  std::vector<nlohmann::json> items;
  if (j.is_array()) items.assign(j.begin(), j.end());
  else items.push_back(j);
  if (items.empty()) throw BadInput("input JSON: no tensors");
  std::vector<InputTensor> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    std::string where = "input JSON tensor " + std::to_string(i);
    if (!it.is_object()) throw BadInput(where + ": expected an object {\"name\",\"shape\",\"data\"}");
    InputTensor t;
    if (it.contains("name")) {
      if (!it["name"].is_string()) throw BadInput(where + ": 'name' is not a string");
      t.name = it["name"].get<std::string>();
    }
    if (!it.contains("shape") || !it["shape"].is_array()) throw BadInput(where + ": missing 'shape' array");
    for (const auto& d : it["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 1) throw BadInput(where + ": 'shape' must hold positive integers");
      t.shape.push_back(d.get<int64_t>());
    }
    if (!it.contains("data") || !it["data"].is_array()) throw BadInput(where + ": missing 'data' array");
    for (const auto& v : it["data"]) {
      if (!v.is_number()) throw BadInput(where + ": 'data' must hold numbers");
      double d = v.get<double>();
      if (!std::isfinite(d)) throw BadInput(where + ": 'data' holds a non-finite number");
      t.data.push_back(float(d));
    }
    if (int64_t(t.data.size()) != numel(t.shape))
      throw BadInput(where + ": " + std::to_string(t.data.size()) + " values for shape " + shape_str(t.shape));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<InputTensor> match_inputs(const Graph& g, std::vector<InputTensor> inputs) {
  if (inputs.size() != g.inputs.size())
    throw BadInput("the graph has " + std::to_string(g.inputs.size()) + " input(s), got " + std::to_string(inputs.size()));
  std::vector<InputTensor> ordered(inputs.size());
  std::vector<bool> used(inputs.size(), false);
  bool by_name = std::all_of(inputs.begin(), inputs.end(), [&](const InputTensor& t) {
    return std::any_of(g.inputs.begin(), g.inputs.end(), [&](uint32_t id) { return g.tensors[id].name == t.name; });
  });
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& gt = g.tensors[g.inputs[i]];
    size_t k = i;
    if (by_name) {
      k = size_t(std::find_if(inputs.begin(), inputs.end(), [&](const InputTensor& t) { return t.name == gt.name; }) -
                 inputs.begin());
      if (used[k]) throw BadInput("input '" + gt.name + "' given twice");
    }
    used[k] = true;
    if (inputs[k].shape != gt.shape)
      throw BadInput("input '" + gt.name + "' has shape " + shape_str(inputs[k].shape) + ", the graph expects " +
                     shape_str(gt.shape));
    ordered[i] = std::move(inputs[k]);
  }
  return ordered;
}

std::vector<int32_t> quantize_input(const Tensor& t, const std::vector<float>& x) {
  std::vector<int32_t> q(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = std::floor(double(x[i]) / t.scale + 0.5);
    q[i] = int32_t(std::clamp<double>(v, double(t.lo), double(t.hi)));
  }
  return q;
}

namespace {

struct Error {
  double max_abs = 0, rel_l2 = 0;
};

// ‖q − f‖∞ and ‖q − f‖₂ / ‖f‖₂ (‖q − f‖₂ when f = 0) over the entries where f is finite.
Error error_of(const std::vector<float>& q, const std::vector<float>& f) {
  Error e;
  double num = 0, den = 0;
  for (size_t k = 0; k < f.size(); ++k) {
    if (!std::isfinite(f[k])) continue;
    double d = double(q[k]) - f[k];
    e.max_abs = std::max(e.max_abs, std::abs(d));
    num += d * d, den += double(f[k]) * f[k];
  }
  e.rel_l2 = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  return e;
}

bool moves_only(Op op) {
  return op == Op::Reshape || op == Op::Transpose || op == Op::Im2col || op == Op::Slice || op == Op::Concat ||
         op == Op::Gather;
}

std::vector<LayerReport> compare_layers(const Graph& g, const std::vector<std::vector<int32_t>>& ints,
                                        const std::vector<std::vector<float>>& floats) {
  std::vector<LayerReport> out;
  // A tensor read only by ReLUs may be clamped from below at will (the importer's clamp lowering does
  // it on purpose): only values above its range count as clamped.
  // Likewise an index read only by the softmax's exp table, whose last entry exp(−d) has rounded to 0:
  // above its range (a masked or distant score) it saturates on purpose.
  std::vector<bool> relu_only(g.tensors.size(), true), exp_only(g.tensors.size(), true), consumed(g.tensors.size(), false);
  for (const Node& n : g.nodes)
    for (uint32_t in : n.inputs) {
      consumed[in] = true, relu_only[in] = relu_only[in] && n.op == Op::Relu;
      exp_only[in] = exp_only[in] && n.op == Op::Lookup && n.table.fn == "exp_neg";
    }
  auto add = [&](const std::string& node, const std::string& op, uint32_t id) {
    const Tensor& t = g.tensors[id];
    const bool below_ok = consumed[id] && relu_only[id], above_ok = consumed[id] && exp_only[id];
    std::vector<float> q(ints[id].size());
    for (size_t k = 0; k < q.size(); ++k) q[k] = float(double(ints[id][k]) * t.scale);
    // What a ReLU reads of it: its negative part (clamped on purpose) is not an error.
    Error e;
    if (below_ok) {
      std::vector<float> f(floats[id]);
      for (float& v : q) v = std::max(v, 0.0f);
      for (float& v : f) v = std::max(v, 0.0f);
      e = error_of(q, f);
    } else {
      e = error_of(q, floats[id]);
    }
    double lo = (double(t.lo) - 0.5) * t.scale, hi = (double(t.hi) + 0.5) * t.scale;
    auto clamped = std::count_if(floats[id].begin(), floats[id].end(),
                                 [&](float v) { return std::isfinite(v) && ((v < lo && !below_ok) || (v > hi && !above_ok)); });
    out.push_back({node, t.name, op, t.shape, t.bits, t.scale, e.max_abs, e.rel_l2, int64_t(clamped)});
  };
  for (uint32_t id : g.inputs) add(g.tensors[id].name, "input", id);
  for (const Node& n : g.nodes)
    if (!moves_only(n.op) && g.tensors[n.outputs[0]].scale > 0) add(n.name, op_name(n.op), n.outputs[0]);
  return out;
}

}  // namespace

Trace run_forward(Graph g, const std::vector<InputTensor>& given, std::vector<LayerReport>* layers) {
  auto inputs = match_inputs(g, given);
  // Token ids are taken as they are, never rounded or clamped into range.
  for (const Node& n : g.nodes) {
    if (n.op != Op::Embedding) continue;
    const size_t k = size_t(std::find(g.inputs.begin(), g.inputs.end(), n.inputs[1]) - g.inputs.begin());
    const Tensor& t = g.tensors[n.inputs[1]];
    for (float v : inputs.at(k).data)
      if (v != std::floor(v) || v < float(t.lo) || v > float(t.hi))
        throw BadInput("input '" + t.name + "': token id " + std::to_string(v) + " is not an integer in [" +
                       std::to_string(t.lo) + ", " + std::to_string(t.hi) + "]");
  }
  std::vector<std::vector<int32_t>> qin;
  std::vector<std::vector<float>> fin;
  for (size_t i = 0; i < inputs.size(); ++i) {
    qin.push_back(quantize_input(g.tensors[g.inputs[i]], inputs[i].data));
    fin.push_back(inputs[i].data);
  }
  auto ints = forward_int(g, qin);
  auto floats = forward_float(g, fin);
  if (layers) *layers = compare_layers(g, ints, floats);
  Trace t;
  t.digest = graph_digest(g);
  t.values.resize(g.tensors.size());
  for (size_t i = 0; i < ints.size(); ++i) {
    if (g.tensors[i].kind == TensorKind::Constant) continue;
    t.values[i].resize(ints[i].size());
    for (size_t k = 0; k < ints[i].size(); ++k) t.values[i][k] = M31::from_signed(ints[i][k]);
    std::vector<int32_t>().swap(ints[i]);
  }
  for (uint32_t id : g.outputs) t.float_outputs.push_back(floats[id]);
  t.graph = std::move(g);
  return t;
}

void check_trace(const Trace& t) {
  const Graph& g = t.graph;
  std::vector<std::vector<int32_t>> qin;
  for (uint32_t id : g.inputs) {
    std::vector<int32_t> v;
    for (const M31& m : t.values[id]) v.push_back(int32_t(m.to_signed()));
    qin.push_back(std::move(v));
  }
  auto ints = forward_int(g, qin);
  for (size_t i = 0; i < ints.size(); ++i) {
    if (g.tensors[i].kind == TensorKind::Constant) continue;
    for (size_t k = 0; k < ints[i].size(); ++k)
      if (t.values[i][k] != M31::from_signed(ints[i][k]))
        throw BadInput("trace: tensor '" + g.tensors[i].name + "' element " + std::to_string(k) +
                       " differs from the integer forward pass");
  }
}

std::string layer_table(const std::vector<LayerReport>& layers) {
  constexpr size_t kWidest = 40;  // fused nodes list every ONNX node they cover: cut long names
  auto cut = [](const std::string& s) { return s.size() <= kWidest ? s : s.substr(0, kWidest - 3) + "..."; };
  size_t wn = 4, wt = 6, worst = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    wn = std::max(wn, cut(layers[i].node).size()), wt = std::max(wt, cut(layers[i].tensor).size());
    if (layers[i].rel_l2 > layers[worst].rel_l2) worst = i;
  }
  std::string out;
  char buf[160];
  auto row = [&](const std::string& node, const std::string& tensor, const std::string& op, const std::string& shape,
                 const std::string& bits, const std::string& max_abs, const std::string& rel, const std::string& clamped,
                 const char* mark) {
    out += cut(node) + std::string(wn + 2 - cut(node).size(), ' ') + cut(tensor) + std::string(wt + 2 - cut(tensor).size(), ' ');
    std::snprintf(buf, sizeof buf, "%-12s %-16s %4s %10s %10s %8s%s\n", op.c_str(), shape.c_str(), bits.c_str(),
                  max_abs.c_str(), rel.c_str(), clamped.c_str(), mark);
    out += buf;
  };
  row("node", "tensor", "op", "shape", "bits", "max abs", "rel L2", "clamped", "");
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerReport& l = layers[i];
    char a[32], r[32];
    std::snprintf(a, sizeof a, "%.3g", l.max_abs), std::snprintf(r, sizeof r, "%.3g%%", 100 * l.rel_l2);
    row(l.node, l.tensor, l.op, shape_str(l.shape), std::to_string(l.bits), a, r, std::to_string(l.clamped),
        i == worst ? "  <- largest" : "");
  }
  return out;
}

std::vector<std::string> range_warnings(const Graph& g, const std::vector<LayerReport>& layers) {
  std::string calibration = "calibration unknown";
  for (const auto& note : g.notes)
    if (note.starts_with("calibration:")) calibration = note;
  std::vector<std::string> lines;
  const LayerReport* worst = nullptr;
  int64_t count = 0;
  for (const auto& l : layers) {
    if (l.clamped == 0) continue;
    if (l.op == "input") {
      lines.push_back("input '" + l.tensor + "': " + std::to_string(l.clamped) + " of " + std::to_string(numel(l.shape)) +
                      " values lie outside its quantized range and are clamped (" + calibration +
                      "); re-import with --calibrate and samples of real inputs");
      continue;
    }
    ++count;
    if (!worst || l.clamped > worst->clamped) worst = &l;
  }
  if (worst)
    lines.push_back(std::to_string(count) + " layer(s) clamp values beyond their calibrated range (most: '" + worst->tensor +
                    "', " + std::to_string(worst->clamped) + " of " + std::to_string(numel(worst->shape)) + "; " +
                    calibration + "); see --report, or re-import with --calibrate and more samples of real inputs");
  return lines;
}

std::vector<OutputReport> compare_outputs(const Trace& t) {
  std::vector<OutputReport> out;
  for (size_t i = 0; i < t.graph.outputs.size(); ++i) {
    const Tensor& tensor = t.graph.tensors[t.graph.outputs[i]];
    OutputReport r;
    r.name = tensor.name;
    r.shape = tensor.shape;
    r.float_values = t.float_outputs[i];
    for (const M31& v : t.values[t.graph.outputs[i]]) r.quantized.push_back(float(double(v.to_signed()) * tensor.scale));
    Error e = error_of(r.quantized, r.float_values);
    r.max_abs = e.max_abs, r.rel_l2 = e.rel_l2;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace zkm31::model
