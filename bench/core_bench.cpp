// Core workloads: packed M31 multiply, QM31 multiply, BLAKE2s Merkle tree build.
#include <random>
#include <vector>

#include "bench.hpp"
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

ZKM31_BENCH("merkle_blake2s_2^24", merkle_2_24);
