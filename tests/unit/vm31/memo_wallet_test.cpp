// Memo encryption (recipient and viewing-key holder read, nobody else; tamper and moved memos
// refused) and the password-sealed wallet (permissions, wrong password, corruption).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "error/error.hpp"
#include "support.hpp"
#include "vm31/files.hpp"
#include "vm31/memo.hpp"
#include "vm31/wallet.hpp"

using namespace zkm31;
using namespace zkm31::vm31;

TEST(Vm31Memo, OnlyTheRecipientsViewingKeyOpensIt) {
  Key alice = random_key(), bob = random_key();
  Note n = make_note(public_key(bob), 3, 1234);
  Digest cm = commitment(n);
  Memo memo = encrypt_memo(n, address_of(bob).encryption, cm);
  auto opened = decrypt_memo(memo, viewing_key(bob), cm);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, n);
  // An auditor holding only Bob's viewing keys (exported as text) reads it too.
  ViewingKeys audit = parse_viewing_keys(viewing_keys_text(viewing_keys(bob)));
  EXPECT_TRUE(decrypt_memo(memo, audit.viewing, cm));
  EXPECT_FALSE(decrypt_memo(memo, viewing_key(alice), cm));  // wrong recipient
  // The note's plaintext never appears in the memo.
  auto plain = note_bytes(n);
  EXPECT_EQ(std::search(memo.begin(), memo.end(), plain.begin() + 16, plain.begin() + 28), memo.end());
}

TEST(Vm31Memo, TamperedOrMovedMemosAreRefused) {
  Key bob = random_key();
  Note n = make_note(public_key(bob), 3, 99);
  Digest cm = commitment(n);
  Memo memo = encrypt_memo(n, address_of(bob).encryption, cm);
  for (size_t i = 0; i < kMemoBytes; i += 7) {
    Memo bad = memo;
    bad[i] ^= 1;
    EXPECT_FALSE(decrypt_memo(bad, viewing_key(bob), cm)) << i;
  }
  Note other = make_note(public_key(bob), 3, 99);
  EXPECT_FALSE(decrypt_memo(memo, viewing_key(bob), commitment(other)));  // moved onto another commitment
  // A sender that seals a note which does not hash to the published commitment gets nothing read.
  Memo lying = encrypt_memo(other, address_of(bob).encryption, cm);
  EXPECT_FALSE(decrypt_memo(lying, viewing_key(bob), cm));
  X25519Key low_order{};  // the all-zero point has no shared secret
  EXPECT_THROW(encrypt_memo(n, low_order, cm), BadInput);
  EXPECT_NE(memo_hash(memo), memo_hash(encrypt_memo(n, address_of(bob).encryption, cm)));  // fresh randomness
}

namespace {
mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}
}  // namespace

TEST(Vm31Wallet, CreateOpenPermissions) {
  TempDir tmp;
  const std::string dir = tmp / "w";
  Key sk;
  {
    Wallet w = Wallet::create(dir, "correct horse");
    sk = w.spending_key();
  }
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(wallet_file(dir)), 0600u);
  EXPECT_EQ(Wallet::open(dir, "correct horse").spending_key(), sk);
  EXPECT_NE(reason([&] { Wallet::create(dir, "x"); }).find("already holds a wallet"), std::string::npos);
  EXPECT_NE(reason([&] { Wallet::create(tmp / "v", ""); }).find("empty"), std::string::npos);
  EXPECT_NE(reason([&] { Wallet::open(dir, "wrong"); }).find("wrong password"), std::string::npos);
  ::chmod(wallet_file(dir).c_str(), 0644);
  EXPECT_NE(reason([&] { Wallet::open(dir, "correct horse"); }).find("mode 644"), std::string::npos);
  ::chmod(wallet_file(dir).c_str(), 0600);
  ::chmod(dir.c_str(), 0755);
  EXPECT_NE(reason([&] { Wallet::open(dir, "correct horse"); }).find("mode 755"), std::string::npos);
  ::chmod(dir.c_str(), 0700);
  EXPECT_NE(reason([&] { Wallet::open(tmp / "missing", "x"); }), "(accepted)");
  // The key on disk is sealed: its bytes do not appear in the file.
  auto file = read_file(wallet_file(dir), "wallet");
  auto key = key_bytes(sk);
  EXPECT_EQ(std::search(file.begin(), file.end(), key.begin(), key.end()), file.end());
}

TEST(Vm31Wallet, EveryDamagedByteIsCorruptionNotAWrongPassword) {
  TempDir tmp;
  const std::string dir = tmp / "w";
  Wallet::create(dir, "pw");
  const auto good = read_file(wallet_file(dir), "wallet");
  for (size_t i = 0; i < good.size(); i += 5) {
    auto bad = good;
    bad[i] ^= 0x20;
    write_private(wallet_file(dir), bad);
    EXPECT_NE(reason([&] { Wallet::open(dir, "pw"); }).find("corrupted wallet"), std::string::npos) << i;
  }
  std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  write_private(wallet_file(dir), truncated);
  EXPECT_NE(reason([&] { Wallet::open(dir, "pw"); }).find("corrupted wallet"), std::string::npos);
  write_private(wallet_file(dir), good);
  EXPECT_NO_THROW(Wallet::open(dir, "pw"));
}
