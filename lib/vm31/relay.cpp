#include "vm31/relay.hpp"

#include <unordered_set>

#include "artifact/body.hpp"
#include "error/error.hpp"
#include "starknet/encoding.hpp"
#include "starknet/proof_calldata.hpp"

namespace zkm31::vm31 {

std::vector<starknet::Felt> relay_calldata(const std::vector<std::vector<uint8_t>>& proofs, const PoolState* pool,
                                           double floor_bits) {
  std::vector<starknet::Felt> out = {starknet::Felt::from_u64(proofs.size())};
  std::unordered_set<Digest, DigestHash> batch;
  for (size_t i = 0; i < proofs.size(); ++i) {
    const ProvenTransaction proven = decode_proven(proofs[i]);
    const std::string which = "transaction " + std::to_string(i + 1) + " of the batch";
    try {
      verify_transaction(proven, floor_bits);
    } catch (const Rejected& e) {
      throw Rejected("relay", which + ": " + e.what());
    }
    try {
      if (pool) check_pool_rules(proven.tx, *pool);
    } catch (const BadInput& e) {
      throw Rejected("relay", which + ": " + e.what());
    }
    for (const auto& nf : proven.tx.nullifiers)
      if (!batch.insert(nf).second) throw Rejected("relay", which + " spends a nullifier spent earlier in the batch");
    // The contract's view of one transaction: its public inputs and proof (the generic body
    // encoding), then the memos for the recipients' scanners.
    artifact::BodyWriter b(3);
    b.key("public_input"), b.m31s(public_inputs(proven.tx));
    b.key("public_output"), b.m31s({});
    b.key("proof");
    proven.proof.write(b);
    const std::vector<starknet::Felt> felts = starknet::encode_body(b.bytes());
    std::string memos;
    for (const auto& o : proven.tx.outputs) memos.append(o.memo.begin(), o.memo.end());
    const std::vector<starknet::Felt> memo_felts = starknet::byte_array(memos);
    out.push_back(starknet::io_commitment(b.bytes()));
    out.push_back(starknet::Felt::from_u64(felts.size()));
    out.insert(out.end(), felts.begin(), felts.end());
    out.insert(out.end(), memo_felts.begin(), memo_felts.end());
  }
  return out;
}

}  // namespace zkm31::vm31
