// Forward-pass workloads: the integer pass of one int8 Linear (16 rows × 4096 × 4096) beside a
// plain -O3 int32 triple-loop GEMM of the same product (i-k-j order, the cache-friendly plain loop).
#include <stdexcept>
#include <vector>

#include "bench.hpp"
#include "linear_layer.hpp"
#include "model/forward.hpp"
#include "model/graph.hpp"

using namespace zkm31;

namespace {

using bench::kRows, bench::kInner, bench::kCols;
constexpr int64_t kM = kRows, kK = kInner, kN = kCols;

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

bench::Result forward_matmul() {
  bench::LinearLayer l = bench::linear_layer(42);
  const model::Graph& g = l.graph;
  const std::vector<int32_t>& x = l.x;
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
