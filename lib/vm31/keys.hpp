#pragma once
// VM31 keys. A spending key is 4 random M31 elements; everything else is derived from it:
//   public key    = H(kPublicKey,    sk)[0..4]   the note owner field; spending proves knowledge of sk
//   viewing key   = H(kViewingKey,   sk)[0..4]   decrypts memos (scan), cannot spend
//   nullifier key = H(kNullifierKey, sk)[0..4]   makes nullifiers unlinkable to commitments
// and the X25519 encryption key pair memos are sealed to, derived from the viewing key, so that the
// recipient and any holder of its viewing key (an auditor) can read them.
// An address is the public key and the X25519 public key, as text "vm31:" + 96 hex digits + an
// 8-digit checksum.
#include <array>
#include <cstdint>
#include <string>

#include "field/m31.hpp"

namespace zkm31::vm31 {

using Key = std::array<M31, 4>;
using X25519Key = std::array<uint8_t, 32>;

// What an auditor holds: it finds and reads the owner's notes and sees which are spent, but cannot
// spend (that needs the spending key behind `owner`).
struct ViewingKeys {
  Key viewing;
  Key nullifier;
  Key owner;  // the public key the viewed notes belong to (public anyway)
  bool operator==(const ViewingKeys&) const = default;
};

ViewingKeys viewing_keys(const Key& spending);
// Text form of viewing keys: "vm31view:" + 96 hex digits + an 8-digit checksum.
std::string viewing_keys_text(const ViewingKeys& keys);
ViewingKeys parse_viewing_keys(const std::string& text);

struct Address {
  Key owner;
  X25519Key encryption;
  bool operator==(const Address&) const = default;
};

// A fresh spending key from the operating system's random source (libsodium randombytes).
Key random_key();

Key public_key(const Key& spending);
Key viewing_key(const Key& spending);
Key nullifier_key(const Key& spending);

// The X25519 secret of a viewing key (a keyed BLAKE2b of it) and its public half.
X25519Key encryption_secret(const Key& viewing);
X25519Key encryption_public(const Key& viewing);

Address address_of(const Key& spending);
Address address_of(const ViewingKeys& keys);
std::string address_text(const Address& address);
// BadInput naming the problem (prefix, length, hex digit, checksum, element ≥ p).
Address parse_address(const std::string& text);

// Little-endian bytes of key elements (secrets go through these only into sealed storage).
std::array<uint8_t, 16> key_bytes(const Key& key);
Key key_from_bytes(const uint8_t* bytes);  // BadInput for an element ≥ p

}  // namespace zkm31::vm31
