// Transactions end to end in the library: deposits, a transfer with a relayer fee, a withdrawal,
// scanning and balances; every broken statement and every broken pool rule refused with its reason.
#include <gtest/gtest.h>

#include "error/error.hpp"
#include "support.hpp"
#include "vm31/transaction.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

struct Fixture {
  TempDir tmp;
  PoolState pool{tmp / "pool"};
  Key alice = random_key(), bob = random_key();
};

}  // namespace

TEST(Vm31Transaction, DepositTransferWithdrawAndBalances) {
  Fixture f;
  accept(f.pool, build_deposit(address_of(f.alice), 1, 100));
  accept(f.pool, build_deposit(address_of(f.alice), 1, 50));
  accept(f.pool, build_deposit(address_of(f.alice), 2, 7));
  EXPECT_EQ(balances(scan(f.pool, viewing_keys(f.alice))), (std::map<uint32_t, uint64_t>{{1, 150}, {2, 7}}));
  EXPECT_TRUE(scan(f.pool, viewing_keys(f.bob)).empty());

  Transaction t = build_transfer(f.alice, f.pool, address_of(f.bob), 1, 120, 5, "0x123");
  EXPECT_EQ(t.inputs.size(), 2u);  // no single note pays 125
  accept(f.pool, t);
  EXPECT_EQ(balances(scan(f.pool, viewing_keys(f.alice))), (std::map<uint32_t, uint64_t>{{1, 25}, {2, 7}}));
  EXPECT_EQ(balances(scan(f.pool, viewing_keys(f.bob))), (std::map<uint32_t, uint64_t>{{1, 120}}));

  Transaction w = build_withdraw(f.bob, f.pool, 1, 20, "0xabc");
  accept(f.pool, w);
  EXPECT_EQ(balances(scan(f.pool, viewing_keys(f.bob))), (std::map<uint32_t, uint64_t>{{1, 100}}));
  auto bob_notes = scan(f.pool, viewing_keys(f.bob));
  ASSERT_EQ(bob_notes.size(), 2u);
  EXPECT_TRUE(bob_notes[0].spent);
  EXPECT_FALSE(bob_notes[1].spent);

  EXPECT_NE(reason([&] { build_withdraw(f.bob, f.pool, 1, 101, "0xabc"); }).find("insufficient funds"), std::string::npos);
  EXPECT_NE(reason([&] { build_transfer(f.bob, f.pool, address_of(f.alice), 3, 1, 0, "0x1"); }).find("insufficient"),
            std::string::npos);
}

TEST(Vm31Transaction, PoolRulesRefuseReplayDoubleSpendAndStaleRoots) {
  Fixture f;
  accept(f.pool, build_deposit(address_of(f.alice), 1, 100));
  Transaction t = build_transfer(f.alice, f.pool, address_of(f.bob), 1, 10, 0, "0x1");
  accept(f.pool, t);
  const uint64_t log = f.pool.log_bytes();
  EXPECT_NE(reason([&] { accept(f.pool, t); }).find("double spend"), std::string::npos);  // replay
  EXPECT_EQ(f.pool.log_bytes(), log);
  Transaction twice = build_withdraw(f.bob, f.pool, 1, 1, "0x2");
  twice.nullifiers.push_back(twice.nullifiers[0]);
  EXPECT_NE(reason([&] { check_pool_rules(twice, f.pool); }).find("twice"), std::string::npos);
  // A stale root: the pool moved on by more than the window since the transaction was built.
  Transaction late = build_withdraw(f.bob, f.pool, 1, 10, "0x2");
  for (size_t i = 0; i < kRootWindow; ++i) accept(f.pool, build_deposit(address_of(f.alice), 1, 1));
  EXPECT_NE(reason([&] { accept(f.pool, late); }).find("stale root"), std::string::npos);
}

TEST(Vm31Transaction, BrokenStatementsAreRefused) {
  Fixture f;
  accept(f.pool, build_deposit(address_of(f.alice), 1, 100));
  accept(f.pool, build_deposit(address_of(f.alice), 1, 60));
  const Transaction good = build_transfer(f.alice, f.pool, address_of(f.bob), 1, 130, 3, "0x5");
  EXPECT_EQ(reason([&] { check_statement(good); }), "(accepted)");
  auto broken = [&](const std::function<void(Transaction&)>& edit) {
    Transaction t = good;
    edit(t);
    return reason([&] { check_statement(t); });
  };
  // Unbalanced: the recipient's note says more than was paid in (its commitment recomputed honestly).
  EXPECT_NE(broken([](Transaction& t) {
              t.output_notes[0].amount_lo += M31(1);
              t.outputs[0].commitment = commitment(t.output_notes[0]);
            }).find("unbalanced"),
            std::string::npos);
  EXPECT_NE(broken([](Transaction& t) { t.public_amount -= 1; }).find("unbalanced"), std::string::npos);
  // Forged membership: a note that was never deposited, with the real path.
  EXPECT_NE(broken([](Transaction& t) { t.inputs[0].amount_lo += M31(1000); }).find("membership"), std::string::npos);
  EXPECT_NE(broken([](Transaction& t) { t.paths[1].siblings[0][0] += M31(1); }).find("membership"), std::string::npos);
  EXPECT_NE(broken([&](Transaction& t) { t.spending_key = f.bob; }).find("not owned"), std::string::npos);
  EXPECT_NE(broken([](Transaction& t) { t.nullifiers[0][3] += M31(1); }).find("nullifier"), std::string::npos);
  EXPECT_NE(broken([](Transaction& t) { t.outputs[1].commitment[0] += M31(1); }).find("commitment"), std::string::npos);
  EXPECT_NE(broken([](Transaction& t) {
              t.inputs[1] = t.inputs[0], t.paths[1] = t.paths[0], t.nullifiers[1] = t.nullifiers[0];
            }).find("spent twice"),
            std::string::npos);
  // Limb overflow: a low limb of 2^30 would alias a high-limb unit.
  EXPECT_NE(broken([](Transaction& t) {
              t.output_notes[1].amount_lo += M31(1u << 30);
              t.outputs[1].commitment = commitment(t.output_notes[1]);
            }).find("2^30"),
            std::string::npos);
  EXPECT_NE(broken([](Transaction& t) { t.counterparty = "0xzz"; }), "(accepted)");
  EXPECT_NE(broken([](Transaction& t) { t.counterparty.clear(); }).find("counterparty"), std::string::npos);
}

TEST(Vm31Transaction, ArtifactRoundTripAndPublicInputs) {
  Fixture f;
  accept(f.pool, build_deposit(address_of(f.alice), 4, 9));
  Transaction t = build_withdraw(f.alice, f.pool, 4, 9, "0x7");
  auto bytes = encode_transaction(t);
  Transaction back = decode_transaction(bytes);
  EXPECT_EQ(encode_transaction(back), bytes);
  EXPECT_EQ(public_inputs(back), public_inputs(t));
  EXPECT_NO_THROW(check_statement(back));
  for (size_t cut : {size_t(0), bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(decode_transaction(std::span(bytes).first(cut)), BadInput);
  Transaction other = t;
  other.public_amount = 8;
  EXPECT_NE(public_inputs(other), public_inputs(t));
  other = t;
  other.counterparty = "0x8";
  EXPECT_NE(public_inputs(other), public_inputs(t));
  // The public inputs hold no witness value: no input note's blinding, no key.
  auto pub = public_inputs(t);
  for (M31 secret : {t.inputs[0].blinding[0], t.spending_key[0], t.output_notes[0].blinding[1]})
    EXPECT_EQ(std::find(pub.begin(), pub.end(), secret), pub.end());
}
