#pragma once
// A relayer's batch: N proven transactions, each verified (and checked against the relayer's view of
// the pool, if given) before it pays to submit them, as one felt252 calldata for a pool contract:
//   [n, (io_commitment_i, m_i, enc(body_i)…, memos_i…)…]
// body_i = {public_input: the transaction's public inputs, public_output: empty, proof: its STARK proof}, enc the generic
// artifact-body encoding of starknet/proof_calldata.hpp (m_i felts), io_commitment_i =
// starknet::io_commitment(body_i) = poseidon_hash_many([k, public inputs…, 0]), memos_i the
// outputs' memos as one Cairo ByteArray (for the recipients' scanners).
#include <vector>

#include "starknet/felt.hpp"
#include "vm31/proof.hpp"

namespace zkm31::vm31 {

// BadInput for a malformed proof; Rejected for one that does not verify, one the pool would refuse
// (stale root, spent nullifier) or a nullifier spent twice within the batch.
std::vector<starknet::Felt> relay_calldata(const std::vector<std::vector<uint8_t>>& proofs, const PoolState* pool,
                                           double floor_bits = 96);

}  // namespace zkm31::vm31
