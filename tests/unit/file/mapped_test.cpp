// Mapped holds a regular, non-empty file's bytes in place and nothing otherwise (empty file, missing
// path, a FIFO), so callers fall back to reading.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "file/mapped.hpp"

using namespace zkm31;

namespace {
std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("zkm31_mapped_" + std::to_string(::getpid()) + "_" + name);
}
}  // namespace

TEST(Mapped, RegularFileInPlaceAndNothingElse) {
  const auto p = temp_path("file");
  FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("zkm31", f);
  std::fclose(f);
  const file::Mapped m(p.string());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.bytes().data()), m.bytes().size()), "zkm31");

  std::filesystem::resize_file(p, 0);
  EXPECT_FALSE(file::Mapped(p.string()).ok());
  std::filesystem::remove(p);
  EXPECT_FALSE(file::Mapped(p.string()).ok());

  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(file::Mapped(fd).ok());
  ::close(fd);
  std::filesystem::remove(p);
}

// Released pages leave the process's resident set (RssFile) and read back the same bytes; a part
// with no whole page inside releases nothing.
TEST(Mapped, ReleasedPagesLeaveMemoryAndReadBack) {
  const auto p = temp_path("pages");
  const size_t mb = size_t(1) << 20, size = 32 * mb;
  std::string content(size, '\0');
  for (size_t i = 0; i < size; ++i) content[i] = char(i * 7 + 3);
  FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(content.data(), 1, size, f);
  std::fclose(f);
  auto rss_file_mb = [] {
    std::ifstream st("/proc/self/status");
    for (std::string line; std::getline(st, line);)
      if (line.rfind("RssFile:", 0) == 0) return std::stod(line.substr(8)) / 1024;
    return -1.0;
  };
  const file::Mapped m(p.string(), true);
  ASSERT_TRUE(m.ok());
  const double full = rss_file_mb();
  m.release(m.bytes().subspan(0, 16 * mb));
  EXPECT_LT(rss_file_mb(), full - 15);
  const double half = rss_file_mb();
  m.release(m.bytes().subspan(20 * mb + 1, 4000));  // no whole page inside
  EXPECT_GT(rss_file_mb(), half - 1);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.bytes().data()), size), content);
  m.release();
  EXPECT_LT(rss_file_mb(), full - 31);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.bytes().data()), size), content);
  std::filesystem::remove(p);
}
