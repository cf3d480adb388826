// Circle STARK workloads: Poseidon2-M31 permutations proven (zero knowledge on, default 96-bit config)
// and the proof verified. Throughput = permutations/s for proving, proofs/s for verifying.
#include <random>

#include "air/registry.hpp"
#include "artifact/body.hpp"
#include "bench.hpp"
#include "parallel/parallel.hpp"
#include "stark/stark.hpp"

using namespace zkm31;

namespace {

bench::Result prove_poseidon2(unsigned log_rows) {
  std::mt19937_64 rng(log_rows);
  const air::Instance in = air::example("poseidon2", log_rows, rng);
  bench::Result r;
  stark::Proof proof;
  r.note = std::to_string(parallel::thread_count()) + " threads";
  r.seconds = bench::timed([&] { proof = stark::prove(in.components, in.traces); }, r.note);
  r.throughput = double(size_t(1) << log_rows) / r.seconds;
  r.proof_bytes = double(proof.bytes());
  return r;
}

bench::Result verify_poseidon2(unsigned log_rows) {
  std::mt19937_64 rng(log_rows);
  const air::Instance in = air::example("poseidon2", log_rows, rng);
  const stark::Proof proof = stark::prove(in.components, in.traces);
  bench::Result r;
  r.seconds = bench::time_median(5, [&] { stark::verify(in.components, proof); });
  r.throughput = 1 / r.seconds;
  r.proof_bytes = double(proof.bytes());
  r.note = "peak memory includes the proving";
  return r;
}

}  // namespace

ZKM31_BENCH("stark_poseidon2_2^16", [] { return prove_poseidon2(16); });
ZKM31_BENCH("stark_verify_poseidon2_2^16", [] { return verify_poseidon2(16); });
ZKM31_BENCH("stark_poseidon2_2^18", [] { return prove_poseidon2(18); });
ZKM31_BENCH("stark_verify_poseidon2_2^18", [] { return verify_poseidon2(18); });
