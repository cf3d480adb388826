#pragma once
// Proven transactions: the `vm31-proof` artifact (the public part of a transaction and its
// zero-knowledge STARK proof, no witness) and the pool's rules as code: apply = verify the proof
// against the public inputs recomputed here (memo hashes from the memos), check the root is recent
// and the nullifiers unseen, append.
#include <span>
#include <vector>

#include "stark/stark.hpp"
#include "vm31/transaction.hpp"

namespace zkm31::vm31 {

// 96 conjectured bits: 38 queries at rate 1/4 + 20 bits of grinding (half the opened rows of rate
// 1/2 with 76 queries, for a larger extension).
inline constexpr stark::Config kProofConfig{2, 38, 20, 3, 3, 0};
// 2: the embedded stark proof is stark-proof v2 (each trace column on its own domain), a deposit's root zero
inline constexpr uint32_t kProofVersion = 2;

struct ProvenTransaction {
  Transaction tx;  // public part only
  stark::Proof proof;
};

// The public part of a transaction (witness dropped).
Transaction public_part(const Transaction& tx);

// Proves the transaction's circuit; BadInput if its statement is false.
ProvenTransaction prove_transaction(const Transaction& tx, const stark::Config& config = kProofConfig);
std::vector<uint8_t> encode_proven(const ProvenTransaction& proven);
// BadInput for a malformed artifact (bad envelope, fields, lengths, residues).
ProvenTransaction decode_proven(std::span<const uint8_t> bytes);

// Rejected("vm31", …) unless the proof verifies for the transaction's public inputs at floor_bits;
// BadInput if the public part is malformed (shape, amount or counterparty out of range).
void verify_transaction(const ProvenTransaction& proven, double floor_bits = 96);
// verify_transaction, then Rejected("pool", …) for a stale root or a spent nullifier, then append.
// The pool is unchanged unless everything passes.
void apply_transaction(PoolState& pool, const ProvenTransaction& proven, double floor_bits = 96);

// Many deposits in one proof (deposit_batch_circuit): public parts only, and the proof.
struct ProvenDepositBatch {
  std::vector<Transaction> deposits;
  stark::Proof proof;
};
// The `vm31-deposit-batch` artifact: each deposit's public fields (an encoded body per deposit) and
// the proof. BadInput for a malformed artifact.
inline constexpr uint32_t kDepositBatchVersion = 2;  // 2: stark-proof v2 inside
std::vector<uint8_t> encode_deposit_batch(const ProvenDepositBatch& batch);
ProvenDepositBatch decode_deposit_batch(std::span<const uint8_t> bytes);
// BadInput if any transaction is not a true deposit statement.
ProvenDepositBatch prove_deposit_batch(const std::vector<Transaction>& deposits, const stark::Config& config = kProofConfig);
// Rejected("vm31", …) unless the proof verifies for exactly these deposits; BadInput if one is malformed.
void verify_deposit_batch(const ProvenDepositBatch& batch, double floor_bits = 96);
// verify_deposit_batch, then every deposit appended; the pool is unchanged when the batch is rejected.
void apply_deposit_batch(PoolState& pool, const ProvenDepositBatch& batch, double floor_bits = 96);

}  // namespace zkm31::vm31
