#pragma once
// Memos: a new note sealed to its recipient, published beside its commitment so that the recipient
// (or a holder of its viewing key) can find and spend it. X25519 with a fresh ephemeral key against
// the recipient's encryption key, BLAKE2b of (shared secret ‖ ephemeral ‖ recipient) as the key,
// XChaCha20-Poly1305 (libsodium) with the commitment as associated data, so a memo cannot be
// moved onto another commitment.
//   memo = ephemeral public key (32) ‖ nonce (24) ‖ sealed note (44 + 16)
#include <array>
#include <optional>

#include "vm31/keys.hpp"
#include "vm31/note.hpp"

namespace zkm31::vm31 {

inline constexpr size_t kMemoBytes = 32 + 24 + kNoteBytes + 16;
using Memo = std::array<uint8_t, kMemoBytes>;

// BadInput if the recipient's key is a low-order point (no shared secret).
Memo encrypt_memo(const Note& note, const X25519Key& recipient, const Digest& commitment);
// The note if the memo opens with this viewing key and the note hashes to `commitment`; nothing
// otherwise (another recipient's memo, a tampered memo, a memo moved onto another commitment).
std::optional<Note> decrypt_memo(const Memo& memo, const Key& viewing, const Digest& commitment);

// The memo's digest among a transaction's public inputs: its bytes in 3-byte little-endian
// chunks (each < 2^24 < p) through the sponge with the kMemo tag.
Digest memo_hash(const Memo& memo);

// The 32 little-endian bytes of a digest.
std::array<uint8_t, 32> digest_bytes(const Digest& d);

}  // namespace zkm31::vm31
