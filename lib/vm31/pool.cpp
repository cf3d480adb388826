#include "vm31/pool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "error/error.hpp"
#include "file/write.hpp"
#include "vm31/bytes.hpp"
#include "vm31/files.hpp"
#include "vm31/sodium.hpp"

namespace zkm31::vm31 {
namespace {

constexpr uint8_t kMagic[4] = {'V', 'M', '3', '1'};
constexpr size_t kHeader = 8, kCheck = 16;
constexpr size_t kMaxPayload = 3 + 2 * 32 + 2 * (32 + kMemoBytes);

std::array<uint8_t, kCheck> record_check(const uint8_t* length_and_payload, size_t n) {
  init_sodium();
  std::array<uint8_t, kCheck> out;
  crypto_generichash(out.data(), out.size(), length_and_payload, n, nullptr, 0);
  return out;
}

Digest digest_from(const uint8_t* p) {
  Digest d;
  for (size_t i = 0; i < d.size(); ++i) {
    uint32_t v = read_le32(p + 4 * i);
    if (v >= kP) throw BadInput("digest element not below p");
    d[i] = M31(v);
  }
  return d;
}

PoolEntry decode_payload(const uint8_t* p, size_t n) {
  if (n < 3) throw BadInput("payload too short");
  PoolEntry e;
  if (p[0] < 1 || p[0] > 3) throw BadInput("unknown transaction kind " + std::to_string(p[0]));
  e.kind = TxKind(p[0]);
  size_t nn = p[1], no = p[2];
  if (nn > 2 || no > 2 || n != 3 + 32 * nn + (32 + kMemoBytes) * no) throw BadInput("inconsistent payload length");
  const uint8_t* at = p + 3;
  for (size_t i = 0; i < nn; ++i, at += 32) e.nullifiers.push_back(digest_from(at));
  for (size_t i = 0; i < no; ++i) {
    PoolOutput out;
    out.commitment = digest_from(at);
    std::copy(at + 32, at + 32 + kMemoBytes, out.memo.begin());
    e.outputs.push_back(out);
    at += 32 + kMemoBytes;
  }
  return e;
}

// Holds an exclusive flock on the log for the duration of an append.
struct LockedLog {
  int fd;
  explicit LockedLog(const std::string& path) : fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd < 0) throw BadInput("cannot open pool log '" + path + "': " + std::strerror(errno));
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      throw BadInput("cannot lock pool log '" + path + "': " + std::strerror(errno));
    }
  }
  ~LockedLog() { ::close(fd); }
};

}  // namespace

std::vector<uint8_t> encode_record(const PoolEntry& e) {
  if (e.nullifiers.size() > 2 || e.outputs.size() > 2) throw BadInput("a pool entry has at most 2 nullifiers and 2 outputs");
  std::vector<uint8_t> payload = {uint8_t(e.kind), uint8_t(e.nullifiers.size()), uint8_t(e.outputs.size())};
  for (const auto& nf : e.nullifiers) {
    auto b = le_bytes(nf);
    payload.insert(payload.end(), b.begin(), b.end());
  }
  for (const auto& out : e.outputs) {
    auto b = le_bytes(out.commitment);
    payload.insert(payload.end(), b.begin(), b.end());
    payload.insert(payload.end(), out.memo.begin(), out.memo.end());
  }
  std::vector<uint8_t> rec(kMagic, kMagic + 4);
  for (size_t b = 0; b < 4; ++b) rec.push_back(uint8_t(payload.size() >> (8 * b)));
  rec.insert(rec.end(), payload.begin(), payload.end());
  auto check = record_check(rec.data() + 4, rec.size() - 4);
  rec.insert(rec.end(), check.begin(), check.end());
  return rec;
}

PoolState::PoolState(const std::string& dir) : dir_(dir), log_path_(dir + "/log") {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw BadInput("cannot create pool directory '" + dir + "': " + std::strerror(errno));
  roots_.push_back(tree_.root());
  struct stat st {};
  if (::stat(log_path_.c_str(), &st) != 0) return;  // a new pool
  std::vector<uint8_t> log = read_file(log_path_, "pool log");
  size_t at = 0;
  while (at < log.size()) {
    // A record that does not fit is the partial last write of a killed append: stop before it.
    if (log.size() - at < kHeader) break;
    if (!std::equal(kMagic, kMagic + 4, log.begin() + at))
      throw BadInput("pool log '" + log_path_ + "' is damaged at byte " + std::to_string(at) + " (no record header)");
    size_t len = read_le32(log.data() + at + 4);
    if (len > kMaxPayload) throw BadInput("pool log '" + log_path_ + "' is damaged at byte " + std::to_string(at) + " (record length)");
    if (log.size() - at < kHeader + len + kCheck) break;
    auto check = record_check(log.data() + at + 4, 4 + len);
    bool last = at + kHeader + len + kCheck == log.size();
    if (!std::equal(check.begin(), check.end(), log.begin() + at + kHeader + len)) {
      if (last) break;  // a torn last write
      throw BadInput("pool log '" + log_path_ + "' is damaged at byte " + std::to_string(at) + " (checksum)");
    }
    try {
      apply(decode_payload(log.data() + at + kHeader, len));
    } catch (const BadInput& e) {
      throw BadInput("pool log '" + log_path_ + "', record at byte " + std::to_string(at) + ": " + e.what());
    }
    at += kHeader + len + kCheck;
  }
  log_bytes_ = at;
}

bool PoolState::is_recent_root(const Digest& root) const {
  size_t from = roots_.size() > kRootWindow ? roots_.size() - kRootWindow : 0;
  for (size_t i = from; i < roots_.size(); ++i)
    if (roots_[i] == root) return true;
  return false;
}

void PoolState::check(const PoolEntry& e) const {
  for (size_t i = 0; i < e.nullifiers.size(); ++i) {
    if (spent_.count(e.nullifiers[i])) throw BadInput("nullifier already spent (double spend)");
    for (size_t j = 0; j < i; ++j)
      if (e.nullifiers[j] == e.nullifiers[i]) throw BadInput("the transaction spends one nullifier twice");
  }
  if (tree_.size() + e.outputs.size() > kTreeCapacity) throw BadInput("the commitment tree is full (2^20 notes)");
}

void PoolState::apply(const PoolEntry& e) {
  check(e);
  first_leaf_.push_back(tree_.size());
  for (const auto& out : e.outputs) tree_.append(out.commitment);
  spent_.insert(e.nullifiers.begin(), e.nullifiers.end());
  entries_.push_back(e);
  roots_.push_back(tree_.root());
}

void PoolState::append(const PoolEntry& entry) {
  check(entry);  // before writing: apply() below cannot fail after it
  std::vector<uint8_t> record = encode_record(entry);
  bool created = ::access(log_path_.c_str(), F_OK) != 0;
  LockedLog log(log_path_);
  struct stat st {};
  if (::fstat(log.fd, &st) != 0) throw BadInput("cannot stat pool log: " + std::string(std::strerror(errno)));
  if (uint64_t(st.st_size) < log_bytes_) throw BadInput("pool log shrank since it was read: reopen the pool");
  if (uint64_t(st.st_size) > log_bytes_) {
    // Either a partial record of a killed append (cut it off) or another writer's records.
    PoolState now(dir_);
    if (now.log_bytes_ != log_bytes_) throw BadInput("pool log changed since it was read: reopen the pool");
    if (::ftruncate(log.fd, off_t(log_bytes_)) != 0) throw BadInput("cannot truncate pool log: " + std::string(std::strerror(errno)));
  }
  if (::lseek(log.fd, off_t(log_bytes_), SEEK_SET) < 0) throw BadInput("cannot seek pool log: " + std::string(std::strerror(errno)));
  file::write_fd(log.fd, record, "pool log");
  if (::fsync(log.fd) != 0) throw BadInput("cannot fsync pool log: " + std::string(std::strerror(errno)));
  if (created) file::fsync_dir(dir_);
  apply(entry);
  log_bytes_ += record.size();
}

}  // namespace zkm31::vm31
