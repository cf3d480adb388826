// Keys, addresses, notes, commitments, nullifiers and the commitment tree.
#include <gtest/gtest.h>

#include <vector>

#include "error/error.hpp"
#include "vm31/tags.hpp"
#include "vm31/tree.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

TEST(Vm31Keys, DerivedKeysAreDistinctAndDeterministic) {
  Key sk = random_key();
  EXPECT_EQ(public_key(sk), public_key(sk));
  std::vector<Key> keys = {sk, public_key(sk), viewing_key(sk), nullifier_key(sk)};
  for (size_t i = 0; i < keys.size(); ++i)
    for (size_t j = 0; j < i; ++j) EXPECT_NE(keys[i], keys[j]);
  EXPECT_NE(public_key(random_key()), public_key(sk));
  // The public key is the tagged sponge of the spending key, nothing else.
  poseidon2::Digest d = poseidon2::hash(tag::kPublicKey, sk);
  EXPECT_EQ(public_key(sk), (Key{d[0], d[1], d[2], d[3]}));
  EXPECT_EQ(address_of(sk), address_of(viewing_keys(sk)));
}

TEST(Vm31Keys, AddressTextRoundTripsAndRefusesDamage) {
  Address a = address_of(random_key());
  std::string text = address_text(a);
  EXPECT_EQ(text.substr(0, 5), "vm31:");
  EXPECT_EQ(parse_address(text), a);
  std::string flipped = text;
  flipped[20] = flipped[20] == 'a' ? 'b' : 'a';
  EXPECT_THROW(parse_address(flipped), BadInput);
  EXPECT_THROW(parse_address(text.substr(0, text.size() - 1)), BadInput);
  EXPECT_THROW(parse_address("vm32" + text.substr(4)), BadInput);
  std::string nonhex = text;
  nonhex[10] = 'g';
  EXPECT_THROW(parse_address(nonhex), BadInput);
  ViewingKeys vk = viewing_keys(random_key());
  EXPECT_EQ(parse_viewing_keys(viewing_keys_text(vk)), vk);
  EXPECT_THROW(parse_viewing_keys(text), BadInput);  // an address is not a viewing key
}

TEST(Vm31Note, LimbsCommitmentAndNullifier) {
  Key owner = public_key(random_key());
  Note n = make_note(owner, 7, (uint64_t(5) << 30) + 3);
  EXPECT_EQ(n.amount_lo, M31(3));
  EXPECT_EQ(n.amount_hi, M31(5));
  EXPECT_EQ(n.amount(), (uint64_t(5) << 30) + 3);
  EXPECT_EQ(make_note(owner, 7, kMaxAmount).amount(), kMaxAmount);
  EXPECT_THROW(make_note(owner, 7, kMaxAmount + 1), BadInput);
  EXPECT_THROW(make_note(owner, kP, 1), BadInput);
  EXPECT_NE(make_note(owner, 7, 1).blinding, make_note(owner, 7, 1).blinding);
  // Every field is bound by the commitment.
  Digest cm = commitment(n);
  for (auto change : {+[](Note& x) { x.owner[2] += M31(1); }, +[](Note& x) { x.asset += M31(1); },
                      +[](Note& x) { x.amount_lo += M31(1); }, +[](Note& x) { x.amount_hi += M31(1); },
                      +[](Note& x) { x.blinding[3] += M31(1); }}) {
    Note m = n;
    change(m);
    EXPECT_NE(commitment(m), cm);
  }
  Key nk = nullifier_key(random_key());
  EXPECT_NE(nullifier(nk, cm, 0), nullifier(nk, cm, 1));
  EXPECT_NE(nullifier(nk, cm, 0), nullifier(nullifier_key(random_key()), cm, 0));
  EXPECT_NE(nullifier(nk, cm, 0), cm);
  auto bytes = note_bytes(n);
  EXPECT_EQ(note_from_bytes(bytes.data()), n);
  bytes[23] = 0x40;  // low limb ≥ 2^30
  EXPECT_THROW(note_from_bytes(bytes.data()), BadInput);
}

namespace {
Digest leaf_of(uint32_t i) {
  Digest d{};
  d[0] = M31(i + 1);
  return d;
}
// The root by hashing all 2^20 leaves level by level would be slow; a tree of n leaves has the same
// root as the explicit fold over a 2^k prefix padded with empty subtrees.
Digest naive_root(const std::vector<Digest>& leaves) {
  std::vector<Digest> level = leaves;
  poseidon2::Compression h(tag::kMerkleNode);
  for (size_t d = 0; d < kTreeDepth; ++d) {
    if (level.size() % 2) level.push_back(empty_subtree(d));
    std::vector<Digest> up;
    for (size_t i = 0; i < level.size(); i += 2) up.push_back(h(level[i], level[i + 1]));
    level = up.empty() ? std::vector<Digest>{empty_subtree(d + 1)} : up;
  }
  return level[0];
}
}  // namespace

TEST(Vm31Tree, RootsAndPathsMatchANaiveTree) {
  CommitmentTree tree;
  EXPECT_EQ(tree.root(), empty_subtree(kTreeDepth));
  std::vector<Digest> leaves;
  for (uint32_t i = 0; i < 21; ++i) {
    EXPECT_EQ(tree.append(leaf_of(i)), i);
    leaves.push_back(leaf_of(i));
    ASSERT_EQ(tree.root(), naive_root(leaves)) << i;
  }
  for (uint64_t i = 0; i < tree.size(); ++i) EXPECT_EQ(root_from_path(tree.leaf(i), tree.path(i)), tree.root());
  EXPECT_THROW(tree.path(21), BadInput);
}

TEST(Vm31Tree, ForgedPathsLeadElsewhere) {
  CommitmentTree tree;
  for (uint32_t i = 0; i < 5; ++i) tree.append(leaf_of(i));
  MembershipPath p = tree.path(3);
  EXPECT_NE(root_from_path(leaf_of(99), p), tree.root());  // a leaf that was never appended
  MembershipPath moved = p;
  moved.index = 2;
  EXPECT_NE(root_from_path(leaf_of(3), moved), tree.root());
  MembershipPath sib = p;
  sib.siblings[4][0] += M31(1);
  EXPECT_NE(root_from_path(leaf_of(3), sib), tree.root());
  MembershipPath beyond = p;
  beyond.index = p.index + kTreeCapacity;  // would alias index 3 if high bits were ignored
  EXPECT_THROW(root_from_path(leaf_of(3), beyond), BadInput);
}
