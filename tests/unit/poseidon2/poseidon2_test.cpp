// Poseidon2-M31 width 16 against ../shared/reference/poseidon2_m31_w16.json (Plonky3's constants and
// test vector, plus vectors computed by the reference script), the packed-lane version against the
// scalar one, the exposed round states and linear layers against their definitions, and the
// sponge / compression domain separation.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "poseidon2/generic.hpp"
#include "poseidon2/sponge.hpp"

using namespace zkm31;
using namespace zkm31::poseidon2;
using nlohmann::json;

namespace {

json reference() {
  std::ifstream f(std::string(ZKM31_SHARED_DIR) + "/reference/poseidon2_m31_w16.json");
  EXPECT_TRUE(f.good()) << "missing shared/reference/poseidon2_m31_w16.json";
  return json::parse(f);
}

State state_of(const json& values) {
  State s;
  EXPECT_EQ(values.size(), kWidth);
  for (size_t i = 0; i < kWidth; ++i) s[i] = M31(values[i].get<uint32_t>());
  return s;
}

State random_state(std::mt19937_64& rng) {
  State s;
  for (auto& x : s) x = M31(uint32_t(rng() % kP));
  return s;
}

// y = A·x for a dense 16×16 matrix given by entry(i, j).
template <typename Entry>
State dense(const State& x, Entry entry) {
  State y{};
  for (size_t i = 0; i < kWidth; ++i)
    for (size_t j = 0; j < kWidth; ++j) y[i] += M31::from_signed(entry(i, j)) * x[j];
  return y;
}

}  // namespace

TEST(Poseidon2, ConstantsMatchTheReferenceFile) {
  json rc = reference()["round_constants"];
  for (size_t r = 0; r < kHalfFullRounds; ++r)
    for (size_t i = 0; i < kWidth; ++i) {
      EXPECT_EQ(kExternalInitial[r][i], rc["external_initial"][r][i].get<uint32_t>()) << r << "," << i;
      EXPECT_EQ(kExternalFinal[r][i], rc["external_final"][r][i].get<uint32_t>()) << r << "," << i;
    }
  ASSERT_EQ(rc["internal"].size(), kPartialRounds);
  for (size_t r = 0; r < kPartialRounds; ++r) EXPECT_EQ(kInternal[r], rc["internal"][r].get<uint32_t>());
  json v = reference()["internal_linear_layer"]["V_mod_p"];
  for (size_t i = 1; i < kWidth; ++i) EXPECT_EQ(uint32_t(1) << kInternalShifts[i - 1], v[i].get<uint32_t>());
}

TEST(Poseidon2, PublishedAndComputedVectors) {
  json vectors = reference()["test_vectors"];
  size_t count = 0;
  for (const char* group : {"published", "computed"})
    for (const json& v : vectors[group]) {
      EXPECT_EQ(permuted(state_of(v["input"])), state_of(v["output"])) << v["name"];
      ++count;
    }
  EXPECT_GE(count, 4u);
  // Plonky3's test_default_mersenne31_poseidon2_width_16, inline so that a changed file cannot hide it.
  State in;
  for (size_t i = 0; i < kWidth; ++i) in[i] = M31(uint32_t(i));
  EXPECT_EQ(permuted(in)[0], M31(187465786u));
  EXPECT_EQ(permuted(in)[15], M31(427022065u));
}

TEST(Poseidon2, OneChangedInputElementChangesEveryOutput) {
  State in{};
  State base = permuted(in);
  for (size_t i = 0; i < kWidth; ++i) {
    State flipped = in;
    flipped[i] = M31(1);
    State out = permuted(flipped);
    for (size_t j = 0; j < kWidth; ++j) EXPECT_NE(out[j], base[j]) << i << "," << j;
  }
}

TEST(Poseidon2, PackedLanesEqualScalar) {
  std::mt19937_64 rng(7);
  for (size_t n : {0u, 1u, 15u, 16u, 17u, 37u, 64u}) {
    std::vector<State> states(n);
    for (auto& s : states) s = random_state(rng);
    std::vector<State> packed = states;
    permute_many(packed);
    for (size_t k = 0; k < n; ++k) EXPECT_EQ(packed[k], permuted(states[k])) << n << "/" << k;
  }
  // Boundary residues in every lane.
  std::vector<State> edge(16);
  for (size_t j = 0; j < 16; ++j) edge[j].fill(M31(j % 2 ? kP - 1 : 0));
  std::vector<State> packed = edge;
  permute_many(packed);
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(packed[j], permuted(edge[j]));
}

TEST(Poseidon2, LinearLayersEqualTheirMatrices) {
  const int m4[4][4] = {{2, 3, 1, 1}, {1, 2, 3, 1}, {1, 1, 2, 3}, {3, 1, 1, 2}};
  const int64_t v[kWidth] = {-2, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 8192, 16384, 32768, 65536};
  std::mt19937_64 rng(11);
  for (int t = 0; t < 20; ++t) {
    State x = random_state(rng);
    if (t == 0) x.fill(M31(kP - 1));
    State e = x, in = x;
    external_linear(e);
    internal_linear(in);
    EXPECT_EQ(e, dense(x, [&](size_t i, size_t j) { return int64_t(i / 4 == j / 4 ? 2 : 1) * m4[i % 4][j % 4]; }));
    EXPECT_EQ(in, dense(x, [&](size_t i, size_t j) { return int64_t(1) + (i == j ? v[i] : 0); }));
  }
}

TEST(Poseidon2, RoundStatesFollowTheOrderOfOperations) {
  std::mt19937_64 rng(3);
  State in = random_state(rng);
  RoundStates rs = round_states(in);
  State s = in;
  external_linear(s);
  EXPECT_EQ(rs[0], s);
  for (size_t k = 0; k < kRounds; ++k) {
    bool first = k < kHalfFullRounds, partial = !first && k < kHalfFullRounds + kPartialRounds;
    if (partial) {
      s[0] = sbox(s[0] + M31(kInternal[k - kHalfFullRounds]));
      internal_linear(s);
    } else {
      const uint32_t* rc = first ? kExternalInitial[k] : kExternalFinal[k - kHalfFullRounds - kPartialRounds];
      for (size_t i = 0; i < kWidth; ++i) s[i] = sbox(s[i] + M31(rc[i]));
      external_linear(s);
    }
    EXPECT_EQ(rs[k + 1], s) << "round " << k;
  }
  EXPECT_EQ(rs[kRounds], permuted(in));
}

TEST(Poseidon2Sponge, TagsLengthsAndPaddingSeparate) {
  std::vector<M31> msg = {M31(1), M31(2), M31(3)};
  Digest a = hash(M31(1), msg);
  EXPECT_EQ(a, hash(M31(1), msg));
  EXPECT_NE(a, hash(M31(2), msg));
  std::vector<M31> padded = {M31(1), M31(2), M31(3), M31(0)};
  EXPECT_NE(a, hash(M31(1), padded));  // the length in the capacity tells zero-padding apart
  EXPECT_NE(hash(M31(1), {}), hash(M31(2), {}));
  // Multi-block messages: every element counts, including the last of each block.
  std::vector<M31> long_msg(17);
  for (size_t i = 0; i < long_msg.size(); ++i) long_msg[i] = M31(uint32_t(i));
  Digest base = hash(M31(5), long_msg);
  for (size_t i = 0; i < long_msg.size(); ++i) {
    auto changed = long_msg;
    changed[i] += M31(1);
    EXPECT_NE(hash(M31(5), changed), base) << i;
  }
}

TEST(Poseidon2Sponge, OneBlockIsOnePermutationOfRateTagAndLength) {
  std::vector<M31> msg = {M31(9), M31(8), M31(7)};
  State s{};
  std::copy(msg.begin(), msg.end(), s.begin());
  s[kRate] = M31(42);
  s[kRate + 1] = M31(3);
  permute(s);
  Digest d = hash(M31(42), msg);
  for (size_t i = 0; i < kRate; ++i) EXPECT_EQ(d[i], s[i]);
}

TEST(Poseidon2Compression, TagAndOrderMatter) {
  Digest l, r;
  for (size_t i = 0; i < kRate; ++i) l[i] = M31(uint32_t(i)), r[i] = M31(uint32_t(100 + i));
  Compression c1(M31(1));
  EXPECT_EQ(c1(l, r), compress(M31(1), l, r));
  EXPECT_NE(c1(l, r), c1(r, l));
  EXPECT_NE(c1(l, r), compress(M31(2), l, r));
  State s;
  std::copy(l.begin(), l.end(), s.begin());
  std::copy(r.begin(), r.end(), s.begin() + kRate);
  permute(s);
  Digest offset = hash(M31(1), {});
  EXPECT_EQ(c1.offset(), offset);
  for (size_t i = 0; i < kRate; ++i) EXPECT_EQ(c1(l, r)[i], s[i] + offset[i]);
}

TEST(Poseidon2Generic, RoundFunctionsOverM31AndQM31MatchThePermutation) {
  std::mt19937_64 rng(5);
  State in = random_state(rng);
  RoundStates rs = round_states(in);
  generic::State<M31> s = in;
  generic::external_layer(s);
  EXPECT_EQ(s, rs[0]);
  for (size_t r = 0; r < kRounds; ++r) {
    s = generic::round(r, rs[r]);
    EXPECT_EQ(s, rs[r + 1]) << r;
  }
  // Over QM31 with M31 entries the rounds give the same M31 values.
  generic::State<QM31> q;
  for (size_t i = 0; i < kWidth; ++i) q[i] = QM31(rs[3][i]);
  q = generic::round(3, q);
  for (size_t i = 0; i < kWidth; ++i) EXPECT_EQ(q[i], QM31(rs[4][i]));
}
