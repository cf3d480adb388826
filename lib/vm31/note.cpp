#include "vm31/note.hpp"

#include <string>
#include <vector>

#include "error/error.hpp"
#include "vm31/bytes.hpp"
#include "vm31/tags.hpp"

namespace zkm31::vm31 {
namespace {

M31 element(uint32_t v, const char* what) {
  if (v >= kP) throw BadInput(std::string("note ") + what + " " + std::to_string(v) + " is not below p");
  return M31(v);
}

// The order in which commitments hash a note and memos store it.
std::array<M31, 11> fields(const Note& n) {
  return {n.owner[0],    n.owner[1],    n.owner[2],    n.owner[3],    n.asset,      n.amount_lo,
          n.amount_hi,   n.blinding[0], n.blinding[1], n.blinding[2], n.blinding[3]};
}

}  // namespace

Note make_note(const Key& owner, uint64_t asset, uint64_t amount) {
  if (asset >= kP) throw BadInput("asset id " + std::to_string(asset) + " is not below p = 2^31 - 1");
  auto limbs = amount_limbs(amount);
  return {owner, M31(uint32_t(asset)), limbs[0], limbs[1], random_key()};
}

std::array<M31, 2> amount_limbs(uint64_t amount) {
  if (amount > kMaxAmount) throw BadInput("amount " + std::to_string(amount) + " is above the maximum 2^59 - 1");
  const uint64_t mask = (uint64_t(1) << kLimbBits) - 1;
  return {M31(uint32_t(amount & mask)), M31(uint32_t(amount >> kLimbBits))};
}

void check_limbs(const Note& note) {
  if (note.amount_lo.v >> kLimbBits || note.amount_hi.v >> kHighLimbBits)
    throw BadInput("note amount limbs are not below 2^30 (low) and 2^29 (high)");
}

Digest commitment(const Note& n) { return poseidon2::hash(tag::kCommitment, fields(n)); }

Digest nullifier(const Key& nk, const Digest& cm, uint64_t leaf_index) {
  if (leaf_index >= kP) throw BadInput("leaf index " + std::to_string(leaf_index) + " is not below p");
  std::array<M31, 13> msg;
  std::copy(nk.begin(), nk.end(), msg.begin());
  std::copy(cm.begin(), cm.end(), msg.begin() + 4);
  msg[12] = M31(uint32_t(leaf_index));
  return poseidon2::hash(tag::kNullifier, msg);
}

std::array<uint8_t, kNoteBytes> note_bytes(const Note& n) {
  return le_bytes(fields(n));
}

Note note_from_bytes(const uint8_t* p) {
  Note n;
  n.owner = key_from_bytes(p);
  n.asset = element(read_le32(p + 16), "asset");
  n.amount_lo = element(read_le32(p + 20), "amount limb");
  n.amount_hi = element(read_le32(p + 24), "amount limb");
  n.blinding = key_from_bytes(p + 28);
  check_limbs(n);
  return n;
}

}  // namespace zkm31::vm31
