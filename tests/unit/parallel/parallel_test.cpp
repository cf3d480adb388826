#include "parallel/parallel.hpp"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <numeric>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace zkm31;

namespace {

// Restores the thread count after a test changes it.
struct Threads {
  explicit Threads(size_t n) { parallel::set_thread_count(n); }
  ~Threads() { parallel::set_thread_count(0); }
};

// Every index in [0, n) is visited exactly once.
void expect_cover(size_t n, size_t grain) {
  std::vector<std::atomic<int>> hits(n);
  parallel::for_range(n, grain, [&](size_t b, size_t e) {
    ASSERT_LE(b, e);
    for (size_t i = b; i < e; ++i) hits[i]++;
  });
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n " << n << " i " << i;
}

}  // namespace

TEST(Parallel, CoversEveryIndexOnce) {
  for (size_t threads : {1, 2, 3, 8}) {
    Threads t(threads);
    for (size_t n : {0, 1, 2, 7, 100, 1001})
      for (size_t grain : {0, 1, 3, 64}) expect_cover(n, grain);
  }
}

TEST(Parallel, SumMatchesSerial) {
  Threads t(4);
  std::vector<uint64_t> v(100000);
  std::iota(v.begin(), v.end(), 1);
  std::atomic<uint64_t> sum{0};
  parallel::for_range(v.size(), 16, [&](size_t b, size_t e) {
    uint64_t s = 0;
    for (size_t i = b; i < e; ++i) s += v[i];
    sum += s;
  });
  EXPECT_EQ(sum.load(), v.size() * (v.size() + 1) / 2);
}

TEST(Parallel, UsesSeveralThreadsAndReusesThem) {
  Threads t(3);
  std::mutex m;
  std::set<pid_t> tids;  // kernel thread ids: a new thread never reuses a live or recent one
  for (int round = 0; round < 200; ++round) {
    parallel::for_range(3, 1, [&](size_t, size_t) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      std::lock_guard lock(m);
      tids.insert(pid_t(syscall(SYS_gettid)));
    });
  }
  // The calling thread plus the pool's workers (at most 7: earlier tests asked for 8 threads),
  // not new threads on each of the 200 calls.
  EXPECT_GE(tids.size(), 2u);
  EXPECT_LE(tids.size(), 8u);
}

TEST(Parallel, GrainKeepsSmallLoopsInline) {
  Threads t(4);
  std::set<std::thread::id> ids;
  parallel::for_range(10, 100, [&](size_t b, size_t e) {
    EXPECT_EQ(b, 0u);
    EXPECT_EQ(e, 10u);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ids, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(Parallel, ExceptionPropagates) {
  Threads t(4);
  EXPECT_THROW(parallel::for_range(1000, 1,
                                   [&](size_t b, size_t) {
                                     if (b >= 500) throw std::runtime_error("chunk failed");
                                   }),
               std::runtime_error);
  // The pool stays usable after a failed loop.
  expect_cover(1000, 1);
}

TEST(Parallel, NestedCallsRunInlineWithoutDeadlock) {
  Threads t(4);
  std::vector<std::atomic<int>> hits(64 * 64);
  parallel::for_range(64, 1, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)
      parallel::for_range(64, 1, [&](size_t bb, size_t ee) {
        for (size_t j = bb; j < ee; ++j) hits[i * 64 + j]++;
      });
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

TEST(Parallel, ConcurrentCallersFromSeveralThreads) {
  Threads t(2);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        std::atomic<size_t> count{0};
        parallel::for_range(1000, 10, [&](size_t b, size_t e) { count += e - b; });
        if (count != 1000) failures++;
      }
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Parallel, ManySmallCallsAreCheap) {
  Threads t(2);
  std::atomic<size_t> total{0};
  auto t0 = std::chrono::steady_clock::now();
  for (int round = 0; round < 5000; ++round)
    parallel::for_range(2, 1, [&](size_t b, size_t e) { total += e - b; });
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(total.load(), 10000u);
  EXPECT_LT(s, 2.0);  // thread creation per call would be far slower on a loaded machine
}

TEST(Parallel, ThreadCountOverride) {
  {
    Threads t(5);
    EXPECT_EQ(parallel::thread_count(), 5u);
  }
  EXPECT_GE(parallel::thread_count(), 1u);
}

TEST(Parallel, WorksInAForkedChild) {
  // The bench runner forks after the parent may have started workers; the child has none of them.
  Threads t(2);
  expect_cover(100, 1);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::atomic<size_t> count{0};
    parallel::for_range(1000, 1, [&](size_t b, size_t e) { count += e - b; });
    _exit(count == 1000 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}
