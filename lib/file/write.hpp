#pragma once
// Writing files so that a failure or a crash never leaves a half-written one in place.
#include <sys/types.h>

#include <initializer_list>
#include <span>
#include <string>

namespace zkm31::file {

// Writes every byte to fd, retrying short writes; BadInput naming `what` on failure.
void write_fd(int fd, std::span<const uint8_t> bytes, const std::string& what);

// Replaces `path` with a new regular file holding the pieces one after the other: written to a
// temporary file beside it (created with `mode`, less the umask), then renamed over it. `durable`
// fsyncs the file before the rename and the directory after, so that a crash keeps the old or the
// new contents. BadInput on failure, with the temporary file removed.
void replace_file(const std::string& path, std::initializer_list<std::span<const uint8_t>> pieces, mode_t mode,
                  bool durable);

// fsync of a directory (makes a rename or a new entry in it durable).
void fsync_dir(const std::string& dir);

}  // namespace zkm31::file
