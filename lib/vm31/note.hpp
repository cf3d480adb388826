#pragma once
// A note: who owns it, which asset, how much, and a random blinding that hides the rest.
//   commitment = H(kCommitment, owner[4] ‖ asset ‖ amount_lo ‖ amount_hi ‖ blinding[4])
//   nullifier  = H(kNullifier,  nullifier_key[4] ‖ commitment[8] ‖ leaf index)
// Amounts are two limbs, lo of kLimbBits = 30 bits and hi of kHighLimbBits = 29 bits (amount =
// lo + 2^30·hi < 2^59). Not 31: the circuits add limbs in M31, and with these widths every limb sum
// they form (plus carries) stays below p, so a field equation between limb sums is an integer
// equation; 31-bit limbs would wrap.
#include <array>
#include <cstdint>

#include "poseidon2/sponge.hpp"
#include "vm31/keys.hpp"

namespace zkm31::vm31 {

using Digest = poseidon2::Digest;

inline constexpr int kLimbBits = 30, kHighLimbBits = 29;
inline constexpr uint64_t kMaxAmount = (uint64_t(1) << (kLimbBits + kHighLimbBits)) - 1;

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
// BadInput unless lo < 2^30 and hi < 2^29 (a note decrypted from a memo or read from a file).
void check_limbs(const Note& note);

Digest commitment(const Note& note);
Digest nullifier(const Key& nullifier_key, const Digest& commitment, uint64_t leaf_index);

// The 44-byte serialisation inside memos and wallet files: owner, asset, lo, hi, blinding (u32 LE).
inline constexpr size_t kNoteBytes = 44;
std::array<uint8_t, kNoteBytes> note_bytes(const Note& note);
Note note_from_bytes(const uint8_t* bytes);  // BadInput for an element ≥ p or a limb out of range

}  // namespace zkm31::vm31
