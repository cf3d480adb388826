// Core workloads: packed M31 multiply, QM31 multiply, BLAKE2s Merkle tree build.
#include <random>
#include <vector>

#include "bench.hpp"
#include "field/packed.hpp"
#include "field/simd.hpp"
#include "merkle/merkle.hpp"
#include "parallel/parallel.hpp"

using namespace zkm31;

namespace {

std::vector<M31> random_m31s(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<M31> v(n);
  for (auto& x : v) x = M31::reduce_u32(rng());
  return v;
}

std::vector<QM31> random_qm31s(size_t n, uint32_t seed) {
  std::vector<M31> l = random_m31s(4 * n, seed);
  std::vector<QM31> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = QM31(l[4 * i], l[4 * i + 1], l[4 * i + 2], l[4 * i + 3]);
  return v;
}

// Kernel throughput on one core: vectors of 4096 elements (in L1/L2, so the multiply rather than
// memory bandwidth is measured), multiplied in place many times; median of 5 runs.
constexpr size_t kVec = 4096;

// In-place packed multiply of two kVec vectors, repeated; throughput = multiplies per second.
template <typename F>
bench::Result packed_mul_throughput(std::vector<F> a, const std::vector<F>& b, int reps, const char* what) {
  parallel::set_thread_count(1);
  bench::Result r;
  r.seconds = bench::time_median(5, [&] {
    for (int i = 0; i < reps; ++i) packed::mul(a, b, a);
  });
  r.throughput = double(kVec) * reps / r.seconds;
  r.note = std::string(what) + " mul/s, 1 core, packed " + packed::backend_name() + ", 4096-element vectors";
  return r;
}

bench::Result m31_mul_packed() { return packed_mul_throughput(random_m31s(kVec, 2), random_m31s(kVec, 3), 20000, "M31"); }
bench::Result qm31_mul() { return packed_mul_throughput(random_qm31s(kVec, 4), random_qm31s(kVec, 5), 2000, "QM31"); }

// Seconds to build the tree over 2^24 leaves of 4 M31 (16 bytes); throughput = leaves/s.
bench::Result merkle_2_24() {
  std::vector<M31> rows = random_m31s(size_t(4) << 24, 1);
  bench::Result r;
  r.seconds = bench::time_once([&] { merkle::Tree tree(rows, 4); });
  r.throughput = double(size_t(1) << 24) / r.seconds;
  r.note = std::string(simd::name(simd::active())) + ", " + std::to_string(parallel::thread_count()) + " threads";
  return r;
}

}  // namespace

ZKM31_BENCH("m31_mul_packed", m31_mul_packed);
ZKM31_BENCH("qm31_mul", qm31_mul);
ZKM31_BENCH("merkle_blake2s_2^24", merkle_2_24);
