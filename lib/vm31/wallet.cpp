#include "vm31/wallet.hpp"

#include <sys/stat.h>

#include <cstring>
#include <vector>

#include "error/error.hpp"
#include "vm31/files.hpp"
#include "vm31/sodium.hpp"

namespace zkm31::vm31 {
namespace {

constexpr char kMagic[8] = {'V', 'M', '3', '1', 'W', 'L', 'T', '1'};
constexpr size_t kSalt = crypto_pwhash_SALTBYTES, kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kHeader = 8 + kSalt + 8 + 8 + kNonce;
constexpr size_t kSealed = 16 + crypto_aead_xchacha20poly1305_ietf_ABYTES, kCheck = 16;
constexpr size_t kFileBytes = kHeader + kSealed + kCheck;
static_assert(kSalt == 16 && kNonce == 24);

void put_u64(uint8_t* p, uint64_t v) {
  for (size_t b = 0; b < 8; ++b) p[b] = uint8_t(v >> (8 * b));
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (size_t b = 0; b < 8; ++b) v |= uint64_t(p[b]) << (8 * b);
  return v;
}

std::array<uint8_t, kCheck> check_of(const uint8_t* bytes) {
  std::array<uint8_t, kCheck> out;
  crypto_generichash(out.data(), out.size(), bytes, kHeader + kSealed, nullptr, 0);
  return out;
}

// The sealing key from the password; BadInput if Argon2id runs out of memory.
std::array<uint8_t, 32> password_key(const std::string& password, const uint8_t* salt, uint64_t ops, uint64_t mem) {
  std::array<uint8_t, 32> key;
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), salt, ops, size_t(mem),
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw BadInput("cannot derive the wallet key from the password (Argon2id needs " + std::to_string(mem >> 20) + " MiB)");
  return key;
}

}  // namespace

std::string wallet_file(const std::string& dir) { return dir + "/wallet"; }

Wallet Wallet::create(const std::string& dir, const std::string& password) {
  init_sodium();
  if (password.empty()) throw BadInput("the wallet password is empty");
  make_private_dir(dir);
  struct stat st {};
  if (::stat(wallet_file(dir).c_str(), &st) == 0) throw BadInput("'" + dir + "' already holds a wallet");
  Wallet wallet(random_key());
  std::vector<uint8_t> file(kFileBytes);
  uint8_t* p = file.data();
  std::memcpy(p, kMagic, 8);
  randombytes_buf(p + 8, kSalt);
  const uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE, mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  put_u64(p + 8 + kSalt, ops);
  put_u64(p + 16 + kSalt, mem);
  uint8_t* nonce = p + 24 + kSalt;
  randombytes_buf(nonce, kNonce);
  auto key = password_key(password, p + 8, ops, mem);
  auto secret = key_bytes(wallet.spending_);
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(p + kHeader, &sealed_len, secret.data(), secret.size(), p, kHeader, nullptr,
                                             nonce, key.data());
  sodium_memzero(secret.data(), secret.size());
  sodium_memzero(key.data(), key.size());
  auto check = check_of(p);
  std::copy(check.begin(), check.end(), p + kHeader + kSealed);
  write_private(wallet_file(dir), file);
  return wallet;
}

Wallet Wallet::open(const std::string& dir, const std::string& password) {
  init_sodium();
  const std::string path = wallet_file(dir);
  check_private(dir, "wallet directory");
  check_private(path, "wallet file");
  std::vector<uint8_t> file = read_file(path, "wallet");
  auto corrupted = [&](const std::string& why) { return BadInput("corrupted wallet '" + path + "': " + why); };
  if (file.size() != kFileBytes) throw corrupted(std::to_string(file.size()) + " bytes, expected " + std::to_string(kFileBytes));
  const uint8_t* p = file.data();
  if (std::memcmp(p, kMagic, 8) != 0) throw corrupted("not a VM31 wallet file (magic)");
  auto check = check_of(p);
  if (!std::equal(check.begin(), check.end(), p + kHeader + kSealed)) throw corrupted("checksum does not match");
  uint64_t ops = get_u64(p + 8 + kSalt), mem = get_u64(p + 16 + kSalt);
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem < crypto_pwhash_MEMLIMIT_MIN ||
      mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
    throw corrupted("password hashing limits out of range");
  auto key = password_key(password, p + 8, ops, mem);
  std::array<uint8_t, 16> secret;
  unsigned long long secret_len = 0;
  int status = crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), &secret_len, nullptr, p + kHeader, kSealed, p,
                                                          kHeader, p + 24 + kSalt, key.data());
  sodium_memzero(key.data(), key.size());
  if (status != 0 || secret_len != secret.size()) throw BadInput("wrong password for wallet '" + dir + "'");
  Key spending;
  try {
    spending = key_from_bytes(secret.data());
  } catch (const BadInput&) {
    sodium_memzero(secret.data(), secret.size());
    throw corrupted("sealed key out of range");
  }
  sodium_memzero(secret.data(), secret.size());
  return Wallet(spending);
}

Wallet::~Wallet() { sodium_memzero(spending_.data(), sizeof spending_); }

}  // namespace zkm31::vm31
