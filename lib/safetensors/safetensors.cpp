#include "safetensors/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "error/error.hpp"
#include "file/mapped.hpp"

namespace zkm31::safetensors {

namespace {

using nlohmann::json;

// The reference implementation's bound; a real header is a few hundred kB at most.
constexpr uint64_t kMaxHeaderBytes = uint64_t(100) << 20;
constexpr size_t kMaxIndexBytes = size_t(100) << 20;

struct DTypeName {
  DType dtype;
  std::string_view name;
  size_t size;
};
constexpr DTypeName kDTypes[] = {{DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
                                 {DType::I8, "I8", 1},   {DType::I32, "I32", 4}, {DType::I64, "I64", 8}};
// Dtypes the format defines that no supported architecture stores its weights in.
constexpr std::string_view kOtherFormatDTypes[] = {"F64", "U8", "I16", "U16", "U32", "U64", "BOOL", "F8_E4M3", "F8_E5M2"};

std::string dims(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// nlohmann keeps the last of duplicate keys silently; a checkpoint naming one tensor twice is a lie.
json parse_json_strict(std::string_view text, const std::string& what) {
  std::vector<std::set<std::string>> keys;  // one set per object being parsed
  std::string duplicate;
  const json::parser_callback_t track = [&](int, json::parse_event_t event, json& value) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.back().insert(value.get<std::string>()).second && duplicate.empty())
      duplicate = value.get<std::string>();
    return true;
  };
  json j;
  try {
    j = json::parse(text.begin(), text.end(), track);
  } catch (const json::exception& e) {
    throw BadInput(what + ": not valid JSON (" + e.what() + ")");
  }
  if (!duplicate.empty()) throw BadInput(what + ": the key '" + duplicate + "' appears twice");
  return j;
}

uint64_t unsigned_field(const json& v, const std::string& where) {
  if (!v.is_number_unsigned()) throw BadInput(where + " is not a non-negative integer");
  return v.get<uint64_t>();
}

DType parse_dtype(const json& v, const std::string& where) {
  if (!v.is_string()) throw BadInput(where + ": dtype is not a string");
  const auto name = v.get<std::string>();
  for (const auto& d : kDTypes)
    if (d.name == name) return d.dtype;
  if (std::ranges::find(kOtherFormatDTypes, name) != std::end(kOtherFormatDTypes))
    throw NotSupported(where + ": dtype " + name + " (F32, F16, BF16, I8, I32 and I64 are read)");
  throw BadInput(where + ": unknown dtype '" + name + "'");
}

TensorInfo parse_tensor(const std::string& name, const json& v, const std::string& where) {
  if (!v.is_object()) throw BadInput(where + " is not an object");
  for (const auto& [key, _] : v.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets") throw BadInput(where + ": unexpected field '" + key + "'");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!v.contains(key)) throw BadInput(where + ": missing field '" + key + "'");
  TensorInfo t;
  t.name = name;
  t.dtype = parse_dtype(v["dtype"], where);
  const auto& shape = v["shape"];
  if (!shape.is_array()) throw BadInput(where + ": shape is not an array");
  uint64_t nonzero = 1;  // bounds every partial product, so row_length() cannot overflow either
  for (size_t i = 0; i < shape.size(); ++i) {
    t.shape.push_back(unsigned_field(shape[i], where + ": shape[" + std::to_string(i) + "]"));
    if (__builtin_mul_overflow(nonzero, std::max<uint64_t>(t.shape.back(), 1), &nonzero))
      throw BadInput(where + ": shape " + dims(t.shape) + "… has more elements than 2^64");
    t.numel *= t.shape.back();
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(t.numel, dtype_size(t.dtype), &bytes))
    throw BadInput(where + ": shape " + dims(t.shape) + " of " + std::string(dtype_name(t.dtype)) + " needs more than 2^64 bytes");
  const auto& offsets = v["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) throw BadInput(where + ": data_offsets is not a pair [begin, end]");
  t.begin = unsigned_field(offsets[0], where + ": data_offsets[0]");
  t.end = unsigned_field(offsets[1], where + ": data_offsets[1]");
  if (t.end < t.begin) throw BadInput(where + ": data_offsets end " + std::to_string(t.end) + " before begin " + std::to_string(t.begin));
  if (t.end - t.begin != bytes)
    throw BadInput(where + ": data_offsets hold " + std::to_string(t.end - t.begin) + " bytes, " +
                   std::string(dtype_name(t.dtype)) + " " + dims(t.shape) + " needs " + std::to_string(bytes));
  return t;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent == 0) {  // zero or subnormal: mantissa · 2^−24, exact in float
    const float magnitude = float(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | mantissa << 13);  // inf, NaN
  return std::bit_cast<float>(sign | (exponent + 127 - 15) << 23 | mantissa << 13);
}

template <typename T>
T load(const uint8_t* p) {
  T x;
  std::memcpy(&x, p, sizeof(T));  // the data section has no alignment guarantee
  return x;
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput(path + ": cannot open");
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, size_t(in.gcount()));
    if (text.size() > kMaxIndexBytes) throw BadInput(path + ": larger than an index can be (100 MB)");
  }
  return text;
}

// A shard's file name as the index gives it: a plain name in the index's directory.
std::string shard_name(const json& v, const std::string& where) {
  if (!v.is_string()) throw BadInput(where + " is not a file name");
  const auto name = v.get<std::string>();
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    throw BadInput(where + ": '" + name + "' is not a file name in the index's directory");
  return name;
}

}  // namespace

std::string_view dtype_name(DType d) {
  for (const auto& x : kDTypes)
    if (x.dtype == d) return x.name;
  return "?";
}

size_t dtype_size(DType d) {
  for (const auto& x : kDTypes)
    if (x.dtype == d) return x.size;
  return 0;
}

uint64_t TensorInfo::row_length() const {
  uint64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];  // no overflow: the header checked numel
  return n;
}

Header parse_header(std::span<const uint8_t> file, const std::string& what) {
  if (file.size() < 8) throw BadInput(what + ": " + std::to_string(file.size()) + " bytes, too short for a SafeTensors header");
  const uint64_t n = load<uint64_t>(file.data());
  if (n > file.size() - 8)
    throw BadInput(what + ": header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(file.size()) + " bytes)");
  if (n > kMaxHeaderBytes) throw BadInput(what + ": header length " + std::to_string(n) + " is above the format's 100 MB limit");
  if (n == 0 || file[8] != '{') throw BadInput(what + ": the header is not a JSON object");
  const json j = parse_json_strict({reinterpret_cast<const char*>(file.data() + 8), size_t(n)}, what + ": header");
  if (!j.is_object()) throw BadInput(what + ": the header is not a JSON object");

  Header h;
  h.data_start = 8 + n;
  for (const auto& [name, v] : j.items()) {
    if (name == "__metadata__") {
      if (!v.is_object()) throw BadInput(what + ": __metadata__ is not an object");
      for (const auto& [key, value] : v.items()) {
        if (!value.is_string()) throw BadInput(what + ": __metadata__." + key + " is not a string");
        h.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    h.tensors.push_back(parse_tensor(name, v, what + ": tensor '" + name + "'"));
  }
  // The data section is exactly the tensors, back to back: no overlap, no hole, nothing after.
  std::ranges::sort(h.tensors, [](const TensorInfo& a, const TensorInfo& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  const uint64_t data_size = file.size() - h.data_start;
  uint64_t at = 0;
  for (const auto& t : h.tensors) {
    if (t.begin != at)
      throw BadInput(what + ": tensor '" + t.name + "' starts at byte " + std::to_string(t.begin) + " of the data, expected " +
                     std::to_string(at) + (t.begin < at ? " (it overlaps the tensor before)" : " (a hole before it)"));
    at = t.end;
  }
  if (at != data_size)
    throw BadInput(what + ": the tensors hold " + std::to_string(at) + " bytes of data, the file has " + std::to_string(data_size) +
                   (at > data_size ? " (truncated?)" : " (bytes after the last tensor)"));
  return h;
}

void to_float(DType d, std::span<const uint8_t> raw, std::span<float> out) {
  if (raw.size() != out.size() * dtype_size(d)) throw BadInput("safetensors: " + std::to_string(raw.size()) + " bytes for " + std::to_string(out.size()) + " " + std::string(dtype_name(d)) + " elements");
  const uint8_t* p = raw.data();
  const size_t n = out.size();
  switch (d) {
    case DType::F32:
      for (size_t i = 0; i < n; ++i) out[i] = load<float>(p + 4 * i);
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) out[i] = half_to_float(load<uint16_t>(p + 2 * i));
      break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) out[i] = std::bit_cast<float>(uint32_t(load<uint16_t>(p + 2 * i)) << 16);
      break;
    case DType::I8:
      for (size_t i = 0; i < n; ++i) out[i] = float(int8_t(p[i]));
      break;
    case DType::I32:
      for (size_t i = 0; i < n; ++i) out[i] = float(load<int32_t>(p + 4 * i));
      break;
    case DType::I64:
      for (size_t i = 0; i < n; ++i) out[i] = float(load<int64_t>(p + 8 * i));
      break;
  }
}

Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
Checkpoint& Checkpoint::operator=(Checkpoint&&) noexcept = default;
Checkpoint::~Checkpoint() = default;

std::vector<TensorInfo> Checkpoint::add_file(const std::string& path) {
  // Not prefaulted: a reader of a few layers touches only their pages of a many-GB checkpoint.
  auto mapped = std::make_unique<file::Mapped>(path, /*populate=*/false);
  if (!mapped->ok()) throw BadInput(path + ": cannot open (not a readable, non-empty regular file)");
  Header h = parse_header(mapped->bytes(), path);
  for (auto& t : h.tensors) t.shard = files_.size();
  files_.push_back(std::move(mapped));
  data_starts_.push_back(h.data_start);
  return std::move(h.tensors);
}

Checkpoint Checkpoint::open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "model.safetensors.index.json", ec)) p /= "model.safetensors.index.json";
    else if (fs::exists(p / "model.safetensors", ec)) p /= "model.safetensors";
    else throw BadInput(path + ": holds neither model.safetensors nor model.safetensors.index.json");
  }
  Checkpoint c;
  if (p.extension() != ".json") {
    c.tensors_ = c.add_file(p.string());
  } else {
    const std::string what = p.string();
    const json index = parse_json_strict(read_small_file(what), what);
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
      throw BadInput(what + ": no weight_map object");
    std::map<std::string, std::string> shard_of;  // tensor → shard file name
    std::set<std::string> shards;
    for (const auto& [name, v] : index["weight_map"].items()) {
      shard_of[name] = shard_name(v, what + ": weight_map['" + name + "']");
      shards.insert(shard_of[name]);
    }
    for (const auto& shard : shards) {
      const auto shard_path = (p.parent_path() / shard).string();
      for (auto& t : c.add_file(shard_path)) {
        const auto it = shard_of.find(t.name);
        if (it == shard_of.end() || it->second != shard)
          throw BadInput(shard_path + ": holds tensor '" + t.name + "', which " + what +
                         (it == shard_of.end() ? " does not list" : " places in " + it->second));
        c.tensors_.push_back(std::move(t));
      }
    }
    if (c.tensors_.size() != shard_of.size()) {
      std::set<std::string> found;
      for (const auto& t : c.tensors_) found.insert(t.name);
      for (const auto& [name, shard] : shard_of)
        if (!found.count(name)) throw BadInput(what + ": tensor '" + name + "' is not in " + shard);
    }
  }
  std::ranges::sort(c.tensors_, {}, &TensorInfo::name);
  return c;
}

bool Checkpoint::has(std::string_view name) const {
  return std::ranges::binary_search(tensors_, name, {}, [](const TensorInfo& t) { return std::string_view(t.name); });
}

const TensorInfo& Checkpoint::tensor(std::string_view name) const {
  const auto it = std::ranges::lower_bound(tensors_, name, {}, [](const TensorInfo& t) { return std::string_view(t.name); });
  if (it == tensors_.end() || it->name != name) throw BadInput("checkpoint has no tensor '" + std::string(name) + "'");
  return *it;
}

std::span<const uint8_t> Checkpoint::raw(const TensorInfo& t) const {
  return files_.at(t.shard)->bytes().subspan(data_starts_[t.shard] + t.begin, t.end - t.begin);
}

void Checkpoint::read(const TensorInfo& t, std::span<float> out) const {
  if (out.size() != t.numel)
    throw BadInput("tensor '" + t.name + "': a buffer of " + std::to_string(out.size()) + " floats for " + std::to_string(t.numel) + " elements");
  to_float(t.dtype, raw(t), out);
}

void Checkpoint::read_rows(const TensorInfo& t, uint64_t first_row, std::span<float> out) const {
  const uint64_t row = t.row_length();
  if (row == 0 ? !out.empty() : out.size() % row != 0)
    throw BadInput("tensor '" + t.name + "': a buffer of " + std::to_string(out.size()) + " floats is not whole rows of " + std::to_string(row));
  const uint64_t n_rows = row == 0 ? 0 : out.size() / row;
  if (first_row > t.rows() || n_rows > t.rows() - first_row)
    throw BadInput("tensor '" + t.name + "': rows " + std::to_string(first_row) + "+" + std::to_string(n_rows) + " past its " +
                   std::to_string(t.rows()) + " rows");
  const size_t size = dtype_size(t.dtype);
  to_float(t.dtype, raw(t).subspan(first_row * row * size, out.size() * size), out);
}

}  // namespace zkm31::safetensors
