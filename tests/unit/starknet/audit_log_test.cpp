// The audit log's entries (lib/starknet/audit_log): the chain hash, the line format and reading the
// end of a log, including a torn last line (a crash mid-append) and a malformed last entry; appends
// under the log's lock from concurrent writers, with the input stored under the entry's number.
#include "starknet/audit_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "error/error.hpp"
#include "starknet/poseidon.hpp"

namespace {

using namespace zkm31;
using namespace zkm31::starknet;

const std::string kMc = "a0a37b373fa5a1fd33eb0fc4bdb38edbf4e18bf3d387a2de3a862bf1b8647973";
const std::string kGd = "6d2c3a628934498954429a9a30a2b328441f8263d6ea9c4cd278be940a93070e";

struct TempLog {
  std::string path = std::filesystem::temp_directory_path() / ("zkm31-audit-log-" + std::to_string(::getpid()) + ".jsonl");
  ~TempLog() { std::remove(path.c_str()); }
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary) << text; }
};

TEST(AuditLog, HashIsPoseidonOfTheFieldsWithDigestHalves) {
  const AuditLogTail empty;
  const AuditEntry e = next_audit_entry(empty, 1796620714052, kMc, kGd, Felt::from_u64(77));
  EXPECT_EQ(e.seq, 0u);
  EXPECT_TRUE(e.prev.is_zero());
  const std::vector<Felt> fields{Felt::from_u64(0), Felt::from_u64(1796620714052), Felt::parse("0x" + kMc.substr(0, 32)),
                                 Felt::parse("0x" + kMc.substr(32)), Felt::parse("0x" + kGd.substr(0, 32)),
                                 Felt::parse("0x" + kGd.substr(32)), Felt::from_u64(77), Felt::zero()};
  EXPECT_EQ(e.hash, poseidon_hash_many(fields));
  // Every field is bound: another time, io commitment or link gives another hash.
  AuditEntry other = e;
  other.time_ms += 1;
  EXPECT_NE(audit_entry_hash(other), e.hash);
  other = e;
  other.prev = Felt::from_u64(1);
  EXPECT_NE(audit_entry_hash(other), e.hash);
  other = e;
  other.graph_digest[63] = '0';
  EXPECT_NE(audit_entry_hash(other), e.hash);
  other.graph_digest = "XYZ";
  EXPECT_THROW(audit_entry_hash(other), BadInput);
}

TEST(AuditLog, TailChainsTheNextEntryAndCutsATornLine) {
  TempLog log;
  EXPECT_FALSE(read_audit_log_tail(log.path).last_seq);  // missing log: the next entry is the first
  const AuditEntry first = next_audit_entry({}, 5, kMc, kGd, Felt::from_u64(1));
  // A log that outgrows the 4 kB the reader first takes from its end.
  std::string text;
  AuditLogTail tail;
  AuditEntry last = first;
  text += audit_entry_line(first) + "\n";
  for (int i = 0; i < 30; ++i) {
    log.write(text);
    tail = read_audit_log_tail(log.path);
    ASSERT_TRUE(tail.last_seq);
    EXPECT_EQ(*tail.last_seq, last.seq);
    EXPECT_EQ(tail.last_hash, last.hash);
    EXPECT_FALSE(tail.torn);
    EXPECT_EQ(tail.complete_bytes, text.size());
    last = next_audit_entry(tail, 6 + i, kMc, kGd, Felt::from_u64(2 + i));
    EXPECT_EQ(last.seq, first.seq + 1 + i);
    text += audit_entry_line(last) + "\n";
  }
  log.write(text + "{\"seq\":31,\"ti");
  tail = read_audit_log_tail(log.path);
  EXPECT_TRUE(tail.torn);
  EXPECT_EQ(tail.complete_bytes, text.size());
  EXPECT_EQ(*tail.last_seq, last.seq);
  log.write("{\"seq\":0,\"ti");  // only a torn line
  tail = read_audit_log_tail(log.path);
  EXPECT_TRUE(tail.torn);
  EXPECT_FALSE(tail.last_seq);
  EXPECT_EQ(tail.complete_bytes, 0u);
}

TEST(AuditLog, MalformedLastEntryIsRefused) {
  TempLog log;
  for (const std::string bad : {"not json\n", "{\"seq\":\"1\",\"hash\":\"0x1\"}\n", "{\"seq\":1}\n", "\n",
                                "{\"seq\":1,\"hash\":\"0xzz\"}\n"}) {
    log.write(bad);
    EXPECT_THROW(read_audit_log_tail(log.path), BadInput) << bad;
  }
}

TEST(AuditLog, ConcurrentAppendsChainEveryEntryAndStoreTheirInputs) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zkm31-audit-dir-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "inputs");
  const std::string log = (dir / "log.jsonl").string();
  // Four writers (each its own lock descriptor, as separate processes have) append 25 entries each.
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 25; ++i) {
        const std::string input = (dir / "inputs" / (".w" + std::to_string(w) + "-" + std::to_string(i) + ".json")).string();
        std::ofstream(input) << "{\"writer\":" << w << ",\"i\":" << i << "}";
        append_audit_entry(log, std::nullopt, kMc, kGd, Felt::from_u64(100 * w + i), input, false);
      }
    });
  for (auto& t : writers) t.join();
  std::ifstream in(log);
  std::string line;
  AuditLogTail tail;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    // Each line is the entry its predecessor chains to, no earlier than it (the clock is read under
    // the lock), and its input is stored under its number.
    const auto j = nlohmann::json::parse(line);
    ASSERT_EQ(j["seq"].get<uint64_t>(), n);
    EXPECT_GE(j["time"].get<uint64_t>(), tail.last_time_ms);
    tail.last_time_ms = j["time"].get<uint64_t>();
    const AuditEntry e = next_audit_entry(tail, j["time"].get<uint64_t>(), kMc, kGd, Felt::parse(j["io_commitment"].get<std::string>()));
    EXPECT_EQ(audit_entry_line(e), line);
    EXPECT_TRUE(fs::exists(dir / "inputs" / (std::to_string(n) + ".json"))) << n;
    tail.last_seq = e.seq, tail.last_hash = e.hash;
    ++n;
  }
  EXPECT_EQ(n, 100u);
  // A clock behind the last entry (a step back) gives the last entry's time.
  const AuditEntry future = append_audit_entry(log, tail.last_time_ms + 3600000, kMc, kGd, Felt::from_u64(9), "", false);
  EXPECT_EQ(append_audit_entry(log, std::nullopt, kMc, kGd, Felt::from_u64(9), "", false).time_ms, future.time_ms);
  tail = read_audit_log_tail(log);
  // A torn last line is refused, then cut with repair; a sealed input keeps its .age suffix.
  std::ofstream(log, std::ios::app) << "{\"seq\":102,\"ti";
  const std::string sealed = (dir / "inputs" / ".x.json.age").string();
  std::ofstream(sealed) << "age";
  EXPECT_THROW(append_audit_entry(log, 1, kMc, kGd, Felt::from_u64(1), sealed, false), BadInput);
  const AuditEntry e = append_audit_entry(log, 1, kMc, kGd, Felt::from_u64(1), sealed, true);
  EXPECT_EQ(e.seq, 102u);
  EXPECT_EQ(e.prev, tail.last_hash);
  EXPECT_TRUE(fs::exists(dir / "inputs" / "102.json.age"));
  EXPECT_FALSE(read_audit_log_tail(log).torn);
  // A missing input file appends nothing.
  EXPECT_THROW(append_audit_entry(log, 1, kMc, kGd, Felt::from_u64(1), (dir / "nope.json").string(), false), BadInput);
  EXPECT_EQ(*read_audit_log_tail(log).last_seq, 102u);
  fs::remove_all(dir);
}

}  // namespace
