#include "starknet/encoding.hpp"

namespace zkm31::starknet {

namespace {
Felt be_bytes_felt(std::string_view bytes) {
  return Felt::from_u256(U256::from_be_bytes({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
}
}  // namespace

Felt short_string(std::string_view text) {
  if (text.size() > 31) throw BadInput("short string '" + std::string(text.substr(0, 40)) + "…' is longer than 31 characters");
  for (unsigned char c : text)
    if (c >= 0x80) throw BadInput("short string '" + std::string(text) + "' is not ASCII");
  return be_bytes_felt(text);
}

std::string decode_short_string(const Felt& f) {
  const auto bytes = f.value().to_be_bytes();
  std::string s;
  for (uint8_t b : bytes)
    if (b || !s.empty()) s.push_back((char)b);
  return s;
}

std::vector<Felt> byte_array(std::string_view bytes) {
  const size_t full = bytes.size() / 31, rest = bytes.size() % 31;
  std::vector<Felt> out{Felt::from_u64(full)};
  for (size_t i = 0; i < full; ++i) out.push_back(be_bytes_felt(bytes.substr(31 * i, 31)));
  out.push_back(be_bytes_felt(bytes.substr(31 * full)));
  out.push_back(Felt::from_u64(rest));
  return out;
}

U256Parts u256_split(const U256& v) {
  return {Felt::from_u256(U256(v.w[0], v.w[1], 0, 0)), Felt::from_u256(U256(v.w[2], v.w[3], 0, 0))};
}

}  // namespace zkm31::starknet
