#pragma once
// The transaction circuits as one Circle-STARK component each (lib/air), proven zero-knowledge by
// lib/stark. No lookups: a single component without LogUp totals leaks nothing beyond its public
// inputs (lib/stark/README.md), so range checks are bit decompositions.
//
// Every row runs one Poseidon2 permutation: its input, the state after each full round and the
// S-box output of each partial round (degree-5 constraints, generic.hpp). The rows follow a fixed
// program of hash steps — public key and nullifier key from the spending key; per input: commitment
// (2 sponge blocks), 20 Merkle levels, nullifier (2 blocks); per output: commitment — held in place
// by a one-hot program counter (flag j is 1 on row j only: row 0 starts it, each row shifts it).
// Each row sets the next row's input: the sum over steps of flag × the next step's input, built from
// registers (columns constant over all rows: keys, notes, path bits, balance carries), this row's
// output and the next row's sibling columns; flag-gated checks tie outputs to registers and to the
// public inputs (root, nullifiers, commitments). Each program row also bit-decomposes one amount
// limb (30 bit columns) so that every private limb is range-checked. Balance: limb sums with
// boolean carries, each side below p (note.hpp), against the public fee or amount; every note of
// the public asset. Rows after the program hash zeros.
#include <memory>
#include <vector>

#include "air/eval.hpp"
#include "vm31/transaction.hpp"

namespace zkm31::vm31 {

struct TxShape {
  TxKind kind = TxKind::deposit;
  size_t inputs = 0;  // 0 for a deposit, 1–2 otherwise
  size_t outputs() const { return kind == TxKind::transfer ? 2 : 1; }
};

// The circuit of one transaction shape and public input vector (public_inputs(tx)).
std::shared_ptr<const air::Component> tx_circuit(const TxShape& shape, const std::vector<M31>& public_inputs);
// Its witness columns; BadInput if the transaction's statement is false.
air::Columns tx_trace(const Transaction& tx);

TxShape shape_of(const Transaction& tx);

// Many deposits in one component, 4 rows each: the note commitment's two sponge blocks (as in a
// deposit's circuit), then the commitment and the public (asset, amount limbs) absorbed as two
// blocks of one sponge over the whole batch (tag kDepositBatch, 16 elements per deposit). The last
// row's output is that sponge's digest, which the component computes from the public deposits: so
// each proven commitment is the listed one, of the listed asset and amount. The batch is padded to a
// power of two with deposits of the zero note. Public inputs: the count, then each deposit's
// public_inputs() (memo hashes bound by the transcript, as in a deposit's own proof).
std::shared_ptr<const air::Component> deposit_batch_circuit(const std::vector<Transaction>& deposits);
// Its witness; BadInput if a transaction is not a true deposit statement.
air::Columns deposit_batch_trace(const std::vector<Transaction>& deposits);

// Makes these circuits known to air::make_component (air-trace and stark-proof artifacts name them:
// vm31_deposit_0in, vm31_transfer_{1,2}in, vm31_withdraw_{1,2}in, vm31_deposit_batch), so that
// stark-prove and verify take them.
void register_circuits();

}  // namespace zkm31::vm31
