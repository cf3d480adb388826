#include "vm31/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error/error.hpp"
#include "file/write.hpp"

namespace zkm31::vm31 {
namespace {

std::string error_text() { return std::strerror(errno); }

}  // namespace

void check_private(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw BadInput(what + " '" + path + "': " + error_text());
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", unsigned(st.st_mode & 0777));
    throw BadInput(what + " '" + path + "' has mode " + mode + ": it must not be readable by group or others (chmod " +
                   (S_ISDIR(st.st_mode) ? "700" : "600") + ")");
  }
}

void make_private_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw BadInput("cannot create directory '" + dir + "': " + error_text());
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw BadInput("'" + dir + "' is not a directory");
  check_private(dir, "directory");
}

void write_private(const std::string& path, std::span<const uint8_t> bytes) { file::replace_file(path, {bytes}, 0600, true); }

std::vector<uint8_t> read_file(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw BadInput("cannot open " + what + " '" + path + "': " + error_text());
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = error_text();
      ::close(fd);
      throw BadInput("cannot read " + what + " '" + path + "': " + err);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

}  // namespace zkm31::vm31
