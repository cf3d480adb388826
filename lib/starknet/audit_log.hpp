#pragma once
// The audit log of pipeline/capture.sh (LOGDIR/log.jsonl): one JSON line per captured inference,
//   {"seq","time","model_commitment","graph_digest","io_commitment","prev","hash"}
// chained by hash = poseidon_hash_many([seq, time, model_commitment hi, lo, graph_digest hi, lo,
// io_commitment, prev]) — digests as their big-endian 128-bit halves, as calldata encodes them — with
// prev the previous entry's hash (0x0 for the first). A Starknet Poseidon, so a contract can
// recompute it.
#include <cstdint>
#include <optional>
#include <string>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

struct AuditEntry {
  uint64_t seq = 0, time_ms = 0;
  std::string model_commitment, graph_digest;  // 64 lowercase hex digits each
  Felt io_commitment, prev, hash;
};

Felt audit_entry_hash(const AuditEntry& e);
// The entry as its log line (no newline), keys in the order above.
std::string audit_entry_line(const AuditEntry& e);

// The end of a log file: the last complete entry's sequence number and hash (none for an empty or
// missing log) and whether a torn line (a crash mid-append) follows it, which ends at complete_bytes.
// BadInput when the last complete line is not an entry.
struct AuditLogTail {
  std::optional<uint64_t> last_seq;
  uint64_t last_time_ms = 0;
  Felt last_hash;
  bool torn = false;
  uint64_t complete_bytes = 0;
};
AuditLogTail read_audit_log_tail(const std::string& path);
// The same after cutting a torn last line (with a notice on stderr) when `repair`; BadInput for a
// torn line otherwise.
AuditLogTail read_audit_log_tail(const std::string& path, bool repair);

// The next entry after `tail`: seq and prev from it, hash computed.
AuditEntry next_audit_entry(const AuditLogTail& tail, uint64_t time_ms, const std::string& model_commitment,
                            const std::string& graph_digest, const Felt& io_commitment);

// Appends the next entry to the log at `log_path` while holding an exclusive flock on `.lock` in the
// log's directory (the lock pipeline/capture.sh takes), so concurrent writers never interleave. Its
// time is `time_ms`, or when none is given the clock read under the lock, never before the last
// entry's: times then rise with sequence numbers, so a time window is a run of entries. A torn last
// line is cut when `repair` (BadInput otherwise). `stored_input`, when not empty, is renamed to
// inputs/SEQ.json (SEQ.json.age when it ends in .age) beside the log before the line is written:
// an entry never names a missing input. Returns the entry appended.
AuditEntry append_audit_entry(const std::string& log_path, std::optional<uint64_t> time_ms, const std::string& model_commitment,
                              const std::string& graph_digest, const Felt& io_commitment,
                              const std::string& stored_input, bool repair);

}  // namespace zkm31::starknet
