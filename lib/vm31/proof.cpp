#include "vm31/proof.hpp"

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "vm31/circuit.hpp"

namespace zkm31::vm31 {
namespace {

constexpr std::string_view kKind = "vm31-proof", kBatchKind = "vm31-deposit-batch";

stark::Proof read_stark_proof(const artifact::MapView& m, std::string_view kind) {
  try {
    return stark::Proof::read(m.map("proof"));
  } catch (const Rejected& e) {
    throw BadInput(std::string(kind) + ": malformed proof: " + e.what());
  }
}

air::Components circuit_of(const Transaction& tx) { return {tx_circuit(shape_of(tx), public_inputs(tx))}; }

void check_pool_rules_or_reject(const Transaction& tx, const PoolState& pool) {
  try {
    check_pool_rules(tx, pool);
  } catch (const BadInput& e) {
    throw Rejected("pool", e.what());
  }
}

}  // namespace

Transaction public_part(const Transaction& tx) {
  Transaction p;
  p.kind = tx.kind;
  p.root = tx.root;
  p.nullifiers = tx.nullifiers;
  p.outputs = tx.outputs;
  p.public_asset = tx.public_asset;
  p.public_amount = tx.public_amount;
  p.counterparty = tx.counterparty;
  return p;
}

ProvenTransaction prove_transaction(const Transaction& tx, const stark::Config& config) {
  const air::Columns trace = tx_trace(tx);
  return {public_part(tx), stark::prove(circuit_of(tx), {trace}, config)};
}

std::vector<uint8_t> encode_proven(const ProvenTransaction& proven) {
  artifact::BodyWriter b(kPublicFields + 1);
  write_public(b, proven.tx);
  b.key("proof");
  proven.proof.write(b);
  return artifact::wrap(kKind, kProofVersion, b.bytes());
}

ProvenTransaction decode_proven(std::span<const uint8_t> bytes) {
  artifact::EnvelopeView env = artifact::unwrap_view(bytes, kKind, kProofVersion);
  auto handle = artifact::parse_body(env.body, "vm31-proof");
  artifact::MapView m(handle.get(), "vm31-proof");
  ProvenTransaction p;
  p.tx = read_public(m);
  p.proof = read_stark_proof(m, kKind);
  return p;
}

void verify_transaction(const ProvenTransaction& proven, double floor_bits) {
  const Transaction& tx = proven.tx;
  const TxShape shape = shape_of(tx);
  if (tx.outputs.size() != shape.outputs()) throw BadInput("vm31-proof: wrong number of outputs for its kind");
  // The public inputs come from the artifact's public fields, computed here: amount limbs (range
  // checked by amount_limbs), memo hashes, counterparty limbs.
  const air::Components circuit = {tx_circuit(shape, public_inputs(tx))};
  try {
    stark::verify(circuit, proven.proof, floor_bits);
  } catch (const Rejected& e) {
    throw Rejected("vm31", std::string("proof does not verify: ") + e.what());
  }
}

void apply_transaction(PoolState& pool, const ProvenTransaction& proven, double floor_bits) {
  verify_transaction(proven, floor_bits);
  check_pool_rules_or_reject(proven.tx, pool);
  pool.append(pool_entry(proven.tx));
}

std::vector<uint8_t> encode_deposit_batch(const ProvenDepositBatch& batch) {
  artifact::BodyWriter b(2);
  b.key("deposits");
  b.pk.pack_array(uint32_t(batch.deposits.size()));
  for (const Transaction& tx : batch.deposits) {
    artifact::BodyWriter one(kPublicFields);
    write_public(one, tx);
    b.bin(one.bytes());
  }
  b.key("proof");
  batch.proof.write(b);
  return artifact::wrap(kBatchKind, kDepositBatchVersion, b.bytes());
}

ProvenDepositBatch decode_deposit_batch(std::span<const uint8_t> bytes) {
  const artifact::EnvelopeView env = artifact::unwrap_view(bytes, kBatchKind, kDepositBatchVersion);
  const auto handle = artifact::parse_body(env.body, kBatchKind);
  const artifact::MapView m(handle.get(), std::string(kBatchKind));
  ProvenDepositBatch batch;
  for (const msgpack::object& o : m.array("deposits")) {
    if (o.type != msgpack::type::BIN) throw BadInput("vm31-deposit-batch: a deposit is not an encoded body");
    const auto one = artifact::parse_body({reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size}, "vm31-deposit-batch deposit");
    batch.deposits.push_back(read_public(artifact::MapView(one.get(), "vm31-deposit-batch deposit")));
    if (batch.deposits.back().kind != TxKind::deposit) throw BadInput("vm31-deposit-batch: a transaction that is not a deposit");
  }
  if (batch.deposits.empty()) throw BadInput("vm31-deposit-batch: no deposits");
  batch.proof = read_stark_proof(m, kBatchKind);
  return batch;
}

ProvenDepositBatch prove_deposit_batch(const std::vector<Transaction>& deposits, const stark::Config& config) {
  const air::Columns trace = deposit_batch_trace(deposits);
  ProvenDepositBatch batch;
  for (const Transaction& tx : deposits) batch.deposits.push_back(public_part(tx));
  batch.proof = stark::prove({deposit_batch_circuit(deposits)}, {trace}, config);
  return batch;
}

void verify_deposit_batch(const ProvenDepositBatch& batch, double floor_bits) {
  // The component is built from the public deposits: their commitments, assets and amounts fix the
  // digest the proof's last row must reach, the rest goes into the transcript.
  const air::Components circuit = {deposit_batch_circuit(batch.deposits)};
  try {
    stark::verify(circuit, batch.proof, floor_bits);
  } catch (const Rejected& e) {
    throw Rejected("vm31", std::string("deposit batch proof does not verify: ") + e.what());
  }
}

void apply_deposit_batch(PoolState& pool, const ProvenDepositBatch& batch, double floor_bits) {
  verify_deposit_batch(batch, floor_bits);
  for (const Transaction& tx : batch.deposits) check_pool_rules_or_reject(tx, pool);
  for (const Transaction& tx : batch.deposits) pool.append(pool_entry(tx));
}

}  // namespace zkm31::vm31
