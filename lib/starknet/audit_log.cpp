#include "starknet/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
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
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("time") ||
      !j["time"].is_number_unsigned() || !j.contains("hash") || !j["hash"].is_string())
    throw BadInput(path + ": the last entry is malformed (audit-verify.sh tells more)");
  tail.last_seq = j["seq"].get<uint64_t>();
  tail.last_time_ms = j["time"].get<uint64_t>();
  tail.last_hash = Felt::parse(j["hash"].get<std::string>(), "the last entry's hash");
  return tail;
}

AuditLogTail read_audit_log_tail(const std::string& path, bool repair) {
  AuditLogTail tail = read_audit_log_tail(path);
  if (!tail.torn) return tail;
  if (!repair) throw BadInput(path + ": the last line is torn (a crash mid-append): --repair cuts it");
  std::filesystem::resize_file(path, tail.complete_bytes);
  std::fprintf(stderr, "calldata: repaired %s: cut a torn last line (a crash mid-append)\n", path.c_str());
  tail.torn = false;
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

AuditEntry append_audit_entry(const std::string& log_path, std::optional<uint64_t> time_ms, const std::string& model_commitment,
                              const std::string& graph_digest, const Felt& io_commitment,
                              const std::string& stored_input, bool repair) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(log_path).parent_path().empty() ? fs::path(".") : fs::path(log_path).parent_path();
  const auto fail = [](const std::string& what) { return BadInput(what + ": " + std::strerror(errno)); };
  // Closed on every exit; closing the descriptor releases the lock.
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  };
  const Fd lock{::open((dir / ".lock").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644)};
  if (lock.fd < 0) throw fail("cannot open the lock " + (dir / ".lock").string());
  while (::flock(lock.fd, LOCK_EX) != 0)
    if (errno != EINTR) throw fail("cannot lock " + (dir / ".lock").string());
  const AuditLogTail tail = read_audit_log_tail(log_path, repair);
  if (!time_ms) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    time_ms = std::max(static_cast<uint64_t>(now.count()), tail.last_time_ms);
  }
  const AuditEntry e = next_audit_entry(tail, *time_ms, model_commitment, graph_digest, io_commitment);
  if (!stored_input.empty()) {
    const bool sealed = stored_input.size() > 4 && stored_input.ends_with(".age");
    const fs::path to = dir / "inputs" / (std::to_string(e.seq) + (sealed ? ".json.age" : ".json"));
    std::error_code ec;
    fs::rename(stored_input, to, ec);
    if (ec) throw BadInput("cannot store the input " + stored_input + " as " + to.string() + ": " + ec.message());
  }
  const std::string line = audit_entry_line(e) + "\n";
  const Fd out{::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)};
  if (out.fd < 0) throw fail("cannot open " + log_path);
  // One write of the whole line: a crash leaves at most a torn last line, which --repair cuts.
  if (::write(out.fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) throw fail("cannot append to " + log_path);
  return e;
}

}  // namespace zkm31::starknet
