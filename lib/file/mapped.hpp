#pragma once
// A regular file mapped read-only: its page-cache pages are used in place, with no copy (a 135 MB
// trace maps in ~15 ms; reading it into a buffer took 110–150 ms). Mappings are page-aligned, so a file
// of u32 words can be read as M31s where it lies.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace zkm31::file {

class Mapped {
 public:
  // Maps the regular, non-empty file open on fd (the descriptor stays the caller's); otherwise, or if
  // the mapping fails, the result holds nothing (ok() is false). `populate` reads every page in at once
  // (right for a file read whole); without it pages are read as they are touched.
  explicit Mapped(int fd, bool populate = true);
  // The same for a path (nothing if it cannot be opened).
  explicit Mapped(const std::string& path, bool populate = true);
  ~Mapped();
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;

  bool ok() const { return data_ != nullptr; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Drops the mapped pages from the process's resident set (they stay in the page cache, and a later
  // read faults them back in): a large file read once whole, then only here and there, stops counting.
  void release() const;
  // The same for the whole pages inside `part` (a span of bytes()).
  void release(std::span<const uint8_t> part) const;

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace zkm31::file
