#pragma once
// What every zkm31 tool shares (DESIGN.md §1): stdin/-i input, stdout/-o atomic output,
// exit codes, one-line errors, progress on stderr, and a JSON view of any input artifact.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "file/mapped.hpp"

namespace zkm31::cli {

enum Exit : int { kOk = 0, kRejected = 1, kBadInput = 2, kInternal = 3 };

// Common flags: -i/--input, -o/--output, -q/--quiet, --threads, --view.
struct IoOptions {
  std::string input = "-";
  std::string output = "-";
  bool quiet = false;
  bool view = false;
  size_t threads = 0;
};
void add_io_options(CLI::App& app, IoOptions& io, bool has_input = true, bool has_output = true);

// Parses argv and runs body, mapping exceptions to exit codes with "tool: error: message" on stderr.
// If --view was given, prints the input artifact as JSON instead of calling body.
int run(CLI::App& app, int argc, char** argv, IoOptions* io, const std::function<int()>& body);

// Reads a whole file ("-" is stdin). Refuses to read binary from a terminal.
std::vector<uint8_t> read_all(const std::string& path);
// The same bytes without a copy where possible: a regular file (also redirected stdin) is mapped in
// place, anything else (a pipe) is read into memory. For large artifacts (traces, graphs).
class Input {
 public:
  std::span<const uint8_t> bytes() const { return mapped_ ? mapped_->bytes() : std::span<const uint8_t>(read_); }

 private:
  friend Input read_input(const std::string& path);
  std::unique_ptr<file::Mapped> mapped_;
  std::vector<uint8_t> read_;
};
Input read_input(const std::string& path);
// Writes to stdout ("-") or atomically to path (temp file + rename). Refuses binary to a terminal.
void write_all(const std::string& path, std::span<const uint8_t> bytes, bool binary = true);
// The same for bytes given in pieces, written one after the other (nothing is joined in memory).
void write_all(const std::string& path, std::initializer_list<std::span<const uint8_t>> pieces, bool binary = true);
// An artifact envelope around `body` (artifact::wrap), written without copying the body.
void write_artifact(const std::string& path, std::string_view kind, uint32_t version, std::span<const uint8_t> body);

// Progress lines on stderr, silent when quiet.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void line(const std::string& msg) const;
  bool quiet() const { return quiet_; }

 private:
  bool quiet_;
};

// Peak resident memory of this process so far, in MiB (getrusage's ru_maxrss).
double peak_rss_mb();

// Wall-clock seconds since construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace zkm31::cli
