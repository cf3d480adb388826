#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "starknet/felt.hpp"
#include "starknet/poseidon.hpp"
#include "vectors.hpp"

using namespace zkm31;
using namespace zkm31::starknet;
using test::felt;
using test::felts;
using test::vectors;

namespace {
const nlohmann::json& reference() {
  static const nlohmann::json r = [] {
    std::ifstream in(std::string(ZKM31_SHARED_DIR) + "/reference/starknet.json");
    return nlohmann::json::parse(in);
  }();
  return r;
}
}  // namespace

TEST(Felt, PrimeMatchesReference) {
  EXPECT_EQ(kP.hex(), reference()["felt252_prime"]["hex"].get<std::string>());
  EXPECT_EQ(kP.dec(), reference()["felt252_prime"]["value"].get<std::string>());
  EXPECT_EQ(kN.hex(), reference()["stark_curve"]["order"].get<std::string>());
}

TEST(Felt, ParseAndPrint) {
  EXPECT_EQ(U256::parse("0x00ff").hex(), "0xff");
  EXPECT_EQ(U256::parse("255").hex(), "0xff");
  EXPECT_EQ(U256::parse("0").hex(), "0x0");
  EXPECT_EQ(U256::parse("115792089237316195423570985008687907853269984665640564039457584007913129639935").hex(),
            "0x" + std::string(64, 'f'));
  EXPECT_THROW(U256::parse("115792089237316195423570985008687907853269984665640564039457584007913129639936"), BadInput);
  EXPECT_THROW(U256::parse("0x1" + std::string(64, '0')), BadInput);
  EXPECT_THROW(U256::parse("0xg"), BadInput);
  EXPECT_THROW(U256::parse(""), BadInput);
  EXPECT_THROW(U256::parse("-1"), BadInput);
}

TEST(Felt, RejectsValuesNotBelowP) {
  EXPECT_THROW(Felt::from_u256(kP), BadInput);
  U256 pm1 = kP;
  sub_from(pm1, U256(1));
  EXPECT_EQ(Felt::from_u256(pm1).value(), pm1);
  EXPECT_THROW(Felt::parse("0x" + std::string(64, 'f')), BadInput);
  EXPECT_EQ(Felt::reduce(kP), Felt::zero());
}

TEST(Felt, Arithmetic) {
  const Felt a = Felt::parse("0x123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
  const Felt b = Felt::parse("0x7ffffffffffffff0fedcba9876543210fedcba9876543210fedcba987654321");
  EXPECT_EQ((a + b) - b, a);
  EXPECT_EQ(a * a.inverse(), Felt::one());
  EXPECT_EQ(-Felt::one() + Felt::one(), Felt::zero());
  U256 pm1 = kP;
  sub_from(pm1, U256(1));
  EXPECT_EQ((-Felt::one()).value(), pm1);
  EXPECT_EQ((a * b) * a.inverse(), b);
  // (P−1)² = 1
  EXPECT_EQ((-Felt::one()).square(), Felt::one());
  Felt r;
  ASSERT_TRUE(sqrt(a.square(), r));
  EXPECT_TRUE(r == a || r == -a);
  EXPECT_FALSE(sqrt(Felt::from_u64(3), r));  // 3 is a non-residue mod P
}

TEST(Poseidon, RoundConstantAndPermutationFromReference) {
  for (FeltArithmetic arith : test::arithmetics()) {
  SCOPED_TRACE(test::name(arith));
  test::UseArithmetic use(arith);
  const auto& ref = reference()["poseidon_hades"];
  EXPECT_EQ(poseidon_round_constants()[0][0].hex(), ref["round_constants_first_check"]["round0_pos0_hex"].get<std::string>());
  PoseidonState s{Felt::from_u64(1), Felt::from_u64(2), Felt::from_u64(3)};
  hades_permutation(s);
  const auto& want = ref["published_vectors_checked_here"]["hades_permutation(1, 2, 3)"];
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s[i].value().dec(), want[i].get<std::string>());
  const auto& spans = ref["published_vectors_checked_here"];
  std::vector<Felt> v3{Felt::from_u64(1), Felt::from_u64(2), Felt::from_u64(3)};
  EXPECT_EQ(poseidon_hash_many(v3).hex(), spans["poseidon_hash_span([1, 2, 3])"].get<std::string>());
  v3.push_back(Felt::from_u64(4));
  EXPECT_EQ(poseidon_hash_many(v3).hex(), spans["poseidon_hash_span([1, 2, 3, 4])"].get<std::string>());
  }
}

namespace {
// The textbook permutation on canonical felts: constants, S-boxes (all lanes in full rounds, lane 2
// in partial ones), MDS [[3,1,1],[1,−1,1],[1,1,−2]] — nothing lazy, nothing rearranged.
PoseidonState plain_permutation(PoseidonState s) {
  const auto& rc = poseidon_round_constants();
  for (int r = 0; r < 91; ++r) {
    for (int j = 0; j < 3; ++j) s[j] += rc[r][j];
    for (int j = 0; j < 3; ++j)
      if (r < 4 || r >= 87 || j == 2) s[j] = s[j].square() * s[j];
    const Felt t = s[0] + s[1] + s[2];
    s = {t + s[0].dbl(), t - s[1].dbl(), t - s[2].dbl() - s[2]};
  }
  return s;
}
Felt plain_hash_many(const std::vector<Felt>& values) {
  std::vector<Felt> v = values;
  v.push_back(Felt::one());
  if (v.size() % 2) v.push_back(Felt::zero());
  PoseidonState s{};
  for (size_t i = 0; i < v.size(); i += 2) {
    s[0] += v[i];
    s[1] += v[i + 1];
    s = plain_permutation(s);
  }
  return s[0];
}
}  // namespace

TEST(Poseidon, MatchesPlainPermutationOnEdgeAndRandomStates) {
  const Felt m1 = -Felt::one();
  std::mt19937_64 g(3);
  auto random_felt = [&] { return Felt::reduce(U256(g(), g(), g(), g() >> 4)); };
  std::vector<PoseidonState> states = {{Felt::zero(), Felt::zero(), Felt::zero()}, {m1, m1, m1}, {m1, Felt::zero(), m1}};
  for (int i = 0; i < 20; ++i) states.push_back({random_felt(), random_felt(), random_felt()});
  std::vector<Felt> inputs;
  for (int i = 0; i < 40; ++i) inputs.push_back(i % 5 == 0 ? m1 : random_felt());
  for (FeltArithmetic arith : test::arithmetics()) {
    SCOPED_TRACE(test::name(arith));
    test::UseArithmetic use(arith);
    for (const PoseidonState& s0 : states) {
      PoseidonState s = s0;
      hades_permutation(s);
      EXPECT_EQ(s, plain_permutation(s0)) << s0[0].hex() << " " << s0[1].hex() << " " << s0[2].hex();
    }
    for (size_t n : {0, 1, 2, 3, 4, 5, 17, 40}) {
      const std::vector<Felt> v(inputs.begin(), inputs.begin() + n);
      EXPECT_EQ(poseidon_hash_many(v), plain_hash_many(v)) << n;
    }
  }
}

TEST(Poseidon, StarknetJsVectors) {
  for (FeltArithmetic arith : test::arithmetics()) {
    SCOPED_TRACE(test::name(arith));
    test::UseArithmetic use(arith);
    for (const auto& v : vectors()["poseidon_pair"])
      EXPECT_EQ(poseidon_hash(felt(v["x"]), felt(v["y"])).hex(), v["hash"].get<std::string>()) << v.dump();
    for (const auto& v : vectors()["poseidon_single"])
      EXPECT_EQ(poseidon_hash_single(felt(v["x"])).hex(), v["hash"].get<std::string>()) << v.dump();
    for (const auto& v : vectors()["poseidon_many"])
      EXPECT_EQ(poseidon_hash_many(felts(v["input"])).hex(), v["hash"].get<std::string>()) << v.dump();
  }
}
