// The pool state directory: replay, the nullifier set, the root window, and crash safety (a log cut
// at any byte reloads to the prefix of whole records; damage before the end is refused).
#include <gtest/gtest.h>

#include <fstream>

#include "error/error.hpp"
#include "support.hpp"
#include "vm31/files.hpp"
#include "vm31/pool.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

namespace {

Digest digest_of(uint32_t seed) {
  Digest d;
  for (size_t i = 0; i < d.size(); ++i) d[i] = M31(seed * 31 + uint32_t(i));
  return d;
}

PoolEntry entry(uint32_t seed, size_t nullifiers, size_t outputs) {
  PoolEntry e;
  e.kind = nullifiers ? TxKind::transfer : TxKind::deposit;
  for (size_t i = 0; i < nullifiers; ++i) e.nullifiers.push_back(digest_of(1000 + seed * 2 + uint32_t(i)));
  for (size_t i = 0; i < outputs; ++i) {
    PoolOutput o{digest_of(seed * 2 + uint32_t(i)), {}};
    o.memo.fill(uint8_t(seed + i));
    e.outputs.push_back(o);
  }
  return e;
}

void write_bytes(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace

TEST(Vm31Pool, AppendReplayAndRules) {
  TempDir tmp;
  const std::string dir = tmp / "pool";
  Digest empty_root;
  {
    PoolState pool(dir);
    empty_root = pool.tree().root();
    pool.append(entry(1, 0, 1));
    pool.append(entry(2, 2, 2));
    EXPECT_EQ(pool.tree().size(), 3u);
    EXPECT_TRUE(pool.is_spent(digest_of(1004)));
    EXPECT_THROW(pool.append(entry(2, 2, 0)), BadInput);  // the same nullifiers again
    PoolEntry twice = entry(3, 2, 0);
    twice.nullifiers[1] = twice.nullifiers[0];
    EXPECT_THROW(pool.append(twice), BadInput);
  }
  PoolState again(dir);
  EXPECT_EQ(again.entries().size(), 2u);
  EXPECT_EQ(again.tree().size(), 3u);
  EXPECT_EQ(again.first_leaf(1), 1u);
  EXPECT_TRUE(again.is_spent(digest_of(1005)));
  EXPECT_TRUE(again.is_recent_root(empty_root));
  EXPECT_TRUE(again.is_recent_root(again.tree().root()));
  EXPECT_FALSE(again.is_recent_root(digest_of(7)));
}

TEST(Vm31Pool, RootWindowForgetsOldRoots) {
  TempDir tmp;
  PoolState pool(tmp / "pool");
  Digest first = pool.tree().root();
  for (uint32_t i = 0; i < kRootWindow - 1; ++i) pool.append(entry(10 + i, 0, 1));
  EXPECT_TRUE(pool.is_recent_root(first));
  pool.append(entry(500, 0, 1));
  EXPECT_FALSE(pool.is_recent_root(first));
}

TEST(Vm31Pool, LogCutAtEveryByteReloadsToAPrefix) {
  TempDir tmp;
  const std::string dir = tmp / "pool";
  std::vector<Digest> roots;  // root after k whole records
  std::vector<uint64_t> ends = {0};
  {
    PoolState pool(dir);
    roots.push_back(pool.tree().root());
    for (auto e : {entry(1, 0, 1), entry(2, 2, 2), entry(3, 1, 1)}) {
      pool.append(e);
      roots.push_back(pool.tree().root());
      ends.push_back(pool.log_bytes());
    }
  }
  const auto full = read_file(dir + "/log", "log");
  ASSERT_EQ(full.size(), ends.back());
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    write_bytes(dir + "/log", std::span(full).first(cut));
    PoolState pool(dir);
    size_t whole = 0;
    while (whole + 1 < ends.size() && ends[whole + 1] <= cut) ++whole;
    ASSERT_EQ(pool.entries().size(), whole) << cut;
    ASSERT_EQ(pool.tree().root(), roots[whole]) << cut;
    ASSERT_EQ(pool.log_bytes(), ends[whole]) << cut;
  }
  // The next append cuts the partial record off and continues from the prefix.
  write_bytes(dir + "/log", std::span(full).first(ends[1] + 5));
  {
    PoolState pool(dir);
    pool.append(entry(9, 0, 1));
  }
  PoolState pool(dir);
  EXPECT_EQ(pool.entries().size(), 2u);
  EXPECT_EQ(read_file(dir + "/log", "log").size(), pool.log_bytes());
}

TEST(Vm31Pool, DamageBeforeTheEndIsRefused) {
  TempDir tmp;
  const std::string dir = tmp / "pool";
  {
    PoolState pool(dir);
    pool.append(entry(1, 0, 1));
    pool.append(entry(2, 0, 1));
  }
  const auto full = read_file(dir + "/log", "log");
  auto bad = full;
  bad[40] ^= 1;  // inside the first record's payload
  write_bytes(dir + "/log", bad);
  EXPECT_THROW(PoolState{dir}, BadInput);
  bad = full;
  bad[0] = 'X';  // header magic
  write_bytes(dir + "/log", bad);
  EXPECT_THROW(PoolState{dir}, BadInput);
  // A damaged last record is a torn write: the prefix stays usable.
  bad = full;
  bad[full.size() - 3] ^= 1;
  write_bytes(dir + "/log", bad);
  EXPECT_EQ(PoolState(dir).entries().size(), 1u);
}

TEST(Vm31Pool, AnotherWritersRecordsAreNotOverwritten) {
  TempDir tmp;
  const std::string dir = tmp / "pool";
  PoolState a(dir), b(dir);
  a.append(entry(1, 0, 1));
  EXPECT_THROW(b.append(entry(2, 0, 1)), BadInput);  // b's view is stale
  EXPECT_EQ(PoolState(dir).entries().size(), 1u);
}
