// SafeTensors files written here byte by byte (the layout of the format's reference description):
// every dtype converts exactly, rows read in place, shards resolve through the index, and every lie a
// header or an index can tell is one BadInput line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "error/error.hpp"
#include "safetensors/safetensors.hpp"

using namespace zkm31;
using safetensors::Checkpoint;
using safetensors::DType;
namespace fs = std::filesystem;

namespace {

struct Tensor {
  std::string name, dtype;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;
};

template <typename T>
std::vector<uint8_t> le(std::initializer_list<T> xs) {
  std::vector<uint8_t> out;
  for (T x : xs)
    for (size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(x) >> (8 * i)));
  return out;
}
std::vector<uint8_t> f32(std::initializer_list<float> xs) {
  std::vector<uint8_t> out;
  for (float x : xs)
    for (uint8_t b : le<uint32_t>({std::bit_cast<uint32_t>(x)})) out.push_back(b);
  return out;
}

std::vector<uint8_t> with_header(const std::string& header, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> file = le<uint64_t>({header.size()});
  file.insert(file.end(), header.begin(), header.end());
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

// An honest file: tensors back to back in the given order.
std::vector<uint8_t> encode(const std::vector<Tensor>& ts, const nlohmann::json& metadata = nullptr) {
  nlohmann::ordered_json h;
  if (!metadata.is_null()) h["__metadata__"] = metadata;
  std::vector<uint8_t> data;
  for (const auto& t : ts) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data.insert(data.end(), t.bytes.begin(), t.bytes.end());
  }
  return with_header(h.dump(), data);
}

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("zkm31-safetensors-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream(path / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return (path / name).string();
  }
  std::string write(const std::string& name, const std::string& text) const {
    return write(name, std::vector<uint8_t>(text.begin(), text.end()));
  }
  fs::path path;
};

// The one-line error parse_header gives for `file`, or "" if it parses.
std::string error_of(const std::vector<uint8_t>& file) {
  try {
    safetensors::parse_header(file, "w.safetensors");
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

std::vector<float> read_all(const Checkpoint& c, const std::string& name) {
  const auto& t = c.tensor(name);
  std::vector<float> out(t.numel);
  c.read(t, out);
  return out;
}

}  // namespace

TEST(SafeTensors, EveryDTypeConvertsExactly) {
  TempDir dir;
  const auto path = dir.write("model.safetensors", encode({
      {"f32", "F32", {2, 2}, f32({1.5f, -2.0f, 0.0f, 3.25e-8f})},
      // 1, −2, 65504 (largest half), 2^−24 (smallest subnormal), −0, +inf
      {"f16", "F16", {6}, le<uint16_t>({0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00})},
      {"bf16", "BF16", {3}, le<uint16_t>({0x3f80, 0xc0a0, 0x0000})},  // 1, −5, 0
      {"i8", "I8", {3}, le<int8_t>({-128, 0, 127})},
      {"i32", "I32", {2}, le<int32_t>({-7, 1 << 20})},
      {"i64", "I64", {2}, le<int64_t>({-3, int64_t(1) << 40})},
  }, {{"format", "pt"}}));
  const auto c = Checkpoint::open(path);
  ASSERT_EQ(c.tensors().size(), 6u);
  EXPECT_EQ(c.tensors()[0].name, "bf16");  // sorted by name
  EXPECT_EQ(read_all(c, "f32"), (std::vector<float>{1.5f, -2.0f, 0.0f, 3.25e-8f}));
  const auto h = read_all(c, "f16");
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.0f);
  EXPECT_EQ(h[2], 65504.0f);
  EXPECT_EQ(h[3], std::ldexp(1.0f, -24));
  EXPECT_TRUE(h[4] == 0.0f && std::signbit(h[4]));
  EXPECT_TRUE(std::isinf(h[5]) && h[5] > 0);
  EXPECT_EQ(read_all(c, "bf16"), (std::vector<float>{1.0f, -5.0f, 0.0f}));
  EXPECT_EQ(read_all(c, "i8"), (std::vector<float>{-128.0f, 0.0f, 127.0f}));
  EXPECT_EQ(read_all(c, "i32"), (std::vector<float>{-7.0f, float(1 << 20)}));
  EXPECT_EQ(read_all(c, "i64"), (std::vector<float>{-3.0f, std::ldexp(1.0f, 40)}));
  EXPECT_EQ(c.tensor("f32").shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(safetensors::dtype_name(c.tensor("bf16").dtype), "BF16");
  EXPECT_FALSE(c.has("missing"));
  EXPECT_THROW(c.tensor("missing"), BadInput);
  std::vector<float> wrong(3);
  EXPECT_THROW(c.read(c.tensor("f32"), wrong), BadInput);

  const auto file = encode({{"x", "F32", {1}, f32({1})}}, {{"format", "pt"}});
  EXPECT_EQ(safetensors::parse_header(file, "m").metadata.at("format"), "pt");
}

TEST(SafeTensors, RowsReadInPlace) {
  TempDir dir;
  std::vector<uint8_t> bytes;
  for (int r = 0; r < 4; ++r)
    for (int k = 0; k < 3; ++k)
      for (uint8_t b : le<uint16_t>({uint16_t(std::bit_cast<uint32_t>(float(10 * r + k)) >> 16)})) bytes.push_back(b);
  // An odd-sized tensor first, so the BF16 data starts unaligned in the file.
  const auto c = Checkpoint::open(dir.write("w.safetensors", encode({{"a", "I8", {1}, {7}}, {"w", "BF16", {4, 3}, bytes}})));
  const auto& w = c.tensor("w");
  EXPECT_EQ(w.row_length(), 3u);
  EXPECT_EQ(w.rows(), 4u);
  std::vector<float> two(6);
  c.read_rows(w, 1, two);
  EXPECT_EQ(two, (std::vector<float>{10, 11, 12, 20, 21, 22}));
  std::vector<float> one(3);
  c.read_rows(w, 3, one);
  EXPECT_EQ(one, (std::vector<float>{30, 31, 32}));
  EXPECT_THROW(c.read_rows(w, 3, two), BadInput);  // past the end
  std::vector<float> partial(4);
  EXPECT_THROW(c.read_rows(w, 0, partial), BadInput);  // not whole rows
  EXPECT_EQ(c.raw(c.tensor("a")).size(), 1u);
}

TEST(SafeTensors, LyingHeadersAreOneLineErrors) {
  const auto honest = encode({{"a", "F32", {2}, f32({1, 2})}, {"b", "F16", {1}, le<uint16_t>({0x3c00})}});
  EXPECT_EQ(error_of(honest), "");
  const auto h = [](const std::string& header, size_t data_bytes) { return with_header(header, std::vector<uint8_t>(data_bytes)); };
  const std::vector<std::pair<std::vector<uint8_t>, std::string>> cases = {
      {{}, "too short"},
      {{1, 2, 3}, "too short"},
      {le<uint64_t>({1000}), "runs past the end"},
      {le<uint64_t>({~uint64_t(0)}), "runs past the end"},
      {std::vector<uint8_t>(honest.begin(), honest.end() - 1), "truncated"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 9), "bytes after the last tensor"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
       "overlaps"},
      {h(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "a hole before it"},
      {h(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "needs 12"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8), "before begin"},
      {h(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", 8), "unknown dtype 'Q4'"},
      {h(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8), "not supported: w.safetensors: tensor 'a': dtype F64"},
      {h(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
       "'a' appears twice"},
      {h(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8), "more elements than 2^64"},
      {h(R"({"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", 0), "more elements than 2^64"},
      {h(R"({"a":{"dtype":"I64","shape":[4611686018427387904],"data_offsets":[0,8]}})", 8), "more than 2^64 bytes"},
      {h(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8), "shape[0] is not a non-negative integer"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0.0,8]}})", 8), "data_offsets[0] is not a non-negative integer"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8), "not a pair"},
      {h(R"({"a":{"dtype":"F32","shape":[2]}})", 8), "missing field 'data_offsets'"},
      {h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}})", 8), "unexpected field 'extra'"},
      {h(R"({"a":[1]})", 0), "tensor 'a' is not an object"},
      {h(R"({"__metadata__":{"n":1}})", 0), "__metadata__.n is not a string"},
      {h(R"({"a":)", 0), "not valid JSON"},
      {h(R"([1,2])", 0), "not a JSON object"},
      {h("", 4), "not a JSON object"},
  };
  for (const auto& [file, expected] : cases) {
    const auto e = error_of(file);
    EXPECT_NE(e.find(expected), std::string::npos) << "expected '" << expected << "', got '" << e << "'";
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  // Trailing spaces after the JSON are the format's padding.
  EXPECT_EQ(error_of(h(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   )", 8)), "");
}

TEST(SafeTensors, ShardedThroughTheIndexAndDirectories) {
  TempDir dir;
  dir.write("model-00001-of-00002.safetensors", encode({{"a", "F32", {1}, f32({1})}, {"b", "F32", {1}, f32({2})}}));
  dir.write("model-00002-of-00002.safetensors", encode({{"c", "F16", {1}, le<uint16_t>({0x4000})}}));
  const auto index = [&](const nlohmann::json& weight_map) {
    return dir.write("model.safetensors.index.json", nlohmann::json{{"metadata", {{"total_size", 10}}}, {"weight_map", weight_map}}.dump());
  };
  index({{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00001-of-00002.safetensors"}, {"c", "model-00002-of-00002.safetensors"}});
  dir.write("model.safetensors", encode({{"z", "F32", {1}, f32({9})}}));
  const auto c = Checkpoint::open(dir.path.string());  // the index wins over model.safetensors
  ASSERT_EQ(c.tensors().size(), 3u);
  EXPECT_EQ(read_all(c, "b"), std::vector<float>{2});
  EXPECT_EQ(read_all(c, "c"), std::vector<float>{2});
  EXPECT_NE(c.tensor("c").shard, c.tensor("a").shard);

  const auto error = [&](const nlohmann::json& weight_map) -> std::string {
    try {
      Checkpoint::open(index(weight_map));
    } catch (const BadInput& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error({{"a", "model-00001-of-00002.safetensors"}, {"c", "model-00002-of-00002.safetensors"}}).find("holds tensor 'b', which"),
            std::string::npos);
  EXPECT_NE(error({{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00002-of-00002.safetensors"},
                   {"c", "model-00002-of-00002.safetensors"}}).find("places in model-00002"),
            std::string::npos);
  EXPECT_NE(error({{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00001-of-00002.safetensors"},
                   {"c", "model-00002-of-00002.safetensors"}, {"d", "model-00002-of-00002.safetensors"}})
                .find("tensor 'd' is not in model-00002"),
            std::string::npos);
  EXPECT_NE(error({{"a", "../model.safetensors"}}).find("is not a file name in the index's directory"), std::string::npos);
  EXPECT_NE(error({{"a", "missing.safetensors"}}).find("cannot open"), std::string::npos);
  EXPECT_NE(error({{"a", 3}}).find("is not a file name"), std::string::npos);
  dir.write("model.safetensors.index.json", std::string(R"({"weight_map":{"a":"x","a":"y"}})"));
  EXPECT_THROW(Checkpoint::open(dir.path.string()), BadInput);

  fs::remove(dir.path / "model.safetensors.index.json");
  EXPECT_EQ(read_all(Checkpoint::open(dir.path.string()), "z"), std::vector<float>{9});  // the single file
  fs::remove(dir.path / "model.safetensors");
  EXPECT_THROW(Checkpoint::open(dir.path.string()), BadInput);
  EXPECT_THROW(Checkpoint::open((dir.path / "absent.safetensors").string()), BadInput);
  EXPECT_THROW(Checkpoint::open(dir.write("empty.safetensors", std::string())), BadInput);
}
