#include "vm31/memo.hpp"

#include <string_view>
#include <vector>

#include "error/error.hpp"
#include "vm31/bytes.hpp"
#include "vm31/sodium.hpp"
#include "vm31/tags.hpp"

namespace zkm31::vm31 {
namespace {

constexpr size_t kEphemeral = 32, kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
static_assert(kNonce == 24 && crypto_aead_xchacha20poly1305_ietf_ABYTES == 16);

// The AEAD key of one memo, or nothing if the peer key is a low-order point.
std::optional<std::array<uint8_t, 32>> memo_key(const X25519Key& secret, const X25519Key& peer, const uint8_t* ephemeral,
                                                const X25519Key& recipient) {
  static constexpr std::string_view kContext = "zkm31 vm31 memo key v1";
  uint8_t shared[32];
  if (crypto_scalarmult(shared, secret.data(), peer.data()) != 0) return std::nullopt;
  std::array<uint8_t, 32> key;
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const uint8_t*>(kContext.data()), kContext.size(), key.size());
  crypto_generichash_update(&st, shared, sizeof shared);
  crypto_generichash_update(&st, ephemeral, kEphemeral);
  crypto_generichash_update(&st, recipient.data(), recipient.size());
  crypto_generichash_final(&st, key.data(), key.size());
  sodium_memzero(shared, sizeof shared);
  return key;
}

}  // namespace

std::array<uint8_t, 32> digest_bytes(const Digest& d) { return le_bytes(d); }

Memo encrypt_memo(const Note& note, const X25519Key& recipient, const Digest& commitment) {
  init_sodium();
  Memo memo;
  X25519Key ephemeral_secret;
  crypto_box_keypair(memo.data(), ephemeral_secret.data());
  auto key = memo_key(ephemeral_secret, recipient, memo.data(), recipient);
  sodium_memzero(ephemeral_secret.data(), ephemeral_secret.size());
  if (!key) throw BadInput("the recipient's encryption key is not a valid X25519 public key");
  uint8_t* nonce = memo.data() + kEphemeral;
  randombytes_buf(nonce, kNonce);
  auto plain = note_bytes(note);
  auto ad = digest_bytes(commitment);
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonce, &sealed_len, plain.data(), plain.size(), ad.data(), ad.size(),
                                             nullptr, nonce, key->data());
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(key->data(), key->size());
  return memo;
}

std::optional<Note> decrypt_memo(const Memo& memo, const Key& viewing, const Digest& commitment) {
  init_sodium();
  X25519Key secret = encryption_secret(viewing), recipient;
  crypto_scalarmult_base(recipient.data(), secret.data());
  X25519Key ephemeral;
  std::copy(memo.begin(), memo.begin() + kEphemeral, ephemeral.begin());
  auto key = memo_key(secret, ephemeral, memo.data(), recipient);
  sodium_memzero(secret.data(), secret.size());
  if (!key) return std::nullopt;
  const uint8_t* nonce = memo.data() + kEphemeral;
  std::array<uint8_t, kNoteBytes> plain;
  unsigned long long plain_len = 0;
  auto ad = digest_bytes(commitment);
  int status = crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, nonce + kNonce,
                                                          kMemoBytes - kEphemeral - kNonce, ad.data(), ad.size(), nonce,
                                                          key->data());
  sodium_memzero(key->data(), key->size());
  if (status != 0 || plain_len != kNoteBytes) return std::nullopt;
  std::optional<Note> note;
  try {
    note = note_from_bytes(plain.data());
  } catch (const BadInput&) {
    // sealed by a sender that broke the note format: not a spendable note
  }
  sodium_memzero(plain.data(), plain.size());
  if (!note || commitment != vm31::commitment(*note)) return std::nullopt;
  return note;
}

Digest memo_hash(const Memo& memo) {
  std::vector<M31> chunks;
  for (size_t i = 0; i < memo.size(); i += 3) {
    uint32_t v = 0;
    for (size_t b = 0; b < 3 && i + b < memo.size(); ++b) v |= uint32_t(memo[i + b]) << (8 * b);
    chunks.push_back(M31(v));
  }
  return poseidon2::hash(tag::kMemo, chunks);
}

}  // namespace zkm31::vm31
