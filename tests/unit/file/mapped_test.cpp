// Mapped holds a regular, non-empty file's bytes in place and nothing otherwise (empty file, missing
// path, a FIFO), so callers fall back to reading.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

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
