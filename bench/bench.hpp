#pragma once
// `make bench` workloads. Each file registers its workloads with ZKM31_BENCH; the runner executes
// every workload in a child process (so peak memory is per workload) and prints the table.
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace zkm31::bench {

struct Result {
  double seconds = 0;                 // the measured operation (median of repeats where cheap)
  std::optional<double> throughput;   // operations per second, where meaningful
  std::optional<double> ratio;        // seconds ÷ the plain integer forward pass of the same work
  std::optional<double> proof_bytes;  // proof size, where a proof is produced
  std::string note;                   // short free text shown in the table
  // The workload process's own peak resident set, for a workload that runs a helper process first: the
  // child's rusage would report the helper's peak when it is higher (wait4 merges reaped children's).
  std::optional<double> own_peak_rss_mb;
};

using Workload = std::function<Result()>;

struct Register {
  Register(const char* name, Workload fn);
};

// Wall-clock seconds of one call of fn.
template <typename F>
double time_once(F&& fn) {
  auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median wall-clock seconds over `runs` calls of fn.
double time_median(int runs, const std::function<void()>& fn);

// CPU seconds of this process (all threads): shown beside wall time, which a loaded machine inflates.
double cpu_seconds();

// Times fn once, wall and CPU; the CPU figure goes in front of the note.
template <typename F>
double timed(F&& fn, std::string& note) {
  const double c0 = cpu_seconds();
  const double wall = time_once(fn);
  char buf[48];
  std::snprintf(buf, sizeof buf, "cpu %.2f s, ", cpu_seconds() - c0);
  note = buf + note;
  return wall;
}

}  // namespace zkm31::bench

#define ZKM31_BENCH_CAT2(a, b) a##b
#define ZKM31_BENCH_CAT(a, b) ZKM31_BENCH_CAT2(a, b)
#define ZKM31_BENCH(name, fn) static ::zkm31::bench::Register ZKM31_BENCH_CAT(zkm31_bench_, __LINE__)(name, fn)
