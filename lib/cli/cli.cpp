#include "cli/cli.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "file/write.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::cli {

void add_io_options(CLI::App& app, IoOptions& io, bool has_input, bool has_output) {
  if (has_input) app.add_option("-i,--input", io.input, "input file, '-' for stdin")->capture_default_str();
  if (has_output) app.add_option("-o,--output", io.output, "output file, '-' for stdout (written atomically)")->capture_default_str();
  app.add_flag("-q,--quiet", io.quiet, "no progress on stderr");
  app.add_option("--threads", io.threads, "worker threads (0: ZKM31_THREADS or all cores)")->capture_default_str();
  if (has_input) app.add_flag("--view", io.view, "print the input artifact as JSON and exit");
}

int run(CLI::App& app, int argc, char** argv, IoOptions* io, const std::function<int()>& body) {
  const std::string name = app.get_name();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kBadInput;
  }
  try {
    if (io) {
      parallel::set_thread_count(io->threads);
      if (io->view) {
        auto bytes = read_all(io->input);
        std::string json = artifact::to_json(bytes, false) + "\n";
        std::fwrite(json.data(), 1, json.size(), stdout);
        return kOk;
      }
    }
    return body();
  } catch (const Rejected& e) {
    std::cerr << name << ": rejected: " << e.what() << "\n";
    return kRejected;
  } catch (const BadInput& e) {
    std::cerr << name << ": error: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::bad_alloc&) {
    std::cerr << name << ": error: out of memory\n";
    return kInternal;
  } catch (const std::exception& e) {
    std::cerr << name << ": internal error: " << e.what() << "\n";
    return kInternal;
  }
}

namespace {

// The descriptor of path, or 0 for "-" (stdin, refused when it is a terminal).
int open_input(const std::string& path) {
  if (path == "-") {
    if (::isatty(0)) throw BadInput("no input: pipe an artifact into stdin or pass -i FILE");
    return 0;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw BadInput("cannot open '" + path + "': " + std::strerror(errno));
  return fd;
}

// Closes an opened input (not stdin) however the read ends.
struct InputFd {
  int fd;
  ~InputFd() {
    if (fd) ::close(fd);
  }
};

// Reads fd to its end in chunks, joined once at the exact size: a growing vector would hold its old
// and new buffers at once, twice the artifact (hundreds of MB for a large model's trace).
std::vector<uint8_t> read_fd(int fd, const std::string& path) {
  constexpr size_t kChunk = size_t(1) << 22;
  std::vector<std::vector<uint8_t>> chunks;
  size_t total = 0;
  for (bool eof = false; !eof;) {
    std::vector<uint8_t> chunk(kChunk);
    size_t filled = 0;
    while (filled < kChunk) {
      const ssize_t n = ::read(fd, chunk.data() + filled, kChunk - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw BadInput("cannot read '" + path + "': " + std::strerror(errno));
      }
      if (n == 0) {
        eof = true;
        break;
      }
      filled += size_t(n);
    }
    chunk.resize(filled);
    total += filled;
    chunks.push_back(std::move(chunk));
  }
  if (chunks.size() == 1) return std::move(chunks[0]);
  std::vector<uint8_t> out;
  out.reserve(total);
  for (auto& c : chunks) {
    out.insert(out.end(), c.begin(), c.end());
    std::vector<uint8_t>().swap(c);
  }
  return out;
}

// The input mapped whole, or null: not a regular file, or (stdin) not at its start, where reading
// must begin at the current position.
std::unique_ptr<file::Mapped> map_whole(int fd) {
  if (::lseek(fd, 0, SEEK_CUR) != 0) return nullptr;
  auto m = std::make_unique<file::Mapped>(fd);
  return m->ok() ? std::move(m) : nullptr;
}

}  // namespace

std::vector<uint8_t> read_all(const std::string& path) {
  const InputFd in{open_input(path)};
  if (const auto mapped = map_whole(in.fd)) return {mapped->bytes().begin(), mapped->bytes().end()};
  return read_fd(in.fd, path);
}

Input read_input(const std::string& path) {
  const InputFd in{open_input(path)};
  Input out;
  out.mapped_ = map_whole(in.fd);
  if (!out.mapped_) out.read_ = read_fd(in.fd, path);
  return out;
}

void write_all(const std::string& path, std::span<const uint8_t> bytes, bool binary) {
  write_all(path, {bytes}, binary);
}

void write_artifact(const std::string& path, std::string_view kind, uint32_t version, std::span<const uint8_t> body) {
  const std::vector<uint8_t> head = artifact::envelope_head(kind, version, body);
  write_all(path, {std::span<const uint8_t>(head), body});
}

void write_all(const std::string& path, std::initializer_list<std::span<const uint8_t>> pieces, bool binary) {
  if (path == "-") {
    if (binary && ::isatty(1)) throw BadInput("refusing to write a binary artifact to a terminal: redirect stdout or pass -o FILE");
    for (auto bytes : pieces) file::write_fd(1, bytes, "stdout");
    return;
  }
  // A device or a FIFO (-o /dev/null, a named pipe) is written in place: renaming a temporary file
  // over it would replace the device with a regular file.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw BadInput("cannot open '" + path + "': " + std::strerror(errno));
    try {
      for (auto bytes : pieces) file::write_fd(fd, bytes, "'" + path + "'");
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    return;
  }
  file::replace_file(path, pieces, 0644, false);
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;  // KiB on Linux
}

void Progress::line(const std::string& msg) const {
  if (quiet_) return;
  std::cerr << msg << "\n";
}

}  // namespace zkm31::cli
