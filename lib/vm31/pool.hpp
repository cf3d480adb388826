#pragma once
// The pool's state directory: an append-only log (DIR/log) of what each accepted transaction did —
// nullifiers spent, commitments appended with their memos — from which the commitment tree, the
// nullifier set and the window of recent roots are rebuilt on open.
//
// Log record: "VM31" ‖ u32 payload length ‖ payload ‖ 16-byte BLAKE2b of (length ‖ payload).
// Payload: kind (u8) ‖ nullifier count (u8) ‖ output count (u8) ‖ nullifiers (32 B each) ‖
// outputs (commitment 32 B ‖ memo). Appends are one write + fsync under an exclusive lock. A kill
// can leave only a partial last record: open() keeps the consistent prefix before it (and the next
// append cuts the partial record off). A damaged record followed by more data is corruption and is
// refused.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "vm31/memo.hpp"
#include "vm31/tree.hpp"

namespace zkm31::vm31 {

// How many of the latest roots a transaction may prove membership against (the current one included).
inline constexpr size_t kRootWindow = 64;

enum class TxKind : uint8_t { deposit = 1, transfer = 2, withdraw = 3 };

struct PoolOutput {
  Digest commitment;
  Memo memo;
};

struct PoolEntry {
  TxKind kind = TxKind::deposit;
  std::vector<Digest> nullifiers;
  std::vector<PoolOutput> outputs;
};

struct DigestHash {
  size_t operator()(const Digest& d) const { return d[0].v | size_t(d[1].v) << 32; }
};

class PoolState {
 public:
  // Opens (creating if missing) the state directory and replays its log.
  explicit PoolState(const std::string& dir);

  const CommitmentTree& tree() const { return tree_; }
  const std::vector<PoolEntry>& entries() const { return entries_; }
  // The tree index of entry e's first output.
  uint64_t first_leaf(size_t entry) const { return first_leaf_.at(entry); }
  bool is_recent_root(const Digest& root) const;
  bool is_spent(const Digest& nullifier) const { return spent_.count(nullifier) != 0; }
  // Bytes of the log's consistent prefix (what was replayed).
  uint64_t log_bytes() const { return log_bytes_; }

  // Appends an entry durably. BadInput (state unchanged) if a nullifier was spent before or twice
  // in the entry, the tree would overflow, or the log changed on disk since it was read.
  void append(const PoolEntry& entry);

 private:
  void check(const PoolEntry& entry) const;
  void apply(const PoolEntry& entry);
  std::string dir_, log_path_;
  CommitmentTree tree_;
  std::vector<PoolEntry> entries_;
  std::vector<uint64_t> first_leaf_;
  std::unordered_set<Digest, DigestHash> spent_;
  std::vector<Digest> roots_;  // the root after each entry, the empty tree's first (only the last kRootWindow are used)
  uint64_t log_bytes_ = 0;
};

// The bytes of one log record (exposed for tests that build damaged logs).
std::vector<uint8_t> encode_record(const PoolEntry& entry);

}  // namespace zkm31::vm31
