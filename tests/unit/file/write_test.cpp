// replace_file: the new contents and mode, pieces in order, and nothing left behind on failure.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "error/error.hpp"
#include "file/write.hpp"

using namespace zkm31;

TEST(ReplaceFile, WritesPiecesWithTheModeAndReplacesAtomically) {
  std::string dir = std::filesystem::temp_directory_path() / ("zkm31_write_test." + std::to_string(::getpid()));
  std::filesystem::create_directory(dir);
  const std::string path = dir + "/f";
  const uint8_t a[] = {'a', 'b'}, b[] = {'c'};
  file::replace_file(path, {a, b}, 0600, true);
  file::replace_file(path, {b, a}, 0600, false);
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "cab");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THROW(file::replace_file(dir + "/missing/f", {a}, 0600, true), BadInput);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temporary left
  std::filesystem::remove_all(dir);
}
