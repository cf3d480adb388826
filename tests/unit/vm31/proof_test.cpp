// Proven transactions through the pool's rules: apply verifies, then checks the root and the
// nullifiers, then appends; any changed public field, a replay or a stale root is rejected and the
// pool stays as it was.
#include <gtest/gtest.h>

#include <random>

#include "artifact/artifact.hpp"

#include "support.hpp"
#include "vm31/proof.hpp"
#include "vm31/relay.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

std::string rejection(const std::function<void()>& f) {
  try {
    f();
  } catch (const Rejected& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(Vm31Proof, ApplyVerifiesThenAppendsAndRefusesReplayAndTampering) {
  TempDir tmp;
  PoolState pool(tmp / "pool");
  const Key alice = random_key(), bob = random_key();
  ProvenTransaction dep = decode_proven(encode_proven(prove_transaction(build_deposit(address_of(alice), 1, 40))));
  apply_transaction(pool, dep);
  EXPECT_EQ(balances(scan(pool, viewing_keys(alice))), (std::map<uint32_t, uint64_t>{{1, 40}}));

  const ProvenTransaction t = decode_proven(encode_proven(prove_transaction(build_transfer(alice, pool, address_of(bob), 1, 30, 1, "0xfee"))));
  // Each public field changed: the proof no longer verifies, the pool is untouched.
  const uint64_t before = pool.log_bytes();
  auto tampered = [&](const std::function<void(Transaction&)>& edit) {
    ProvenTransaction x = t;
    edit(x.tx);
    return rejection([&] { apply_transaction(pool, x); });
  };
  EXPECT_NE(tampered([](Transaction& x) { x.public_amount = 0; }).find("does not verify"), std::string::npos);
  EXPECT_NE(tampered([](Transaction& x) { x.counterparty = "0xfef"; }).find("does not verify"), std::string::npos);
  EXPECT_NE(tampered([](Transaction& x) { x.outputs[0].memo[40] ^= 1; }).find("does not verify"), std::string::npos);
  EXPECT_NE(tampered([](Transaction& x) { x.outputs[1].commitment[2] += M31(1); }).find("does not verify"), std::string::npos);
  EXPECT_NE(tampered([](Transaction& x) { x.nullifiers[0][0] += M31(1); }).find("does not verify"), std::string::npos);
  EXPECT_EQ(pool.log_bytes(), before);

  apply_transaction(pool, t);
  EXPECT_EQ(balances(scan(pool, viewing_keys(bob))), (std::map<uint32_t, uint64_t>{{1, 30}}));
  EXPECT_EQ(balances(scan(pool, viewing_keys(alice))), (std::map<uint32_t, uint64_t>{{1, 9}}));
  const uint64_t after = pool.log_bytes();
  EXPECT_NE(rejection([&] { apply_transaction(pool, t); }).find("double spend"), std::string::npos);  // replay
  EXPECT_EQ(pool.log_bytes(), after);

  // A proof built against a root the pool has since forgotten (the window moved by appends that
  // stand for other applied deposits).
  const ProvenTransaction late = prove_transaction(build_withdraw(bob, pool, 1, 5, "0x5"));
  for (size_t i = 0; i < kRootWindow; ++i) pool.append(pool_entry(build_deposit(address_of(alice), 2, 1)));
  const uint64_t moved = pool.log_bytes();
  EXPECT_NE(rejection([&] { apply_transaction(pool, late); }).find("stale root"), std::string::npos);
  EXPECT_EQ(pool.log_bytes(), moved);
}

TEST(Vm31Proof, MalformedArtifactsAreBadInput) {
  const auto bytes = encode_proven(prove_transaction(build_deposit(address_of(random_key()), 1, 5)));
  for (size_t cut : {size_t(0), size_t(10), bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(decode_proven(std::span(bytes).first(cut)), BadInput);
}

TEST(Vm31Relay, BatchesOnlyVerifiedTransactions) {
  TempDir tmp;
  PoolState pool(tmp / "pool");
  const Key alice = random_key();
  const auto d = encode_proven(prove_transaction(build_deposit(address_of(alice), 1, 8)));
  apply_transaction(pool, decode_proven(d));
  const auto w = encode_proven(prove_transaction(build_withdraw(alice, pool, 1, 3, "0x77")));
  const auto calldata = relay_calldata({d, w}, &pool);
  EXPECT_EQ(calldata[0], starknet::Felt::from_u64(2));
  // Layout: n, then per transaction io_commitment, m, m felts, the memos' ByteArray (n_words, words,
  // pending word, pending length).
  size_t at = 1;
  for (int t = 0; t < 2; ++t) {
    at += 2 + calldata[at + 1].value().w[0];
    at += 1 + calldata[at].value().w[0] + 2;
  }
  EXPECT_EQ(at, calldata.size());
  EXPECT_THROW(relay_calldata({w, w}, nullptr), Rejected);  // one nullifier twice in the batch
  apply_transaction(pool, decode_proven(w));
  EXPECT_THROW(relay_calldata({w}, &pool), Rejected);  // already spent in the pool
  auto bad = decode_proven(w);
  bad.tx.public_amount += 1;
  EXPECT_THROW(relay_calldata({encode_proven(bad)}, nullptr), Rejected);
  EXPECT_THROW(relay_calldata({std::vector<uint8_t>(w.begin(), w.end() - 3)}, nullptr), BadInput);
}

// A deposit's root is no public input of its proof: a non-zero one (bytes the proof would not bind)
// is refused when the artifact is read.
TEST(Vm31Proof, DepositWithARootIsRefused) {
  ProvenTransaction proven = prove_transaction(build_deposit(address_of(random_key()), 1, 5));
  EXPECT_NO_THROW(decode_proven(encode_proven(proven)));
  proven.tx.root[3] = M31(7);
  EXPECT_THROW(decode_proven(encode_proven(proven)), BadInput);
}

TEST(Vm31Proof, RandomByteChangesAreNeverAccepted) {
  const auto bytes = encode_proven(prove_transaction(build_deposit(address_of(random_key()), 1, 5)));
  const auto env = artifact::unwrap(bytes, "vm31-proof", kProofVersion);
  std::mt19937_64 rng(3);
  size_t bad_input = 0, rejected = 0;
  for (int t = 0; t < 400; ++t) {
    std::vector<uint8_t> body = env.body;
    body[rng() % body.size()] ^= uint8_t(1 + rng() % 255);
    const auto mutated = artifact::wrap("vm31-proof", kProofVersion, body);  // checksum made right
    try {
      verify_transaction(decode_proven(mutated));
      ADD_FAILURE() << "a changed proof verified (trial " << t << ")";
    } catch (const BadInput&) {
      ++bad_input;
    } catch (const Rejected&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(bad_input, 0u);
}
