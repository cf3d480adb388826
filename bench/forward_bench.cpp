// Forward-pass workloads: the integer pass of one int8 Linear (16 rows × 4096 × 4096) beside a
// plain -O3 int32 triple-loop GEMM of the same product (i-k-j order, the cache-friendly plain loop).
#include <random>
#include <stdexcept>
#include <vector>

#include "bench.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"

using namespace zkm31;

namespace {

constexpr int64_t kM = 16, kK = 4096, kN = 4096;

// The baseline: a straightforward int32 GEMM, compiled at -O3 with nothing else.
__attribute__((noinline)) void plain_gemm(const int32_t* A, const int32_t* B, int32_t* C) {
  for (int64_t i = 0; i < kM; ++i) {
    int32_t* c = C + i * kN;
    for (int64_t j = 0; j < kN; ++j) c[j] = 0;
    for (int64_t k = 0; k < kK; ++k) {
      int32_t a = A[i * kK + k];
      const int32_t* b = B + k * kN;
      for (int64_t j = 0; j < kN; ++j) c[j] += a * b[j];
    }
  }
}

// One Linear as a graph: x [16, 4096] int8-range input · W [4096, 4096] int8 → exact accumulators.
model::Graph linear_graph(std::mt19937& rng) {
  model::Graph g;
  g.name = "linear_16x4096x4096";
  g.tensors.push_back({"x", model::TensorKind::Input, {kM, kK}, 8, -127, 127, 1.0});
  g.tensors.push_back({"W", model::TensorKind::Weight, {kK, kN}, 8, -127, 127, 1.0});
  g.tensors.push_back({"y", model::TensorKind::Activation, {kM, kN}, 0, 0, 0, 1.0});
  std::uniform_int_distribution<int32_t> w8(-127, 127);
  model::WeightData w;
  w.tensor = 1;
  w.values.resize(size_t(kK * kN));
  for (auto& v : w.values) v = w8(rng);
  w.scales = {1.0};
  g.weights.push_back(std::move(w));
  model::Node n;
  n.op = model::Op::MatMul, n.name = "fc", n.inputs = {0, 1}, n.outputs = {2};
  auto r = model::infer(g, n);
  g.tensors[2].lo = r.lo, g.tensors[2].hi = r.hi, g.tensors[2].bits = model::signed_bits(r.lo, r.hi);
  n.acc_bound = std::max(-r.lo, r.hi);
  g.nodes.push_back(n);
  g.inputs = {0}, g.outputs = {2};
  return g;
}

bench::Result forward_matmul() {
  std::mt19937 rng(42);
  model::Graph g = linear_graph(rng);
  model::validate(g);
  std::uniform_int_distribution<int32_t> a8(-127, 127);
  std::vector<int32_t> x(size_t(kM * kK));
  for (auto& v : x) v = a8(rng);
  std::vector<std::vector<int32_t>> out;
  double ours = bench::time_median(5, [&] { out = model::forward_int(g, {x}); });
  std::vector<int32_t> C(size_t(kM * kN));
  double plain = bench::time_median(5, [&] { plain_gemm(x.data(), g.weights[0].values.data(), C.data()); });
  if (out[2] != C) throw std::runtime_error("forward_matmul: integer pass differs from the plain GEMM");
  bench::Result r;
  r.seconds = ours;
  r.throughput = double(kM * kK * kN) / ours;
  r.ratio = ours / plain;
  r.note = "MAC/s; ratio = integer pass / plain -O3 int32 GEMM (" + std::to_string(plain * 1e3).substr(0, 6) + " ms)";
  return r;
}

}  // namespace

ZKM31_BENCH("forward_matmul_16x4096x4096", forward_matmul);
