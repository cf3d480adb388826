#pragma once
// A note: who owns it, which asset, how much, and a random blinding that hides the rest.
//   commitment = H(kCommitment, owner[4] ‖ asset ‖ amount_lo ‖ amount_hi ‖ blinding[4])
//   nullifier  = H(kNullifier,  nullifier_key[4] ‖ commitment[8] ‖ leaf index)
// Amounts are two limbs of kLimbBits = 30 bits (amount = lo + 2^30·hi < 2^60). Not 31: the
// circuits add two limbs in M31, and two 30-bit limbs (plus a carry) stay below p, so a field
// equation between limb sums is an integer equation; two 31-bit limbs would wrap.
#include <array>
#include <cstdint>

#include "poseidon2/sponge.hpp"
#include "vm31/keys.hpp"

namespace zkm31::vm31 {

using Digest = poseidon2::Digest;

inline constexpr int kLimbBits = 30;
inline constexpr uint64_t kMaxAmount = (uint64_t(1) << (2 * kLimbBits)) - 1;

struct Note {
  Key owner;
  M31 asset;
  M31 amount_lo, amount_hi;
  Key blinding;
  bool operator==(const Note&) const = default;

  uint64_t amount() const { return amount_lo.v + (uint64_t(amount_hi.v) << kLimbBits); }
};

// A note with a fresh random blinding; BadInput if amount > kMaxAmount or asset ≥ p.
Note make_note(const Key& owner, uint64_t asset, uint64_t amount);
// (lo, hi) with amount = lo + 2^30·hi; BadInput above kMaxAmount.
std::array<M31, 2> amount_limbs(uint64_t amount);
// BadInput unless both limbs are below 2^30 (a note decrypted from a memo or read from a file).
void check_limbs(const Note& note);

Digest commitment(const Note& note);
Digest nullifier(const Key& nullifier_key, const Digest& commitment, uint64_t leaf_index);

// The 44-byte serialisation inside memos and wallet files: owner, asset, lo, hi, blinding (u32 LE).
inline constexpr size_t kNoteBytes = 44;
std::array<uint8_t, kNoteBytes> note_bytes(const Note& note);
Note note_from_bytes(const uint8_t* bytes);  // BadInput for an element ≥ p or a limb ≥ 2^30

}  // namespace zkm31::vm31
