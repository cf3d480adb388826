#include "prove/cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "file/mapped.hpp"

namespace zkm31::prove {
namespace fs = std::filesystem;

namespace {

constexpr const char* kWeightCommitment = "weight-commitment";

void warn(const std::string& what, const std::string& msg) {
  std::fprintf(stderr, "warning: %s cache: %s\n", what.c_str(), msg.c_str());
}

// Creates dir and its missing parents with mode 0700 (the cache is private); an existing dir is kept.
void make_private_dir(const fs::path& dir) {
  if (dir.empty() || fs::is_directory(dir)) return;
  make_private_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && !fs::is_directory(dir))
    throw std::runtime_error("cannot create " + dir.string());
}

// Owner-only file (0600) written beside the target, then renamed over it: readers see the old file or
// the whole new one, never a partial write.
void write_atomic(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  const bool ok = ::close(fd) == 0 && done == bytes.size();
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace

std::string default_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return (fs::path(xdg) / "zkm31").string();
  const char* home = std::getenv("HOME");
  if (home && *home) return (fs::path(home) / ".cache" / "zkm31").string();
  return "";
}

std::string cache_file(const std::string& dir, std::span<const uint8_t> key, std::string_view suffix) {
  return (fs::path(dir) / (artifact::hex(artifact::checksum(key)) + std::string(suffix))).string();
}

std::string codeword_path(const std::string& commitment_path) {
  return fs::path(commitment_path).replace_extension(".codeword").string();
}

std::string values_path(const std::string& commitment_path) {
  return fs::path(commitment_path).replace_extension(".values").string();
}

std::string cache_path(const std::string& dir, std::span<const M31> values, const pcs::Config& c) {
  // Key = XXH3-128 of (XXH3-128 of the values, config words): one pass over the values.
  const auto v = pcs::values_digest(values);
  std::vector<uint8_t> key(v.begin(), v.end());
  for (uint32_t w : {c.log_blowup, c.queries, c.pow_bits, c.fold_step, c.final_log, c.first_fold})
    for (int i = 0; i < 4; ++i) key.push_back(uint8_t(w >> (8 * i)));
  return cache_file(dir, key, ".commitment");
}

bool read_cached(const std::string& path, const std::string& what,
                 const std::function<void(std::span<const uint8_t>)>& use) {
  if (!fs::exists(path)) return false;
  try {
    const file::Mapped mapped(path);
    use(mapped.bytes());
    return true;
  } catch (const std::exception& e) {
    warn(what, "ignoring " + path + " (" + e.what() + "); recomputing");
    return false;
  }
}

bool write_cached(const std::string& path, const std::string& what, std::span<const uint8_t> bytes) {
  try {
    make_private_dir(fs::path(path).parent_path());
    write_atomic(path, bytes);
    return true;
  } catch (const std::exception& e) {
    warn(what, std::string("not saved: ") + e.what());
    return false;
  }
}

namespace {

// Every file mapping handed to a commitment (codewords, values); expired entries are pruned as new ones come.
struct MappedFiles {
  std::mutex lock;
  std::vector<std::weak_ptr<const file::Mapped>> live;

  void add(const std::shared_ptr<const file::Mapped>& m) {
    std::lock_guard<std::mutex> g(lock);
    std::erase_if(live, [](const auto& w) { return w.expired(); });
    live.push_back(m);
  }
  void release() {
    std::lock_guard<std::mutex> g(lock);
    for (const auto& w : live)
      if (auto m = w.lock()) m->release();
  }
};

MappedFiles& mapped_files() {
  static MappedFiles registry;
  return registry;
}

std::span<const uint8_t> bytes_of(std::span<const M31> v) { return {reinterpret_cast<const uint8_t*>(v.data()), 4 * v.size()}; }

// The commitment of `values` from a saved header and the codeword file `words` (open on fd when
// given), the codeword mapped and dropped from the resident set once load() has checked it.
pcs::Committed load_mapped(std::span<const uint8_t> header, const std::string& words, std::vector<M31>&& values,
                           const pcs::Config& config, int fd = -1) {
  auto mapped = fd >= 0 ? std::make_shared<const file::Mapped>(fd, false) : std::make_shared<const file::Mapped>(words, false);
  if (!mapped->ok()) throw BadInput("cannot read " + words);
  const std::span<const uint8_t> bytes = mapped->bytes();
  if (bytes.size() % 4) throw BadInput(words + ": length is not a multiple of 4");
  const std::span<const M31> codeword(reinterpret_cast<const M31*>(bytes.data()), bytes.size() / 4);
  pcs::Committed c = pcs::load(header, codeword, mapped, std::move(values), config,
                               [&](std::span<const M31> block) { mapped->release(bytes_of(block)); });
  mapped->release();
  mapped_files().add(mapped);
  return c;
}

std::span<const uint8_t> codeword_bytes(const pcs::Stored& s) {
  return {reinterpret_cast<const uint8_t*>(s.codeword.data()), 4 * s.codeword.size()};
}


// Moves c's values into the file at `path` (fd: open on it already, else opened here), mapped: the
// pages a proof pass reads can then leave the resident set (release_mapped_codewords) instead of
// the whole vector staying in memory. False (c unchanged) if the file does not hold them.
bool relocate_to_file(pcs::Committed& c, const std::string& path, int fd = -1) {
  auto mapped = fd >= 0 ? std::make_shared<const file::Mapped>(fd, false) : std::make_shared<const file::Mapped>(path, false);
  const std::span<const uint8_t> bytes = mapped->bytes(), want = bytes_of(c.values());
  if (!mapped->ok() || bytes.size() != want.size()) return false;
  try {  // compared a block at a time, each block's pages dropped after
    c.relocate_values({reinterpret_cast<const M31*>(bytes.data()), c.values().size()}, mapped,
                      [&](std::span<const M31> block) { mapped->release(bytes_of(block)); });
  } catch (const std::logic_error&) {
    mapped->release();
    return false;
  }
  mapped_files().add(mapped);
  return true;
}

// The weight commitment's values beside its cache files (`<key>.values`), written once and reused.
void relocate_cached_values(pcs::Committed& c, const std::string& commitment_path) {
  const std::string path = values_path(commitment_path);
  if (fs::exists(path)) {
    if (relocate_to_file(c, path)) return;
    warn(kWeightCommitment, "ignoring " + path + " (not the committed values); rewriting");
  }
  if (write_cached(path, kWeightCommitment, bytes_of(c.values())) && !relocate_to_file(c, path))
    warn(kWeightCommitment, "cannot map " + path + " back; values kept in memory");
}

}  // namespace

pcs::Committed commit_cached(std::vector<M31> values, const pcs::Config& config, const std::string& dir, bool* hit) {
  static_assert(std::endian::native == std::endian::little && sizeof(M31) == 4, "codeword file = M31 words in memory");
  if (hit) *hit = false;
  if (dir.empty()) return pcs::commit(std::move(values), config);
  const std::string path = cache_path(dir, values, config), words = codeword_path(path);
  std::optional<pcs::Committed> c;
  if (read_cached(path, kWeightCommitment,
                  [&](std::span<const uint8_t> header) { c = load_mapped(header, words, std::move(values), config); })) {
    if (hit) *hit = true;
    relocate_cached_values(*c, path);
    return std::move(*c);
  }
  c = pcs::commit(std::move(values), config);
  const pcs::Stored stored = pcs::save(*c);
  // The codeword first: a header is only ever beside the codeword it was saved with, or an older one
  // that fails its root check.
  if (!write_cached(words, kWeightCommitment, codeword_bytes(stored)) || !write_cached(path, kWeightCommitment, stored.header))
    return std::move(*c);
  std::vector<M31> kept = std::move(*c).take_values();
  c.reset();  // the in-memory codeword and tree
  try {
    pcs::Committed out = load_mapped(stored.header, words, std::move(kept), config);
    relocate_cached_values(out, path);
    return out;
  } catch (const std::exception& e) {
    warn(kWeightCommitment, "cannot map " + words + " back (" + e.what() + "); recomputing");
    return pcs::commit(std::move(kept), config);
  }
}

pcs::Committed commit_spilled(std::vector<M31> values, const pcs::Config& config, const std::string& dir) {
  std::optional<pcs::Committed> c = pcs::commit(std::move(values), config);
  if (dir.empty()) return std::move(*c);
  static std::atomic<uint64_t> serial{0};
  const std::string stem = (fs::path(dir) / ("spill-" + std::to_string(::getpid()) + "-" + std::to_string(serial++))).string();
  const std::string words = stem + ".codeword", vals = stem + ".values";
  // Written, opened, unlinked: the mappings keep the pages and nothing is left behind.
  const auto spill = [](const std::string& path, std::span<const uint8_t> bytes) {
    write_atomic(path, bytes);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ::unlink(path.c_str());
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    return fd;
  };
  std::optional<pcs::Committed> out;
  try {
    const pcs::Stored stored = pcs::save(*c);
    make_private_dir(dir);
    const int fd = spill(words, codeword_bytes(stored));
    std::vector<M31> kept = std::move(*c).take_values();
    c.reset();  // the in-memory codeword goes before the mapped one is read in
    try {
      out = load_mapped(stored.header, words, std::move(kept), config, fd);
    } catch (...) {
      out = pcs::commit(std::move(kept), config);  // load() moves the values only when it succeeds
    }
    ::close(fd);
  } catch (const std::exception& e) {
    if (!c) throw;  // nothing left to fall back on
    warn("trace", std::string("codeword kept in memory: ") + e.what());
    return std::move(*c);
  }
  try {
    const int fd = spill(vals, bytes_of(out->values()));
    const bool moved = relocate_to_file(*out, vals, fd);
    ::close(fd);
    if (!moved) throw std::runtime_error("cannot map " + vals + " back");
  } catch (const std::exception& e) {
    warn("trace", std::string("values kept in memory: ") + e.what());
  }
  return std::move(*out);
}

void release_mapped_codewords() { mapped_files().release(); }

}  // namespace zkm31::prove
