#include "parallel/parallel.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace zkm31::parallel {
namespace {

size_t default_threads() {
  if (const char* env = std::getenv("ZKM31_THREADS")) {
    long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

std::atomic<size_t> g_override{0};
constexpr size_t kChunksPerThread = 4;

// True while this thread runs a chunk: a nested for_range then runs inline instead of waiting
// for workers that are all busy with the outer loop.
thread_local bool t_in_chunk = false;

// One for_range call: `chunks` contiguous pieces of [0, n), claimed through `next`.
struct Job {
  const std::function<void(size_t, size_t)>* body;
  size_t n, chunks;
  std::atomic<size_t> next{0};
  std::atomic<size_t> left;  // chunks not finished yet
  std::mutex error_mutex;
  std::exception_ptr error;

  Job(const std::function<void(size_t, size_t)>& b, size_t n_, size_t c) : body(&b), n(n_), chunks(c), left(c) {}

  // Runs chunks until none is left; true if this call finished the last one.
  bool work() {
    bool finished_last = false;
    t_in_chunk = true;
    for (size_t c; (c = next.fetch_add(1)) < chunks;) {
      try {
        (*body)(n * c / chunks, n * (c + 1) / chunks);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      if (left.fetch_sub(1) == 1) finished_last = true;
    }
    t_in_chunk = false;
    return finished_last;
  }
};

// Worker threads created once (grown when more threads are asked for) and parked on a condition
// variable between jobs. One job runs at a time; a caller that finds the pool busy runs inline.
class Pool {
 public:
  void run(Job& job, size_t threads) {
    grow(threads - 1);
    {
      std::lock_guard lock(mutex_);
      job_ = &job;
      ++generation_;
    }
    wake_.notify_all();
    job.work();
    std::unique_lock lock(mutex_);
    // Wait for every chunk and for every worker that joined: none may touch `job` afterwards.
    done_.wait(lock, [&] { return job.left.load() == 0 && joined_ == 0; });
    job_ = nullptr;
  }

  std::mutex dispatch;  // held by the thread whose job occupies the pool

 private:
  void grow(size_t workers) {
    while (workers_.size() < workers) workers_.emplace_back([this] { loop(); });
  }

  void loop() {
    uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return job_ && generation_ != seen; });
      seen = generation_;
      Job* job = job_;
      ++joined_;
      lock.unlock();
      job->work();
      lock.lock();
      --joined_;
      if (job->left.load() == 0 && joined_ == 0) done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  Job* job_ = nullptr;
  uint64_t generation_ = 0;
  size_t joined_ = 0;
  std::vector<std::thread> workers_;
};

// The process's pool. Never destroyed (workers park forever; exit ends them), and replaced in a
// forked child, which inherits the pool object but none of its threads.
Pool& pool() {
  static std::mutex m;
  static Pool* p = nullptr;
  static pid_t owner = 0;
  std::lock_guard lock(m);
  if (!p || owner != getpid()) {
    p = new Pool;
    owner = getpid();
  }
  return *p;
}

}  // namespace

size_t thread_count() {
  size_t n = g_override.load();
  if (n) return n;
  static const size_t def = default_threads();
  return def;
}

void set_thread_count(size_t n) { g_override.store(n); }

void for_range(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  size_t threads = std::min(thread_count(), (n + grain - 1) / grain);
  if (threads <= 1 || t_in_chunk) {
    body(0, n);
    return;
  }
  Pool& p = pool();
  std::unique_lock busy(p.dispatch, std::try_to_lock);
  if (!busy.owns_lock()) {  // another thread's loop has the workers
    body(0, n);
    return;
  }
  // Contiguous equal chunks, a few per thread so that a thread slowed down by other processes
  // on the machine leaves its share to the others; the split itself is deterministic.
  const size_t chunks = std::min(threads * kChunksPerThread, (n + grain - 1) / grain);
  Job job(body, n, chunks);
  p.run(job, threads);
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace zkm31::parallel
