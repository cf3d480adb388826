#include <gtest/gtest.h>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "starknet/encoding.hpp"
#include "starknet/poseidon.hpp"
#include "starknet/proof_calldata.hpp"

using namespace zkm31;
using namespace zkm31::starknet;

namespace {
std::vector<uint8_t> body(bool reversed, std::vector<M31> in = {M31(1), M31(2), M31(3)}) {
  artifact::BodyWriter w(4);
  std::array<uint8_t, 32> digest{};
  for (int i = 0; i < 32; ++i) digest[i] = (uint8_t)i;
  auto a = [&] { w.key("public_input"), w.m31s(in); };
  auto b = [&] { w.key("public_output"), w.m31s(std::vector<M31>{M31(0x7ffffffe)}); };
  auto c = [&] { w.key("commitment"), w.bin(digest); };
  auto d = [&] {
    w.key("meta");
    w.pk.pack_array(3);
    w.pk.pack_int64(-5);
    w.pk.pack(std::string("ab"));
    w.pk.pack_nil();
  };
  if (reversed) d(), c(), b(), a();
  else a(), b(), c(), d();
  auto s = w.bytes();
  return {s.begin(), s.end()};
}
std::vector<std::string> hexes(const std::vector<Felt>& v) {
  std::vector<std::string> out;
  for (const Felt& f : v) out.push_back(f.hex());
  return out;
}
}  // namespace

TEST(ProofCalldata, LayoutIsDocumentedAndKeyOrderIndependent) {
  const auto felts = encode_body(body(false));
  EXPECT_EQ(hexes(felts), hexes(encode_body(body(true))));
  std::vector<Felt> want{Felt::from_u64(4),
                         short_string("commitment"), Felt::from_u64(1), Felt::parse("0x000102030405060708090a0b0c0d0e0f"),
                         Felt::parse("0x101112131415161718191a1b1c1d1e1f"),
                         short_string("meta"), Felt::from_u64(3), -Felt::from_u64(5)};
  for (const Felt& f : byte_array("ab")) want.push_back(f);
  want.push_back(Felt::zero());
  want.push_back(short_string("public_input"));
  want.push_back(Felt::from_u64(3));
  want.push_back(Felt::parse("0x" + U256(1 | (2ull << 31) | (3ull << 62), 0, 0, 0).hex().substr(2)));  // bits cross limb 0
  want.push_back(short_string("public_output"));
  want.push_back(Felt::from_u64(1));
  want.push_back(Felt::from_u64(0x7ffffffe));
  EXPECT_EQ(hexes(felts), hexes(want));
}

TEST(ProofCalldata, PacksEightWordsPerFelt) {
  std::vector<M31> in;
  for (uint32_t i = 0; i < 9; ++i) in.push_back(M31(0x7ffffffe - i));
  artifact::BodyWriter w(1);
  w.key("x"), w.m31s(in);
  auto s = w.bytes();
  const auto felts = encode_body({s.begin(), s.end()});
  ASSERT_EQ(felts.size(), 1u + 1 + 1 + 2);
  U256 first;
  for (int i = 7; i >= 0; --i) first = shl(first, 31), add_to(first, U256(in[i].v));
  EXPECT_EQ(felts[3].value(), first);
  EXPECT_EQ(felts[4].value(), U256(in[8].v));
}

// An encoded graph or a nested artifact is bytes even when its length is a multiple of 4.
TEST(ProofCalldata, GraphAndCertificateBinsAreBytes) {
  const std::vector<uint8_t> opaque = {0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04};
  for (const char* key : {"graph", "weight_certificate"}) {
    artifact::BodyWriter w(1);
    w.key(key), w.bin(opaque);
    auto s = w.bytes();
    const auto felts = encode_body({s.begin(), s.end()});
    ASSERT_EQ(felts.size(), 4u) << key;  // n, key, n_bytes, one chunk
    EXPECT_EQ(felts[2], Felt::from_u64(8)) << key;
    EXPECT_EQ(felts[3].value(), U256::from_be_bytes(opaque)) << key;
  }
  EXPECT_TRUE(is_bytes_key("weight_certificate"));
  EXPECT_FALSE(is_bytes_key("stream"));
}

TEST(ProofCalldata, IoCommitmentHashesLengthsAndValues) {
  const auto b = body(false);
  std::vector<Felt> io{Felt::from_u64(3), Felt::from_u64(1), Felt::from_u64(2), Felt::from_u64(3), Felt::from_u64(1), Felt::from_u64(0x7ffffffe)};
  EXPECT_EQ(io_commitment(b), poseidon_hash_many(io));
  EXPECT_FALSE(io_commitment(body(false, {M31(1), M31(2), M31(4)})) == io_commitment(b));
  const auto art = artifact::wrap("proof", 1, b);
  const auto cd = proof_calldata(art);
  EXPECT_EQ(cd.felts[0], cd.io_commitment);
  EXPECT_EQ(cd.felts[1], Felt::from_u64(1));
  EXPECT_EQ(cd.felts.size(), 2 + encode_body(b).size());
}

TEST(ProofCalldata, RejectsMalformedInput) {
  artifact::BodyWriter w(2);
  w.key("input"), w.u32s(std::vector<uint32_t>{0x80000000u});
  w.key("output"), w.u32s(std::vector<uint32_t>{1});
  auto s = w.bytes();
  const std::vector<uint8_t> bad(s.begin(), s.end());
  EXPECT_THROW(encode_body(bad), BadInput);    // a word ≥ 2^31 cannot be packed as M31
  EXPECT_THROW(io_commitment(bad), BadInput);  // nor is it an M31 residue
  artifact::BodyWriter w2(1);
  w2.key("output"), w2.u32s(std::vector<uint32_t>{1});
  auto s2 = w2.bytes();
  EXPECT_THROW(io_commitment({s2.begin(), s2.end()}), BadInput);  // no input field
  EXPECT_THROW(proof_calldata(artifact::wrap("trace", 1, body(false))), BadInput);
}

TEST(FeltText, LinesAndJson) {
  EXPECT_EQ(hexes(parse_felt_text(" 0x1\n2\r\n 0x03 ")), (std::vector<std::string>{"0x1", "0x2", "0x3"}));
  EXPECT_EQ(hexes(parse_felt_text("[\"0x1\", \"7\"]")), (std::vector<std::string>{"0x1", "0x7"}));
  EXPECT_TRUE(parse_felt_text("").empty());
  EXPECT_THROW(parse_felt_text("0x1 zz"), BadInput);
  EXPECT_THROW(parse_felt_text("[1, 2]"), BadInput);
  EXPECT_THROW(parse_felt_text("0x800000000000011000000000000000000000000000000000000000000000001"), BadInput);
}

TEST(PoseidonMerkle, LevelsCarryTheOddNodeAndBindTheCount) {
  const Felt a = Felt::from_u64(1), b = Felt::from_u64(2), c = Felt::from_u64(3);
  const std::vector<Felt> three{a, b, c};
  EXPECT_EQ(poseidon_merkle_root(three), poseidon_hash(Felt::from_u64(3), poseidon_hash(poseidon_hash(a, b), c)));
  EXPECT_EQ(poseidon_merkle_root(std::vector<Felt>{a}), poseidon_hash(Felt::from_u64(1), a));
  EXPECT_FALSE(poseidon_merkle_root(std::vector<Felt>{b, a, c}) == poseidon_merkle_root(three));  // order matters
  EXPECT_FALSE(poseidon_merkle_root(std::vector<Felt>{a, b}) == poseidon_merkle_root(three));     // so does a deletion
  EXPECT_THROW(poseidon_merkle_root(std::vector<Felt>{}), BadInput);
}

TEST(ProofCalldata, IoCommitmentFromResiduesEqualsTheBodys) {
  const std::vector<uint32_t> in{1, 2, 3}, out{0x7ffffffe};
  EXPECT_EQ(io_commitment(in, out), io_commitment(body(false)));
}
