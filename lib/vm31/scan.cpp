#include "vm31/scan.hpp"

#include <string>

#include "error/error.hpp"

namespace zkm31::vm31 {

std::vector<OwnedNote> scan(const PoolState& pool, const ViewingKeys& keys) {
  std::vector<OwnedNote> found;
  for (size_t e = 0; e < pool.entries().size(); ++e) {
    const auto& outputs = pool.entries()[e].outputs;
    for (size_t k = 0; k < outputs.size(); ++k) {
      auto note = decrypt_memo(outputs[k].memo, keys.viewing, outputs[k].commitment);
      if (!note || note->owner != keys.owner) continue;
      OwnedNote owned{*note, outputs[k].commitment, pool.first_leaf(e) + k, {}, false};
      owned.nullifier = nullifier(keys.nullifier, owned.commitment, owned.leaf);
      owned.spent = pool.is_spent(owned.nullifier);
      found.push_back(owned);
    }
  }
  return found;
}

std::map<uint32_t, uint64_t> balances(const std::vector<OwnedNote>& notes) {
  std::map<uint32_t, uint64_t> total;
  for (const auto& n : notes)
    if (!n.spent && __builtin_add_overflow(total[n.note.asset.v], n.note.amount(), &total[n.note.asset.v]))
      throw BadInput("the balance of asset " + std::to_string(n.note.asset.v) + " overflows 64 bits");
  return total;
}

}  // namespace zkm31::vm31
