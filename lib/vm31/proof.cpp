#include "vm31/proof.hpp"

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "vm31/circuit.hpp"

namespace zkm31::vm31 {
namespace {

constexpr std::string_view kKind = "vm31-proof";

air::Components circuit_of(const Transaction& tx) { return {tx_circuit(shape_of(tx), public_inputs(tx))}; }

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
  try {
    p.proof = stark::Proof::read(m.map("proof"));
  } catch (const Rejected& e) {
    throw BadInput("vm31-proof: malformed proof: " + std::string(e.what()));
  }
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
  try {
    check_pool_rules(proven.tx, pool);
  } catch (const BadInput& e) {
    throw Rejected("pool", e.what());
  }
  pool.append(pool_entry(proven.tx));
}

}  // namespace zkm31::vm31
