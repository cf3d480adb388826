// The transaction circuits: honest deposits, transfers and withdrawals prove and verify; each
// statement broken in the witness breaks a constraint; a changed public input is rejected.
#include <gtest/gtest.h>

#include "air/eval.hpp"
#include "stark/stark.hpp"
#include "support.hpp"
#include "vm31/circuit.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

// 96 conjectured bits with cheap grinding, as the stark tests.
const stark::Config kFast{1, 76, 20, 3, 3, 0};

struct Fixture {
  TempDir tmp;
  PoolState pool{tmp / "pool"};
  Key alice = random_key(), bob = random_key();
  Fixture() {
    accept(pool, build_deposit(address_of(alice), 1, (uint64_t(3) << 30) + 100));
    accept(pool, build_deposit(address_of(alice), 1, (uint64_t(1) << 30) - 1));
  }
};

air::Components circuit_of(const Transaction& tx) { return {tx_circuit(shape_of(tx), public_inputs(tx))}; }

void prove_and_verify(const Transaction& tx) {
  const air::Columns trace = tx_trace(tx);
  stark::Randomness rnd(7);
  const stark::Proof proof = stark::prove(circuit_of(tx), {trace}, kFast, rnd);
  EXPECT_NO_THROW(stark::verify(circuit_of(tx), proof, 96));
  // Another public input (the fee or amount, a nullifier, the root, a commitment) is rejected.
  auto pub = public_inputs(tx);
  for (size_t i : {size_t(1), pub.size() / 2, pub.size() - 12, pub.size() - 1}) {
    auto changed = pub;
    changed[i] += M31(1);
    EXPECT_THROW(stark::verify({tx_circuit(shape_of(tx), changed)}, proof, 96), Rejected) << i;
  }
}

// The first constraint the trace breaks, or "" (air::check_trace's message).
std::string broken(const Transaction& tx, const std::function<void(air::Columns&)>& edit) {
  air::Columns trace = tx_trace(tx);
  edit(trace);
  return reason([&] { air::check_trace(*circuit_of(tx)[0], trace); });
}

}  // namespace

TEST(Vm31Circuit, DepositTransferWithdrawProveAndVerify) {
  Fixture f;
  prove_and_verify(build_deposit(address_of(f.bob), 5, 77));
  Transaction two = build_transfer(f.alice, f.pool, address_of(f.bob), 1, (uint64_t(3) << 30) + 500, 7, "0x99");
  ASSERT_EQ(two.inputs.size(), 2u);
  prove_and_verify(two);
  Transaction one = build_withdraw(f.alice, f.pool, 1, 1000, "0x42");
  ASSERT_EQ(one.inputs.size(), 1u);
  prove_and_verify(one);
}

TEST(Vm31Circuit, EveryBrokenStatementBreaksAConstraint) {
  Fixture f;
  const Transaction tx = build_transfer(f.alice, f.pool, address_of(f.bob), 1, 300, 2, "0x1");
  EXPECT_EQ(broken(tx, [](air::Columns&) {}), "(accepted)");
  const auto circuit = circuit_of(tx)[0];
  const size_t cols = circuit->main_columns();
  const size_t rows = size_t(1) << circuit->log_size();
  ASSERT_EQ(rows, 32u);  // 30 program rows (one input) and 2 rows hashing zeros
  // Any single cell changed breaks some constraint (round, wiring, flag, register, range or
  // balance): sampled over columns, on program rows and a padding row.
  for (size_t c = 0; c < cols; c += 7)
    for (size_t row : {size_t(0), size_t(5), size_t(26), size_t(29), rows - 1}) {
      std::string why = broken(tx, [&](air::Columns& t) { t[c][row] += M31(1); });
      EXPECT_NE(why, "(accepted)") << "column " << c << " row " << row;
    }
}

TEST(Vm31Circuit, AForgedWitnessCannotBeProven) {
  Fixture f;
  Transaction tx = build_transfer(f.alice, f.pool, address_of(f.bob), 1, 300, 2, "0x1");
  // The statement checker refuses first; past it, the prover refuses a trace that breaks a constraint.
  Transaction unbalanced = tx;
  unbalanced.output_notes[0].amount_lo += M31(1);
  unbalanced.outputs[0].commitment = commitment(unbalanced.output_notes[0]);
  EXPECT_NE(reason([&] { tx_trace(unbalanced); }).find("unbalanced"), std::string::npos);
  Transaction forged = tx;
  forged.paths[0].siblings[3][0] += M31(1);
  EXPECT_NE(reason([&] { tx_trace(forged); }).find("membership"), std::string::npos);
}
