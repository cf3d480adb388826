// VM31 workloads: Poseidon2 permutations on packed lanes, a 2-in-2-out transfer proven and
// verified (targets ≤ 1 s, ≤ 20 ms, ≤ 200 KB), 1000 deposits in one proof (target ≤ 10 s), and 1000
// applications to a pool (verify + fsync'd append).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "artifact/body.hpp"
#include "bench.hpp"
#include "poseidon2/permutation.hpp"
#include "vm31/proof.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

// A pool directory removed at the end of the workload.
struct ScratchPool {
  std::string dir = std::filesystem::temp_directory_path() / ("zkm31_vm31_bench." + std::to_string(::getpid()));
  PoolState pool{dir};
  ~ScratchPool() { std::filesystem::remove_all(dir); }
};

// A transfer from a wallet with two deposited notes, ready to prove.
Transaction transfer(PoolState& pool) {
  const Key alice = random_key(), bob = random_key();
  for (uint64_t amount : {700u, 500u}) pool.append(pool_entry(build_deposit(address_of(alice), 1, amount)));
  return build_transfer(alice, pool, address_of(bob), 1, 1000, 3, "0xfee");
}

}  // namespace

ZKM31_BENCH("vm31_poseidon2_2^18", [] {
  std::vector<poseidon2::State> states(size_t(1) << 18);
  for (size_t i = 0; i < states.size(); ++i) states[i][0] = M31(uint32_t(i));
  bench::Result r;
  r.seconds = bench::time_median(3, [&] { poseidon2::permute_many(states); });
  r.throughput = states.size() / r.seconds;
  r.note = "packed-lane permutations, one thread; permutations/s";
  return r;
});

ZKM31_BENCH("vm31_transfer_prove", [] {
  ScratchPool s;
  const Transaction tx = transfer(s.pool);
  ProvenTransaction proven;
  bench::Result r;
  r.seconds = bench::time_median(3, [&] { proven = prove_transaction(tx); });
  r.proof_bytes = double(encode_proven(proven).size());
  r.note = "2 in, 2 out, ZK, 96 bits; target ≤ 1 s, proof ≤ 200 KB";
  return r;
});

ZKM31_BENCH("vm31_transfer_verify", [] {
  ScratchPool s;
  const ProvenTransaction proven = prove_transaction(transfer(s.pool));
  bench::Result r;
  r.seconds = bench::time_median(9, [&] { verify_transaction(proven); });
  r.note = "target ≤ 20 ms";
  return r;
});

ZKM31_BENCH("vm31_deposit_batch_1000", [] {
  std::vector<Transaction> deposits;
  for (uint64_t i = 0; i < 1000; ++i) deposits.push_back(build_deposit(address_of(random_key()), 1 + i % 4, 1 + i));
  ProvenDepositBatch batch;
  bench::Result r;
  r.seconds = bench::timed([&] { batch = prove_deposit_batch(deposits); }, r.note);
  r.throughput = 1000 / r.seconds;
  artifact::BodyWriter body(1);
  body.key("proof");
  batch.proof.write(body);
  r.proof_bytes = double(body.bytes().size());
  const double verify = bench::time_once([&] { verify_deposit_batch(batch); });
  char note[96];
  std::snprintf(note, sizeof note, "ZK, 96 bits, 4096 rows; verify %.1f ms; deposits/s; target ≤ 10 s", verify * 1e3);
  r.note += note;
  return r;
});

ZKM31_BENCH("vm31_apply_1000", [] {
  ScratchPool s;
  const ProvenTransaction deposit = prove_transaction(build_deposit(address_of(random_key()), 1, 5));
  bench::Result r;
  r.seconds = bench::time_once([&] {
    for (int i = 0; i < 1000; ++i) apply_transaction(s.pool, deposit);
  });
  r.throughput = 1000 / r.seconds;
  r.note = "one deposit proof applied 1000× (each verified in full, fsync'd append); tx/s";
  return r;
});
