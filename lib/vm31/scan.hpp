#pragma once
// Finding one's notes in the pool: try every output's memo with the viewing key; keep the notes
// that open, hash to their commitment and belong to the viewed owner; mark those whose nullifier
// the pool has seen as spent.
#include <map>
#include <vector>

#include "vm31/pool.hpp"

namespace zkm31::vm31 {

struct OwnedNote {
  Note note;
  Digest commitment;
  uint64_t leaf = 0;
  Digest nullifier;
  bool spent = false;
};

std::vector<OwnedNote> scan(const PoolState& pool, const ViewingKeys& keys);

// Unspent amount per asset id.
std::map<uint32_t, uint64_t> balances(const std::vector<OwnedNote>& notes);

}  // namespace zkm31::vm31
