// Deposits proven in one batch: an honest batch verifies and applies; every public field of every
// kind changed, a deposit dropped, added or moved is rejected; every sampled witness cell changed
// breaks a constraint; a witness whose notes are not the listed commitments cannot be made.
#include <gtest/gtest.h>

#include <random>

#include "air/eval.hpp"
#include "air/registry.hpp"
#include "support.hpp"
#include "vm31/circuit.hpp"
#include "vm31/proof.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

// 96 conjectured bits with cheap grinding, as the circuit tests.
const stark::Config kFast{1, 76, 20, 3, 3, 0};

std::vector<Transaction> deposits(size_t n, const Key& owner) {
  std::vector<Transaction> d;
  for (size_t i = 0; i < n; ++i) d.push_back(build_deposit(address_of(owner), 1 + i % 3, (uint64_t(i) << 30) + 7 * i + 1));
  return d;
}

std::string rejection(const ProvenDepositBatch& b) {
  try {
    verify_deposit_batch(b);
  } catch (const Rejected& e) {
    return e.what();
  } catch (const BadInput& e) {
    return std::string("bad input: ") + e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(Vm31DepositBatch, HonestBatchVerifiesAppliesAndIsBoundToEveryDeposit) {
  TempDir tmp;
  PoolState pool(tmp / "pool");
  const Key alice = random_key();
  const std::vector<Transaction> txs = deposits(5, alice);  // 20 rows: padded to 32 (3 zero-note deposits)
  const ProvenDepositBatch honest = prove_deposit_batch(txs, kFast);
  EXPECT_EQ(rejection(honest), "(accepted)");
  // No witness in the public part.
  for (const Transaction& tx : honest.deposits) EXPECT_TRUE(tx.output_notes.empty());

  // Every public field of a deposit changed, and the list's order and length.
  const auto changed = [&](const std::function<void(std::vector<Transaction>&)>& edit) {
    ProvenDepositBatch b = honest;
    edit(b.deposits);
    return rejection(b);
  };
  EXPECT_NE(changed([](auto& d) { d[2].outputs[0].commitment[3] += M31(1); }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d[0].public_amount += 1; }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d[4].public_amount += uint64_t(1) << 30; }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d[1].public_asset += M31(1); }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d[3].outputs[0].memo[5] ^= 1; }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { std::swap(d[1], d[2]); }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d.pop_back(); }), "(accepted)");
  EXPECT_NE(changed([&](auto& d) { d.push_back(public_part(build_deposit(address_of(alice), 1, 3))); }), "(accepted)");
  EXPECT_NE(changed([](auto& d) { d.erase(d.begin()); }), "(accepted)");
  // An amount out of range is malformed before any proof is checked.
  EXPECT_NE(changed([](auto& d) { d[0].public_amount = kMaxAmount + 1; }).find("bad input"), std::string::npos);

  apply_deposit_batch(pool, honest);
  EXPECT_EQ(balances(scan(pool, viewing_keys(alice))), (std::map<uint32_t, uint64_t>{
                                                           {1, 1 + ((uint64_t(3) << 30) + 22)},
                                                           {2, (uint64_t(1) << 30) + 8 + (uint64_t(4) << 30) + 29},
                                                           {3, (uint64_t(2) << 30) + 15}}));
  // A rejected batch leaves the pool as it was.
  const uint64_t before = pool.log_bytes();
  ProvenDepositBatch forged = honest;
  forged.deposits[0].public_amount += 1;
  EXPECT_THROW(apply_deposit_batch(pool, forged), Rejected);
  EXPECT_EQ(pool.log_bytes(), before);
}

TEST(Vm31DepositBatch, EveryChangedWitnessCellBreaksAConstraint) {
  const std::vector<Transaction> txs = deposits(3, random_key());
  const auto circuit = deposit_batch_circuit(txs);
  const air::Columns honest = deposit_batch_trace(txs);
  EXPECT_EQ(reason([&] { air::check_trace(*circuit, honest); }), "(accepted)");
  std::mt19937 rng(11);
  size_t tried = 0;
  for (size_t c = 0; c < honest.size(); c += 1 + rng() % 5) {
    // Rows of a real deposit (any phase) and of a padding one.
    for (size_t row : {size_t(rng() % 12), size_t(12 + rng() % 4)}) {
      air::Columns t = honest;
      t[c][row] += M31(1);
      EXPECT_NE(reason([&] { air::check_trace(*circuit, t); }), "(accepted)") << "column " << c << " row " << row;
      ++tried;
    }
  }
  EXPECT_GT(tried, 100u);
}

TEST(Vm31DepositBatch, NotesOtherThanTheListedCommitmentsCannotBeProven) {
  std::vector<Transaction> txs = deposits(2, random_key());
  // A witness note that is not the public commitment's: the statement check refuses it...
  std::vector<Transaction> lying = txs;
  lying[1].output_notes[0].amount_lo += M31(1);
  EXPECT_NE(reason([&] { deposit_batch_trace(lying); }), "(accepted)");
  // ...and a trace made for it anyway (the public list kept) breaks the digest on the last row.
  std::vector<Transaction> other = txs;
  other[1] = build_deposit(address_of(random_key()), 1, 8);
  const air::Columns t = deposit_batch_trace(other);
  EXPECT_NE(reason([&] { air::check_trace(*deposit_batch_circuit(txs), t); }), "(accepted)");
  // Only deposits batch.
  EXPECT_NE(reason([&] { deposit_batch_circuit({}); }), "(accepted)");
  Transaction not_deposit = txs[0];
  not_deposit.kind = TxKind::withdraw;
  EXPECT_NE(reason([&] { deposit_batch_circuit({not_deposit}); }), "(accepted)");
}

// The circuits by name, as air-trace and stark-proof artifacts name them: the same statement, and
// a wrong row count, kind or out-of-range public amount refused.
TEST(Vm31DepositBatch, RegisteredCircuitsRebuildTheStatementFromPublicInputs) {
  register_circuits();
  const std::vector<Transaction> txs = deposits(3, random_key());
  const auto batch = deposit_batch_circuit(txs);
  const auto pub = batch->public_inputs();
  const auto again = air::make_component("vm31_deposit_batch", 1, batch->log_size(), pub);
  EXPECT_EQ(again->public_inputs(), pub);
  EXPECT_NE(reason([&] { air::make_component("vm31_deposit_batch", 1, batch->log_size() + 1, pub); }), "(accepted)");
  auto bad = pub;
  bad[1 + 19] = M31(1u << 29);  // the first deposit's high limb
  EXPECT_NE(reason([&] { air::make_component("vm31_deposit_batch", 1, batch->log_size(), bad); }), "(accepted)");
  bad = pub;
  bad[0] = M31(2);
  EXPECT_NE(reason([&] { air::make_component("vm31_deposit_batch", 1, batch->log_size(), bad); }), "(accepted)");

  const Transaction& d = txs[0];
  auto one = public_inputs(d);
  const auto c = air::make_component("vm31_deposit_0in", 1, tx_circuit(shape_of(d), one)->log_size(), one);
  EXPECT_EQ(c->name(), "vm31_deposit_0in");
  one[18] = M31(1u << 30);  // the amount's low limb
  EXPECT_NE(reason([&] { tx_circuit(shape_of(d), one); }), "(accepted)");
}
