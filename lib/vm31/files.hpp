#pragma once
// Files VM31 keeps on disk: owner-only (0600 files in 0700 directories) where they hold secrets,
// and always durable — written to a temporary file, fsync'd, renamed over the old one, the
// directory fsync'd — so a crash leaves the old or the new contents, never a mix.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace zkm31::vm31 {

// Creates the directory with mode 0700 (parents must exist); BadInput if it exists but is not a
// directory or is open to group/others.
void make_private_dir(const std::string& dir);
// BadInput unless `path` exists with no group/other permission bits (`what` names it in the message).
void check_private(const std::string& path, const std::string& what);
// Atomic durable write of a 0600 file.
void write_private(const std::string& path, std::span<const uint8_t> bytes);
// The whole file; BadInput if it cannot be read.
std::vector<uint8_t> read_file(const std::string& path, const std::string& what);

}  // namespace zkm31::vm31
