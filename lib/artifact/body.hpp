#pragma once
// Helpers to build and read artifact bodies (msgpack maps) with precise error messages.
#include <cstdint>
#include <cstring>
#include <msgpack.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "field/m31.hpp"

namespace zkm31::artifact {

// Writes a msgpack map body. Usage: BodyWriter w(n_fields); w.key("x"); w.pk.pack(...); ... w.bytes().
struct BodyWriter {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  explicit BodyWriter(uint32_t n_fields) { pk.pack_map(n_fields); }
  void key(std::string_view k) { pk.pack_str(static_cast<uint32_t>(k.size())); pk.pack_str_body(k.data(), k.size()); }
  void bin(std::span<const uint8_t> b) { pk.pack_bin(static_cast<uint32_t>(b.size())); pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), b.size()); }
  void u32s(std::span<const uint32_t> v);  // bin of little-endian u32
  void m31s(std::span<const M31> v);       // bin of little-endian canonical residues
  void f32s(std::span<const float> v);     // bin of little-endian f32
  std::span<const uint8_t> bytes() const { return {reinterpret_cast<const uint8_t*>(buf.data()), buf.size()}; }
};

// A read-only view of a msgpack map; every accessor names the missing or mistyped field.
class MapView {
 public:
  MapView(const msgpack::object& obj, std::string where);
  bool has(std::string_view key) const;
  const msgpack::object& at(std::string_view key) const;
  MapView map(std::string_view key) const;
  std::string str(std::string_view key) const;
  uint64_t u64(std::string_view key) const;
  int64_t i64(std::string_view key) const;
  double f64(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::span<const uint8_t> bin(std::string_view key) const;
  std::vector<uint32_t> u32s(std::string_view key) const;
  std::vector<M31> m31s(std::string_view key) const;  // rejects residues >= p
  std::vector<float> f32s(std::string_view key) const;
  std::vector<msgpack::object> array(std::string_view key) const;
  const std::string& where() const { return where_; }
  const msgpack::object& object() const { return obj_; }

 private:
  const msgpack::object& obj_;
  std::string where_;
};

// Parses a body; strings and bins in the handle point into `body`, which must outlive it (the
// handle owns the rest). Trailing bytes are refused.
msgpack::object_handle parse_body(std::span<const uint8_t> body, std::string_view what);

// Limits for msgpack::unpack of `bytes` bytes. msgpack reserves an array's or a map's declared count
// before reading its elements (a 6-byte input can ask for 2^32 · 24 bytes): no count can exceed the
// bytes there are, and the bodies nest only a few levels.
msgpack::unpack_limit unpack_limits(size_t bytes);

// Decoding helpers shared by MapView and array elements.
std::vector<uint32_t> decode_u32s(std::span<const uint8_t> b, const std::string& what);
std::vector<M31> decode_m31s(std::span<const uint8_t> b, const std::string& what);
std::vector<float> decode_f32s(std::span<const uint8_t> b, const std::string& what);  // IEEE-754 bits, little-endian

}  // namespace zkm31::artifact
