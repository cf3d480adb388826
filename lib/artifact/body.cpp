#include "artifact/body.hpp"

#include <algorithm>
#include <bit>

#include "error/error.hpp"

namespace zkm31::artifact {

void BodyWriter::u32s(std::span<const uint32_t> v) {
  std::vector<uint8_t> b(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t x = v[i];
    b[4 * i] = x & 0xff, b[4 * i + 1] = (x >> 8) & 0xff, b[4 * i + 2] = (x >> 16) & 0xff, b[4 * i + 3] = x >> 24;
  }
  bin(b);
}

void BodyWriter::m31s(std::span<const M31> v) {
  std::vector<uint32_t> raw(v.size());
  for (size_t i = 0; i < v.size(); ++i) raw[i] = v[i].v;
  u32s(raw);
}

void BodyWriter::f32s(std::span<const float> v) {
  std::vector<uint32_t> raw(v.size());
  std::ranges::transform(v, raw.begin(), [](float x) { return std::bit_cast<uint32_t>(x); });
  u32s(raw);
}

std::vector<uint32_t> decode_u32s(std::span<const uint8_t> b, const std::string& what) {
  if (b.size() % 4) throw BadInput(what + ": byte length " + std::to_string(b.size()) + " is not a multiple of 4");
  std::vector<uint32_t> out(b.size() / 4);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = uint32_t(b[4 * i]) | uint32_t(b[4 * i + 1]) << 8 | uint32_t(b[4 * i + 2]) << 16 | uint32_t(b[4 * i + 3]) << 24;
  return out;
}

std::vector<float> decode_f32s(std::span<const uint8_t> b, const std::string& what) {
  const auto raw = decode_u32s(b, what);
  std::vector<float> out(raw.size());
  std::ranges::transform(raw, out.begin(), [](uint32_t x) { return std::bit_cast<float>(x); });
  return out;
}

std::vector<M31> decode_m31s(std::span<const uint8_t> b, const std::string& what) {
  if (b.size() % 4) throw BadInput(what + ": byte length " + std::to_string(b.size()) + " is not a multiple of 4");
  std::vector<M31> out(b.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint32_t x = uint32_t(b[4 * i]) | uint32_t(b[4 * i + 1]) << 8 | uint32_t(b[4 * i + 2]) << 16 | uint32_t(b[4 * i + 3]) << 24;
    if (x >= kP) throw BadInput(what + ": element " + std::to_string(i) + " is not a canonical M31 residue");
    out[i] = M31(x);
  }
  return out;
}

MapView::MapView(const msgpack::object& obj, std::string where) : obj_(obj), where_(std::move(where)) {
  if (obj.type != msgpack::type::MAP) throw BadInput(where_ + ": expected a map");
}

bool MapView::has(std::string_view key) const {
  for (uint32_t i = 0; i < obj_.via.map.size; ++i) {
    const auto& k = obj_.via.map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key) return true;
  }
  return false;
}

const msgpack::object& MapView::at(std::string_view key) const {
  for (uint32_t i = 0; i < obj_.via.map.size; ++i) {
    const auto& k = obj_.via.map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key)
      return obj_.via.map.ptr[i].val;
  }
  throw BadInput(where_ + ": missing field '" + std::string(key) + "'");
}

namespace {
[[noreturn]] void wrong_type(const std::string& where, std::string_view key, const char* want) {
  throw BadInput(where + ": field '" + std::string(key) + "' is not " + want);
}
}  // namespace

MapView MapView::map(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::MAP) wrong_type(where_, key, "a map");
  return MapView(o, where_ + "." + std::string(key));
}

std::string MapView::str(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::STR) wrong_type(where_, key, "a string");
  return std::string(o.via.str.ptr, o.via.str.size);
}

uint64_t MapView::u64(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::POSITIVE_INTEGER) wrong_type(where_, key, "a non-negative integer");
  return o.via.u64;
}

int64_t MapView::i64(std::string_view key) const {
  const auto& o = at(key);
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
  if (o.type == msgpack::type::POSITIVE_INTEGER && o.via.u64 <= uint64_t(INT64_MAX)) return int64_t(o.via.u64);
  wrong_type(where_, key, "an integer");
}

double MapView::f64(std::string_view key) const {
  const auto& o = at(key);
  if (o.type == msgpack::type::FLOAT32 || o.type == msgpack::type::FLOAT64) return o.via.f64;
  if (o.type == msgpack::type::POSITIVE_INTEGER) return double(o.via.u64);
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return double(o.via.i64);
  wrong_type(where_, key, "a number");
}

bool MapView::boolean(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::BOOLEAN) wrong_type(where_, key, "a boolean");
  return o.via.boolean;
}

std::span<const uint8_t> MapView::bin(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::BIN) wrong_type(where_, key, "binary");
  return {reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size};
}

std::vector<uint32_t> MapView::u32s(std::string_view key) const {
  return decode_u32s(bin(key), where_ + "." + std::string(key));
}

std::vector<M31> MapView::m31s(std::string_view key) const {
  return decode_m31s(bin(key), where_ + "." + std::string(key));
}

std::vector<float> MapView::f32s(std::string_view key) const {
  return decode_f32s(bin(key), where_ + "." + std::string(key));
}

std::vector<msgpack::object> MapView::array(std::string_view key) const {
  const auto& o = at(key);
  if (o.type != msgpack::type::ARRAY) wrong_type(where_, key, "an array");
  return {o.via.array.ptr, o.via.array.ptr + o.via.array.size};
}

msgpack::unpack_limit unpack_limits(size_t bytes) {
  return msgpack::unpack_limit(bytes, bytes / 2, bytes, bytes, bytes, 64);
}

msgpack::object_handle parse_body(std::span<const uint8_t> body, std::string_view what) {
  size_t off = 0;
  msgpack::object_handle h;
  // Strings and bins point into `body` instead of being copied into the handle's zone (a model's
  // weights or a codeword would otherwise exist twice while they are decoded).
  const auto reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
  try {
    h = msgpack::unpack(reinterpret_cast<const char*>(body.data()), body.size(), off, reference, nullptr,
                        unpack_limits(body.size()));
  } catch (const std::exception& e) {
    throw BadInput("malformed " + std::string(what) + ": " + e.what());
  }
  if (off != body.size()) throw BadInput("malformed " + std::string(what) + ": trailing bytes");
  if (h.get().type != msgpack::type::MAP) throw BadInput("malformed " + std::string(what) + ": not a map");
  return h;
}

}  // namespace zkm31::artifact
