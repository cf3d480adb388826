#include "file/write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "error/error.hpp"

namespace zkm31::file {

void write_fd(int fd, std::span<const uint8_t> bytes, const std::string& what) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw BadInput("cannot write " + what + ": " + std::strerror(errno));
    }
    done += size_t(n);
  }
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw BadInput("cannot open directory '" + dir + "': " + std::strerror(errno));
  int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) throw BadInput("cannot fsync directory '" + dir + "': " + std::strerror(errno));
}

void replace_file(const std::string& path, std::initializer_list<std::span<const uint8_t>> pieces, mode_t mode,
                  bool durable) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw BadInput("cannot create '" + tmp + "': " + std::strerror(errno));
  try {
    for (auto bytes : pieces) write_fd(fd, bytes, "'" + tmp + "'");
    if (durable && ::fsync(fd) != 0) throw BadInput("cannot fsync '" + tmp + "': " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw BadInput("cannot rename to '" + path + "': " + std::strerror(err));
  }
  if (durable) {
    std::string parent = std::filesystem::path(path).parent_path().string();
    fsync_dir(parent.empty() ? "." : parent);
  }
}

}  // namespace zkm31::file
