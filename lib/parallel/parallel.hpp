#pragma once
// Data-parallel loops over one process-wide pool of worker threads.
#include <cstddef>
#include <functional>

namespace zkm31::parallel {

// Number of threads used by parallel_for (ZKM31_THREADS or the core count; at least 1).
size_t thread_count();
// Overrides the thread count (e.g. from a --threads flag); 0 restores the default.
void set_thread_count(size_t n);

// Calls body(begin, end) on disjoint chunks covering [0, n), in parallel on the persistent worker
// threads (created on first use) and the calling thread. Chunks are at least `grain` long so that
// tiny loops stay on the calling thread; the split into chunks (a few per thread) depends only
// on n, grain and thread_count(), not on which thread runs which chunk. Returns when all chunks are done; the first exception thrown by a chunk is
// rethrown here. A for_range called from inside a body, or while another thread's loop occupies
// the pool, runs inline on the calling thread (no deadlock).
void for_range(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body);

}  // namespace zkm31::parallel
