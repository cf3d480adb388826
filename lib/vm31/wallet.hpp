#pragma once
// A wallet: a 0700 directory holding `wallet`, a 0600 file with the spending key sealed under a
// password (Argon2id via libsodium's crypto_pwhash, then XChaCha20-Poly1305 with the header as
// associated data). Layout:
//   "VM31WLT1" ‖ salt (16) ‖ opslimit (u64) ‖ memlimit (u64) ‖ nonce (24) ‖ sealed key (16 + 16) ‖
//   BLAKE2b-128 of everything before
// The trailing checksum tells a damaged file ("corrupted wallet") from a wrong password (the AEAD
// fails on an intact file). Secrets are wiped from memory when the wallet goes.
#include <string>

#include "vm31/keys.hpp"

namespace zkm31::vm31 {

class Wallet {
 public:
  // BadInput if the directory already holds a wallet or the password is empty.
  static Wallet create(const std::string& dir, const std::string& password);
  // BadInput: missing wallet, permissions open to group/others, corrupted file, wrong password.
  static Wallet open(const std::string& dir, const std::string& password);
  ~Wallet();
  Wallet(const Wallet&) = delete;
  Wallet& operator=(const Wallet&) = delete;
  Wallet(Wallet&&) = default;

  const Key& spending_key() const { return spending_; }
  ViewingKeys viewing_keys() const { return vm31::viewing_keys(spending_); }
  Address address() const { return address_of(spending_); }

 private:
  explicit Wallet(const Key& spending) : spending_(spending) {}
  Key spending_;
};

std::string wallet_file(const std::string& dir);

}  // namespace zkm31::vm31
