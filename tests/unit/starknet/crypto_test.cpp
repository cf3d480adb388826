#include <gtest/gtest.h>

#include "starknet/curve.hpp"
#include "starknet/encoding.hpp"
#include "starknet/keccak.hpp"
#include "starknet/pedersen.hpp"
#include "vectors.hpp"

using namespace zkm31;
using namespace zkm31::starknet;
using test::felt;
using test::felts;
using test::vectors;

TEST(Pedersen, StarknetJsVectors) {
  for (FeltArithmetic arith : test::arithmetics()) {
    SCOPED_TRACE(test::name(arith));
    test::UseArithmetic use(arith);
    for (const auto& v : vectors()["pedersen_pair"])
      EXPECT_EQ(pedersen_hash(felt(v["x"]), felt(v["y"])).hex(), v["hash"].get<std::string>()) << v.dump();
    for (const auto& v : vectors()["pedersen_on_elements"])
      EXPECT_EQ(compute_hash_on_elements(felts(v["input"])).hex(), v["hash"].get<std::string>()) << v.dump();
  }
}

TEST(Pedersen, ConstantPointsAreOnTheCurve) {
  for (const auto& p : vectors()["pedersen_points"]["points"])
    EXPECT_TRUE(on_curve({felt(p["x"]), felt(p["y"]), false}));
}

TEST(Keccak, KnownDigests) {
  // keccak256("") and keccak256("abc") (Keccak team / Ethereum test values).
  EXPECT_EQ(U256::from_be_bytes(keccak256({})).hex(), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  const uint8_t abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(U256::from_be_bytes(keccak256(abc)).hex(), "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(Keccak, Selectors) {
  for (const auto& v : vectors()["selectors"])
    EXPECT_EQ(selector(v["name"].get<std::string>()).hex(), v["selector"].get<std::string>()) << v.dump();
}

TEST(Encoding, ShortStrings) {
  for (const auto& v : vectors()["short_strings"]) {
    const std::string text = v["text"];
    EXPECT_EQ(short_string(text).hex(), v["felt"].get<std::string>()) << text;
    EXPECT_EQ(decode_short_string(short_string(text)), text);
  }
  for (const auto& t : vectors()["short_strings_too_long"]) EXPECT_THROW(short_string(t.get<std::string>()), BadInput);
  EXPECT_THROW(short_string("h\xc3\xa9llo"), BadInput);
}

TEST(Encoding, ByteArrays) {
  for (const auto& v : vectors()["byte_arrays"]) {
    std::vector<std::string> got;
    for (const Felt& f : byte_array(v["text"].get<std::string>())) got.push_back(f.hex());
    EXPECT_EQ(got, v["calldata"].get<std::vector<std::string>>()) << v["text"];
  }
}

TEST(Encoding, U256) {
  for (const auto& v : vectors()["u256"]) {
    const auto parts = u256_split(U256::parse(v["value"].get<std::string>()));
    EXPECT_EQ(parts.low.hex(), v["low"].get<std::string>());
    EXPECT_EQ(parts.high.hex(), v["high"].get<std::string>());
  }
}

TEST(Ecdsa, GeneratorAndOrder) {
  EXPECT_TRUE(on_curve(generator()));
  EXPECT_TRUE(mul(generator(), kN).infinity);
  U256 nm1 = kN;
  sub_from(nm1, U256(1));
  EXPECT_EQ(mul(generator(), nm1), neg(generator()));
  EXPECT_EQ(add(generator(), generator()), mul(generator(), U256(2)));
}

TEST(Ecdsa, StarknetJsVectors) {
  for (FeltArithmetic arith : test::arithmetics()) {
  SCOPED_TRACE(test::name(arith));
  test::UseArithmetic use(arith);
  for (const auto& v : vectors()["ecdsa"]) {
    const U256 key = U256::parse(v["private_key"].get<std::string>());
    const U256 msg = U256::parse(v["msg_hash"].get<std::string>());
    const Point pub = public_key(key);
    EXPECT_EQ(pub.x.hex(), v["public_key"]["x"].get<std::string>());
    EXPECT_EQ(pub.y.hex(), v["public_key"]["y"].get<std::string>());
    EXPECT_EQ(pub.x.hex(), v["stark_key"].get<std::string>());
    const Signature sig = sign(msg, key);
    EXPECT_EQ(sig.r.hex(), v["r"].get<std::string>()) << v.dump();
    EXPECT_EQ(sig.s.hex(), v["s"].get<std::string>()) << v.dump();
    EXPECT_EQ(verify(msg, sig, pub), v["verifies"].get<bool>());
    U256 other = msg;
    add_to(other, U256(1));
    EXPECT_EQ(verify(other, sig, pub), v["verifies_other_msg"].get<bool>());
    EXPECT_TRUE(verify_stark_key(msg, sig, pub.x));
  }
  }
}

TEST(Ecdsa, RejectsTamperedSignatures) {
  for (FeltArithmetic arith : test::arithmetics()) {
  SCOPED_TRACE(test::name(arith));
  test::UseArithmetic use(arith);
  const U256 key = U256::parse("0x1234567890abcdef"), msg = U256::parse("0x5eed");
  const Point pub = public_key(key);
  const Signature sig = sign(msg, key);
  ASSERT_TRUE(verify(msg, sig, pub));
  EXPECT_FALSE(verify(msg, {sig.r + Felt::one(), sig.s}, pub));
  EXPECT_FALSE(verify(msg, {sig.r, sig.s + Felt::one()}, pub));
  EXPECT_FALSE(verify(msg, {Felt::zero(), sig.s}, pub));
  EXPECT_FALSE(verify(msg, {sig.r, Felt::zero()}, pub));
  EXPECT_FALSE(verify(msg, sig, public_key(U256(2))));
  EXPECT_FALSE(verify_stark_key(msg, sig, public_key(U256(2)).x));
  Point off = pub;
  off.y += Felt::one();
  EXPECT_FALSE(verify(msg, sig, off));  // not on the curve
  // Range checks. msg + N ≡ msg (mod N) would verify without the 2^251 bound on the hash.
  U256 msg_wrapped = msg;
  add_to(msg_wrapped, kN);
  EXPECT_FALSE(verify(msg_wrapped, sig, pub));
  EXPECT_FALSE(verify(msg, {Felt::from_u256(U256(0, 0, 0, 1ull << 59)), sig.s}, pub));  // r = 2^251
  EXPECT_FALSE(verify(msg, {sig.r, Felt::from_u256(kN)}, pub));                        // s = N
  }
}

TEST(Ecdsa, RejectsBadInputs) {
  EXPECT_THROW(public_key(U256(0)), BadInput);
  EXPECT_THROW(public_key(kN), BadInput);
  EXPECT_THROW(sign(U256(0, 0, 0, 1ull << 59), U256(1)), BadInput);  // hash = 2^251
}
