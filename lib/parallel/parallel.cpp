#include "parallel/parallel.hpp"

#include <algorithm>
#include <atomic>
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
  if (threads <= 1) {
    body(0, n);
    return;
  }
  // Contiguous equal chunks, one per thread: deterministic split, no shared queue.
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto run_chunk = [&](size_t t) {
    size_t begin = n * t / threads, end = n * (t + 1) / threads;
    try {
      body(begin, end);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(run_chunk, t);
  run_chunk(0);
  for (auto& w : workers) w.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace zkm31::parallel
