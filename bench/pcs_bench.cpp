// Polynomial-commitment workloads: circle FFT, degree-2 sumcheck, Basefold PCS commit / open / verify.
#include <cstdio>
#include <random>
#include <vector>

#include "bench.hpp"
#include "channel/channel.hpp"
#include "circle/fft.hpp"
#include "parallel/parallel.hpp"
#include "pcs/pcs.hpp"
#include "poly/multilinear.hpp"
#include "sumcheck/sumcheck.hpp"

using namespace zkm31;

namespace {

std::vector<M31> random_m31s(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<M31> v(n);
  for (auto& x : v) x = M31::reduce_u32(uint32_t(rng()));
  return v;
}

std::string threads_note() { return std::to_string(parallel::thread_count()) + " threads"; }

// Evaluation of 2^20 coefficients on the size-2^20 canonic domain; throughput = points/s.
bench::Result circle_fft_2_20() {
  auto c = random_m31s(size_t(1) << 20, 1);
  circle::evaluate(c, 20);  // warm the twiddle cache
  bench::Result r;
  r.seconds = bench::time_median(5, [&] { circle::evaluate(c, 20); });
  r.throughput = double(size_t(1) << 20) / r.seconds;
  r.note = threads_note();
  return r;
}

// Σ_x a(x)·b(x) over 2^24 entries (a in M31, b in QM31, the PCS batching shape); throughput = entries/s.
bench::Result sumcheck_deg2_2_24() {
  const size_t n = size_t(1) << 24;
  auto a = random_m31s(n, 2);
  auto braw = random_m31s(n, 3);
  std::vector<QM31> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = QM31(braw[i], a[i], braw[n - 1 - i], M31(uint32_t(i)));
  std::vector<sumcheck::TableRef> t = {std::span<const M31>(a), std::span<const QM31>(b)};
  bench::Result r;
  size_t bytes = 0;
  r.note = threads_note();
  r.seconds = bench::timed([&] {
    Channel ch("bench");
    auto out = sumcheck::prove_product(QM31(), t, ch, "bench");
    bytes = sumcheck::to_limbs(out.proof).size() * 4;
  }, r.note);
  r.throughput = double(n) / r.seconds;
  r.proof_bytes = double(bytes);
  return r;
}

// Commit / open (4 claims, batched) / verify over 2^log M31 at the default (96-bit) config.
struct PcsSetup {
  std::vector<M31> values;
  std::vector<pcs::Claim> claims;
  explicit PcsSetup(unsigned log) : values(random_m31s(size_t(1) << log, 4)) {
    std::mt19937_64 rng(5);
    for (int i = 0; i < 4; ++i) {
      pcs::Claim c;
      for (unsigned k = 0; k < log; ++k)
        c.point.push_back(QM31(M31::reduce_u32(uint32_t(rng())), M31::reduce_u32(uint32_t(rng())),
                               M31::reduce_u32(uint32_t(rng())), M31::reduce_u32(uint32_t(rng()))));
      c.value = poly::evaluate(values, c.point);
      claims.push_back(std::move(c));
    }
  }
};

std::string config_note() {
  const pcs::Config c;
  return "blowup 2^" + std::to_string(c.log_blowup) + ", " + std::to_string(c.queries) + " queries, pow " +
         std::to_string(c.pow_bits) + ", " + threads_note();
}

bench::Result pcs_commit(unsigned log) {
  auto v = random_m31s(size_t(1) << log, 4);
  bench::Result r;
  r.note = config_note();
  r.seconds = bench::timed([&] { pcs::commit(v); }, r.note);
  r.throughput = double(v.size()) / r.seconds;
  return r;
}

bench::Result pcs_open(unsigned log) {
  PcsSetup s(log);
  auto com = pcs::commit(s.values);
  bench::Result r;
  pcs::OpeningProof proof;
  r.note = "4 claims, " + config_note();
  r.seconds = bench::timed([&] {
    Channel ch("bench");
    proof = pcs::open(com, s.claims, ch);
  }, r.note);
  r.throughput = double(s.values.size()) / r.seconds;
  r.proof_bytes = double(proof.bytes());
  return r;
}

bench::Result pcs_verify(unsigned log) {
  PcsSetup s(log);
  auto com = pcs::commit(s.values);
  Channel pc("bench");
  const auto proof = pcs::open(com, s.claims, pc);
  bench::Result r;
  r.seconds = bench::time_median(5, [&] {
    Channel ch("bench");
    pcs::verify(com.root(), log, s.claims, proof, ch);
  });
  r.proof_bytes = double(proof.bytes());
  r.note = "4 claims, " + config_note();
  return r;
}

}  // namespace

ZKM31_BENCH("pcs_commit_2^20", [] { return pcs_commit(20); });
ZKM31_BENCH("pcs_open_2^20", [] { return pcs_open(20); });
ZKM31_BENCH("pcs_verify_2^20", [] { return pcs_verify(20); });
ZKM31_BENCH("pcs_commit_2^24", [] { return pcs_commit(24); });
ZKM31_BENCH("pcs_open_2^24", [] { return pcs_open(24); });
ZKM31_BENCH("pcs_verify_2^24", [] { return pcs_verify(24); });
ZKM31_BENCH("circle_fft_2^20", circle_fft_2_20);
ZKM31_BENCH("sumcheck_deg2_2^24", sumcheck_deg2_2_24);
