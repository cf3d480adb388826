// write_all: a regular file is written to a temporary name and renamed (nothing half-written); a
// device or a FIFO is written in place and stays what it is (-o /dev/null used to become a file).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "cli/cli.hpp"

using namespace zkm31;

namespace {
const std::vector<uint8_t> kBytes{1, 2, 3, 4, 5};
}

TEST(WriteAll, RegularFileGetsTheBytes) {
  const std::string path = testing::TempDir() + "write_all_regular";
  cli::write_all(path, kBytes);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> got((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(got, kBytes);
  std::filesystem::remove(path);
}

TEST(WriteAll, DevNullStaysADevice) {
  cli::write_all("/dev/null", kBytes);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(WriteAll, FifoIsWrittenInPlace) {
  const std::string path = testing::TempDir() + "write_all_fifo";
  std::filesystem::remove(path);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::vector<uint8_t> got;
  std::thread reader([&] {
    std::ifstream in(path, std::ios::binary);
    got.assign(std::istreambuf_iterator<char>(in), {});
  });
  cli::write_all(path, {std::span<const uint8_t>(kBytes).first(2), std::span<const uint8_t>(kBytes).subspan(2)});
  reader.join();
  EXPECT_EQ(got, kBytes);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  std::filesystem::remove(path);
}
