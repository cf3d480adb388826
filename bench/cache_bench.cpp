// Model-commitment cache: reloading a cached 2^24-entry commitment (the 4096×4096 weights of
// commit_weights_4096x4096) against committing it, through prove::commit_cached as gkr-prove does.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "bench.hpp"
#include "prove/cache.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {

bench::Result commit_weights_cached() {
  std::mt19937 rng(7);
  std::vector<M31> values(size_t(1) << 24);
  for (auto& v : values) v = M31(rng() % 255);  // int8 weights as residues: the size is what matters
  const prove::Options opt;
  const auto dir = std::filesystem::temp_directory_path() / ("zkm31-cache-bench-" + std::to_string(::getpid()));
  const auto t0 = std::chrono::steady_clock::now();
  bool hit = true;
  prove::commit_cached(values, opt.pcs, dir.string(), &hit);  // commit + save
  const double first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double reload = bench::time_median(3, [&] {
    prove::commit_cached(values, opt.pcs, dir.string(), &hit);
    if (!hit) throw std::runtime_error("cache miss on reload");
  });
  const std::string header = prove::cache_path(dir.string(), values, opt.pcs);
  const auto bytes = std::filesystem::file_size(header) + std::filesystem::file_size(prove::codeword_path(header));
  std::filesystem::remove_all(dir);
  bench::Result r;
  r.seconds = reload;
  r.throughput = double(values.size()) / reload;
  char note[160];
  std::snprintf(note, sizeof note, "reload of 2^24 from %.0f MB of cache files (codeword mapped); first run (commit+save) %.2f s", double(bytes) / 1e6, first);
  r.note = note;
  return r;
}

}  // namespace

ZKM31_BENCH("commit_weights_4096x4096_cached", commit_weights_cached);
