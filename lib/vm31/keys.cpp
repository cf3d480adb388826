#include "vm31/keys.hpp"

#include <string_view>

#include "error/error.hpp"
#include "poseidon2/sponge.hpp"
#include "vm31/bytes.hpp"
#include "vm31/sodium.hpp"
#include "vm31/tags.hpp"

namespace zkm31::vm31 {
namespace {

Key derive(M31 tag, const Key& key) {
  poseidon2::Digest d = poseidon2::hash(tag, key);
  return {d[0], d[1], d[2], d[3]};
}

// Addresses and viewing keys are 48 bytes as text: prefix, hex, 4-byte BLAKE2b checksum in hex.
constexpr size_t kPayload = 48, kChecksumBytes = 4;
using Payload = std::array<uint8_t, kPayload>;

std::array<uint8_t, kChecksumBytes> checksum(const uint8_t* bytes) {
  std::array<uint8_t, kChecksumBytes> out;
  crypto_generichash(out.data(), out.size(), bytes, kPayload, nullptr, 0);
  return out;
}

std::string checked_hex(std::string_view prefix, const Payload& payload) {
  init_sodium();
  std::array<uint8_t, kPayload + kChecksumBytes> raw;
  std::copy(payload.begin(), payload.end(), raw.begin());
  auto sum = checksum(raw.data());
  std::copy(sum.begin(), sum.end(), raw.begin() + kPayload);
  std::string hex(2 * raw.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  sodium_memzero(raw.data(), raw.size());
  return std::string(prefix) + hex;
}

Payload parse_checked_hex(std::string_view prefix, const std::string& text, const std::string& what) {
  init_sodium();
  if (text.rfind(prefix, 0) != 0) throw BadInput(what + " does not start with '" + std::string(prefix) + "'");
  std::string_view hex = std::string_view(text).substr(prefix.size());
  constexpr size_t kHexDigits = 2 * (kPayload + kChecksumBytes);
  if (hex.size() != kHexDigits)
    throw BadInput(what + " has " + std::to_string(hex.size()) + " hex digits after '" + std::string(prefix) + "', expected " +
                   std::to_string(kHexDigits));
  std::array<uint8_t, kPayload + kChecksumBytes> raw;
  size_t len = 0;
  if (sodium_hex2bin(raw.data(), raw.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 || len != raw.size())
    throw BadInput(what + " has a character that is not a hex digit");
  auto sum = checksum(raw.data());
  if (!std::equal(sum.begin(), sum.end(), raw.begin() + kPayload))
    throw BadInput(what + " checksum does not match (mistyped or truncated)");
  Payload p;
  std::copy(raw.begin(), raw.begin() + kPayload, p.begin());
  sodium_memzero(raw.data(), raw.size());
  return p;
}

}  // namespace

Key random_key() {
  init_sodium();
  Key k;
  for (auto& x : k) x = M31(randombytes_uniform(kP));
  return k;
}

Key public_key(const Key& spending) { return derive(tag::kPublicKey, spending); }
Key viewing_key(const Key& spending) { return derive(tag::kViewingKey, spending); }
Key nullifier_key(const Key& spending) { return derive(tag::kNullifierKey, spending); }

X25519Key encryption_secret(const Key& viewing) {
  init_sodium();
  static constexpr std::string_view kContext = "zkm31 vm31 memo x25519 key";
  auto bytes = key_bytes(viewing);
  X25519Key sk;
  crypto_generichash(sk.data(), sk.size(), bytes.data(), bytes.size(), reinterpret_cast<const uint8_t*>(kContext.data()),
                     kContext.size());
  sodium_memzero(bytes.data(), bytes.size());
  return sk;
}

X25519Key encryption_public(const Key& viewing) {
  X25519Key sk = encryption_secret(viewing), pk;
  crypto_scalarmult_base(pk.data(), sk.data());
  sodium_memzero(sk.data(), sk.size());
  return pk;
}

ViewingKeys viewing_keys(const Key& spending) { return {viewing_key(spending), nullifier_key(spending), public_key(spending)}; }

Address address_of(const Key& spending) { return address_of(viewing_keys(spending)); }

Address address_of(const ViewingKeys& keys) { return {keys.owner, encryption_public(keys.viewing)}; }

std::string address_text(const Address& address) {
  Payload p;
  auto owner = key_bytes(address.owner);
  std::copy(owner.begin(), owner.end(), p.begin());
  std::copy(address.encryption.begin(), address.encryption.end(), p.begin() + 16);
  return checked_hex("vm31:", p);
}

Address parse_address(const std::string& text) {
  Payload p = parse_checked_hex("vm31:", text, "address");
  Address a;
  a.owner = key_from_bytes(p.data());
  std::copy(p.begin() + 16, p.end(), a.encryption.begin());
  return a;
}

std::string viewing_keys_text(const ViewingKeys& keys) {
  Payload p;
  size_t at = 0;
  for (const Key* k : {&keys.viewing, &keys.nullifier, &keys.owner}) {
    auto b = key_bytes(*k);
    std::copy(b.begin(), b.end(), p.begin() + at);
    at += b.size();
  }
  std::string text = checked_hex("vm31view:", p);
  sodium_memzero(p.data(), p.size());
  return text;
}

ViewingKeys parse_viewing_keys(const std::string& text) {
  Payload p = parse_checked_hex("vm31view:", text, "viewing key");
  ViewingKeys keys{key_from_bytes(p.data()), key_from_bytes(p.data() + 16), key_from_bytes(p.data() + 32)};
  sodium_memzero(p.data(), p.size());
  return keys;
}

std::array<uint8_t, 16> key_bytes(const Key& key) { return le_bytes(key); }

Key key_from_bytes(const uint8_t* bytes) {
  Key k;
  for (size_t i = 0; i < 4; ++i) {
    uint32_t v = read_le32(bytes + 4 * i);
    if (v >= kP) throw BadInput("key element " + std::to_string(v) + " is not below p");
    k[i] = M31(v);
  }
  return k;
}

}  // namespace zkm31::vm31
