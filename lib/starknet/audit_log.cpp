#include "starknet/audit_log.hpp"

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "error/error.hpp"
#include "starknet/poseidon.hpp"

namespace zkm31::starknet {

namespace {

void check_digest(const std::string& hex, const char* what) {
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw BadInput(std::string(what) + ": expected 64 lowercase hex digits, got '" + hex.substr(0, 80) + "'");
}

// The big-endian 128-bit halves of a 32-byte digest, as two felts.
std::array<Felt, 2> halves(const std::string& hex) {
  return {Felt::parse("0x" + hex.substr(0, 32)), Felt::parse("0x" + hex.substr(32, 32))};
}

}  // namespace

Felt audit_entry_hash(const AuditEntry& e) {
  check_digest(e.model_commitment, "model commitment");
  check_digest(e.graph_digest, "graph digest");
  const auto mc = halves(e.model_commitment), gd = halves(e.graph_digest);
  const std::array<Felt, 8> fields{Felt::from_u64(e.seq), Felt::from_u64(e.time_ms), mc[0], mc[1], gd[0], gd[1],
                                   e.io_commitment, e.prev};
  return poseidon_hash_many(fields);
}

std::string audit_entry_line(const AuditEntry& e) {
  return "{\"seq\":" + std::to_string(e.seq) + ",\"time\":" + std::to_string(e.time_ms) + ",\"model_commitment\":\"" +
         e.model_commitment + "\",\"graph_digest\":\"" + e.graph_digest + "\",\"io_commitment\":\"" + e.io_commitment.hex() +
         "\",\"prev\":\"" + e.prev.hex() + "\",\"hash\":\"" + e.hash.hex() + "\"}";
}

AuditLogTail read_audit_log_tail(const std::string& path) {
  AuditLogTail tail;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return tail;
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  // The last complete line ends at the last newline; read backwards until the chunk also holds the
  // newline before it (or the file's start).
  std::string chunk;
  uint64_t start = size;
  size_t line_end = std::string::npos, line_begin = 0;
  for (uint64_t want = 4096;; want *= 2) {
    start = size > want ? size - want : 0;
    chunk.assign(size - start, '\0');
    in.seekg(static_cast<std::streamoff>(start));
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!in) throw BadInput(path + ": cannot read the end of the log");
    line_end = chunk.rfind('\n');
    if (line_end == std::string::npos) {
      if (start == 0) break;
      continue;
    }
    const size_t before = line_end == 0 ? std::string::npos : chunk.rfind('\n', line_end - 1);
    if (before != std::string::npos || start == 0) {
      line_begin = before == std::string::npos ? 0 : before + 1;
      break;
    }
  }
  tail.torn = size > 0 && chunk.back() != '\n';
  if (line_end == std::string::npos) return tail;  // no complete line: the whole file is torn
  tail.complete_bytes = start + line_end + 1;
  const std::string line = chunk.substr(line_begin, line_end - line_begin);
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("hash") || !j["hash"].is_string())
    throw BadInput(path + ": the last entry is malformed (audit-verify.sh tells more)");
  tail.last_seq = j["seq"].get<uint64_t>();
  tail.last_hash = Felt::parse(j["hash"].get<std::string>(), "the last entry's hash");
  return tail;
}

AuditEntry next_audit_entry(const AuditLogTail& tail, uint64_t time_ms, const std::string& model_commitment,
                            const std::string& graph_digest, const Felt& io_commitment) {
  AuditEntry e;
  e.seq = tail.last_seq ? *tail.last_seq + 1 : 0;
  e.time_ms = time_ms;
  e.model_commitment = model_commitment;
  e.graph_digest = graph_digest;
  e.io_commitment = io_commitment;
  e.prev = tail.last_seq ? tail.last_hash : Felt::zero();
  e.hash = audit_entry_hash(e);
  return e;
}

}  // namespace zkm31::starknet
