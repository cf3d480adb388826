#pragma once
// VM31 transactions: what the pool sees (public part) and what the prover knows (witness).
//   deposit   public amount of an asset in → one new note
//   transfer  1–2 notes of the sender → a note to the recipient + change; a public fee to a relayer
//   withdraw  1–2 notes → a public amount to a public recipient (a Starknet address) + change
// check_statement() checks exactly what the transaction's circuit proves (ownership, membership,
// nullifiers, commitments, limb ranges, one asset — the public one — and the balance); check_pool_rules() what the pool adds
// (root recent, nullifiers unseen). The builders run both, so they never produce a transaction
// the pool would refuse.
#include <string>
#include <vector>

#include "artifact/body.hpp"
#include "vm31/pool.hpp"
#include "vm31/scan.hpp"

namespace zkm31::vm31 {

struct Transaction {
  TxKind kind = TxKind::deposit;
  // Public.
  Digest root{};                    // transfer, withdraw: the tree root the inputs are members under
  std::vector<Digest> nullifiers;   // one per input
  std::vector<PoolOutput> outputs;  // commitment + memo per new note
  M31 public_asset;                 // deposit: asset in; withdraw: asset out; transfer: the fee's asset
  uint64_t public_amount = 0;       // deposit: amount in; withdraw: amount out; transfer: the fee
  std::string counterparty;         // withdraw: recipient; transfer: relayer (felt252 hex); deposit: empty
  // Witness.
  Key spending_key{};
  std::vector<Note> inputs;
  std::vector<MembershipPath> paths;
  std::vector<Note> output_notes;
};

// "deposit", "transfer" or "withdraw".
const char* kind_name(TxKind kind);

// The public inputs as field elements, in the order the circuit exposes them: kind, root,
// nullifiers, commitments, memo hashes, asset, amount limbs, counterparty (9 limbs of 28 bits).
std::vector<M31> public_inputs(const Transaction& tx);

// BadInput with a one-line reason when the statement is false.
void check_statement(const Transaction& tx);
void check_pool_rules(const Transaction& tx, const PoolState& pool);
// What the pool appends for the transaction.
PoolEntry pool_entry(const Transaction& tx);

Transaction build_deposit(const Address& to, uint64_t asset, uint64_t amount);
Transaction build_transfer(const Key& spending, const PoolState& pool, const Address& to, uint64_t asset, uint64_t amount,
                           uint64_t fee, const std::string& relayer);
Transaction build_withdraw(const Key& spending, const PoolState& pool, uint64_t asset, uint64_t amount,
                           const std::string& recipient);

// The public fields of a transaction in an artifact body (kind, root, nullifiers, commitments, memos,
// asset, amount, counterparty), and back: a Transaction without witness. BadInput when malformed.
inline constexpr uint32_t kPublicFields = 8;
void write_public(artifact::BodyWriter& body, const Transaction& tx);
Transaction read_public(const artifact::MapView& body);

// The `vm31-tx` artifact body (witness included: the file is secret, written 0600).
inline constexpr uint32_t kTxVersion = 1;
std::vector<uint8_t> encode_transaction(const Transaction& tx);
Transaction decode_transaction(std::span<const uint8_t> artifact_bytes);

}  // namespace zkm31::vm31
