// read_all and read_input return exactly the bytes of a regular file (mapped) and of a FIFO (read in
// chunks and joined), at sizes around the 4 MiB chunk; a missing file is BadInput.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "cli/cli.hpp"
#include "error/error.hpp"

using namespace zkm31;

namespace {

std::vector<uint8_t> random_bytes(size_t n) {
  std::mt19937 g{unsigned(n)};
  std::vector<uint8_t> b(n);
  for (auto& x : b) x = uint8_t(g());
  return b;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("zkm31_read_all_" + std::to_string(::getpid()) + "_" + name);
}

void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!bytes.empty()) {  // fwrite(nullptr, …) is UB
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  }
  std::fclose(f);
}

const size_t kSizes[] = {0, 1, (size_t(1) << 22) - 1, size_t(1) << 22, (size_t(1) << 22) + 1, 9 * (size_t(1) << 20) + 7};

}  // namespace

TEST(ReadAll, RegularFileAtEverySize) {
  for (size_t n : kSizes) {
    const auto p = temp_path("file");
    const auto bytes = random_bytes(n);
    write_file(p, bytes);
    EXPECT_EQ(cli::read_all(p.string()), bytes) << n << " bytes";
    const cli::Input in = cli::read_input(p.string());
    EXPECT_TRUE(std::equal(in.bytes().begin(), in.bytes().end(), bytes.begin(), bytes.end())) << n << " bytes";
    std::filesystem::remove(p);
  }
}

TEST(ReadAll, FifoInChunksAtEverySize) {
  for (size_t n : kSizes) {
    const auto p = temp_path("fifo");
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
    const auto bytes = random_bytes(n);
    std::thread writer([&] { write_file(p, bytes); });
    const auto got = cli::read_all(p.string());
    writer.join();
    EXPECT_EQ(got, bytes) << n << " bytes";
    std::thread writer2([&] { write_file(p, bytes); });
    const cli::Input in = cli::read_input(p.string());
    writer2.join();
    EXPECT_TRUE(std::equal(in.bytes().begin(), in.bytes().end(), bytes.begin(), bytes.end())) << n << " bytes";
    std::filesystem::remove(p);
  }
}

// Redirected stdin already partly consumed is read from where it stands, not mapped from its start.
TEST(ReadAll, StdinFromItsCurrentPosition) {
  const auto p = temp_path("stdin");
  const auto bytes = random_bytes(10000);
  write_file(p, bytes);
  const int saved = ::dup(0), fd = ::open(p.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  for (off_t at : {off_t(0), off_t(3)}) {
    ASSERT_EQ(::lseek(0, at, SEEK_SET), at);
    EXPECT_EQ(cli::read_all("-"), std::vector<uint8_t>(bytes.begin() + at, bytes.end())) << "at " << at;
    ASSERT_EQ(::lseek(0, at, SEEK_SET), at);
    const cli::Input in = cli::read_input("-");
    EXPECT_TRUE(std::equal(in.bytes().begin(), in.bytes().end(), bytes.begin() + at, bytes.end())) << "at " << at;
  }
  ::dup2(saved, 0);
  ::close(saved);
  ::close(fd);
  std::filesystem::remove(p);
}

TEST(ReadAll, MissingFileIsBadInput) {
  EXPECT_THROW(cli::read_all(temp_path("missing").string()), BadInput);
  EXPECT_THROW(cli::read_input(temp_path("missing").string()), BadInput);
}
