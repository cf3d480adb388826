// Field axioms on random elements, the published vectors of ../shared/reference/field_circle.json
// (STWO test_ops and doctests; inverses computed by the reference scripts), batch inversion.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "field/field.hpp"

using namespace zkm31;
using nlohmann::json;

namespace {

std::mt19937_64 rng(2024);

template <typename F>
F random_element();
template <>
M31 random_element<M31>() {
  // Mix in the edge values 0, 1, p − 1 now and then.
  switch (rng() % 8) {
    case 0: return M31(0);
    case 1: return M31(1);
    case 2: return M31(kP - 1);
    default: return M31::from_u64(rng());
  }
}
template <>
CM31 random_element<CM31>() { return {random_element<M31>(), random_element<M31>()}; }
template <>
QM31 random_element<QM31>() { return {random_element<CM31>(), random_element<CM31>()}; }

template <typename F>
F nonzero() {
  for (;;) {
    F x = random_element<F>();
    if (!(x == F::zero())) return x;
  }
}

json reference() {
  std::ifstream f(std::string(ZKM31_SHARED_DIR) + "/reference/field_circle.json");
  EXPECT_TRUE(f.good()) << "missing shared/reference/field_circle.json";
  return json::parse(f);
}

M31 m(const json& v) { return M31(v.get<uint32_t>()); }
CM31 cm(const json& v) { return {m(v[0]), m(v[1])}; }
QM31 qm(const json& v) { return QM31(m(v[0]), m(v[1]), m(v[2]), m(v[3])); }

}  // namespace

template <typename F>
class FieldAxioms : public ::testing::Test {};
using Fields = ::testing::Types<M31, CM31, QM31>;
TYPED_TEST_SUITE(FieldAxioms, Fields);

TYPED_TEST(FieldAxioms, RingAndFieldLaws) {
  using F = TypeParam;
  for (int i = 0; i < 2000; ++i) {
    F a = random_element<F>(), b = random_element<F>(), c = random_element<F>();
    ASSERT_EQ(a + b, b + a);
    ASSERT_EQ(a * b, b * a);
    ASSERT_EQ((a + b) + c, a + (b + c));
    ASSERT_EQ((a * b) * c, a * (b * c));
    ASSERT_EQ(a * (b + c), a * b + a * c);
    ASSERT_EQ(a + F::zero(), a);
    ASSERT_EQ(a * F::one(), a);
    ASSERT_EQ(a * F::zero(), F::zero());
    ASSERT_EQ(a - a, F::zero());
    ASSERT_EQ(a + (-a), F::zero());
    ASSERT_EQ(a - b, a + (-b));
    ASSERT_EQ(a.square(), a * a);
    F n = nonzero<F>();
    ASSERT_EQ(n * n.inverse(), F::one());
  }
}

TEST(M31, CanonicalAndReductions) {
  EXPECT_EQ(M31::reduce_u32(kP).v, 0u);
  EXPECT_EQ(M31::reduce_u32(0xffffffffu).v, 1u);  // 2^32 − 1 = 2p + 1
  EXPECT_EQ(M31::from_u64(uint64_t(kP) * kP).v, 0u);
  EXPECT_EQ(M31::from_u64(~uint64_t(0)).v, 3u);  // 2^64 = 2^(2·31) · 4 ≡ 4
  EXPECT_EQ(M31::from_signed(-1).v, kP - 1);
  EXPECT_EQ(M31::from_signed(-int64_t(kP)).v, 0u);
  EXPECT_EQ(M31(kP - 1).to_signed(), -1);
  EXPECT_EQ(M31(kP / 2).to_signed(), int64_t(kP / 2));
  EXPECT_EQ(M31(kP - 1) + M31(1), M31(0));
  EXPECT_EQ(M31(0) - M31(1), M31(kP - 1));
  EXPECT_EQ(-M31(0), M31(0));
  EXPECT_EQ(M31(kP - 1) * M31(kP - 1), M31(1));
  EXPECT_EQ(M31(0).inverse(), M31(0));  // documented: callers check for zero
  for (int i = 0; i < 1000; ++i) {
    uint32_t w = uint32_t(rng());
    ASSERT_EQ(M31::reduce_u32(w).v, w % kP);
    uint64_t x = rng();
    ASSERT_EQ(M31::from_u64(x).v, uint32_t(x % kP));
    int64_t s = int64_t(rng());
    int64_t r = s % int64_t(kP);
    ASSERT_EQ(M31::from_signed(s).v, uint32_t(r < 0 ? r + kP : r));
  }
}

TEST(QM31, TowerStructure) {
  const QM31 u(M31(0), M31(0), M31(1), M31(0));
  EXPECT_EQ(u * u, QM31(M31(2), M31(1), M31(0), M31(0)));  // u² = 2 + i
  const CM31 i(M31(0), M31(1));
  EXPECT_EQ(i * i, CM31(M31(kP - 1), M31(0)));  // i² = −1
  QM31 x = random_element<QM31>();
  EXPECT_EQ(QM31::from_limbs(x.limbs()), x);
  M31 s = random_element<M31>();
  EXPECT_EQ(x * s, x * QM31(s));
  EXPECT_EQ(s * x, x * QM31(s));
  EXPECT_EQ(x + s, x + QM31(s));
  EXPECT_EQ(x - s, x - QM31(s));
  CM31 c = random_element<CM31>();
  EXPECT_EQ(x * c, x * QM31(c, CM31()));
  // Frobenius-free check of pow: x^(p^4 − 1) = 1 would be slow to write; x^3 = x·x·x is enough.
  EXPECT_EQ(x.pow(3), x * x * x);
  EXPECT_EQ(x.pow(0), QM31::one());
}

TEST(FieldVectors, PublishedAndComputed) {
  json ref = reference();
  EXPECT_EQ(ref["M31"]["p"].get<uint32_t>(), kP);
  size_t checked = 0;
  for (const char* section : {"field_vectors_published", "field_vectors_computed"}) {
    for (auto& it : ref[section]["items"]) {
      std::string op = it["op"];
      SCOPED_TRACE(it.dump());
      if (op == "cm31_mul") EXPECT_EQ(cm(it["a"]) * cm(it["b"]), cm(it["result"]));
      else if (op == "cm31_add") EXPECT_EQ(cm(it["a"]) + cm(it["b"]), cm(it["result"]));
      else if (op == "cm31_sub") EXPECT_EQ(cm(it["a"]) - cm(it["b"]), cm(it["result"]));
      else if (op == "cm31_neg") EXPECT_EQ(-cm(it["a"]), cm(it["result"]));
      else if (op == "cm31_div") EXPECT_EQ(cm(it["a"]) * cm(it["b"]).inverse(), cm(it["result"]));
      else if (op == "cm31_inv") EXPECT_EQ(cm(it["a"]).inverse(), cm(it["result"]));
      else if (op == "qm31_mul") EXPECT_EQ(qm(it["a"]) * qm(it["b"]), qm(it["result"]));
      else if (op == "qm31_add") EXPECT_EQ(qm(it["a"]) + qm(it["b"]), qm(it["result"]));
      else if (op == "qm31_sub") EXPECT_EQ(qm(it["a"]) - qm(it["b"]), qm(it["result"]));
      else if (op == "qm31_neg") EXPECT_EQ(-qm(it["a"]), qm(it["result"]));
      else if (op == "qm31_div") EXPECT_EQ(qm(it["a"]) * qm(it["b"]).inverse(), qm(it["result"]));
      else if (op == "qm31_inv") EXPECT_EQ(qm(it["a"]).inverse(), qm(it["result"]));
      else if (op == "m31_inv") EXPECT_EQ(m(it["a"]).inverse(), m(it["result"]));
      else if (op == "m31_partial_reduce") EXPECT_EQ(M31::reduce_u32(it["input"].get<uint32_t>()), m(it["result"]));
      else if (op == "m31_reduce_u64") EXPECT_EQ(M31::from_u64(it["input"].get<uint64_t>()), m(it["result"]));
      else ADD_FAILURE() << "unknown op " << op;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 17u);
}

template <typename F>
void check_batch_inverse(size_t n) {
  std::vector<F> in(n);
  for (auto& x : in) x = nonzero<F>();
  std::vector<F> out(n);
  batch_inverse<F>(in, out);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], in[i].inverse()) << i;
  // In place: in and out are the same buffer.
  std::vector<F> same = in;
  batch_inverse<F>(same, same);
  EXPECT_EQ(same, out);
}

TEST(BatchInverse, MatchesSingleInversesAndAllowsAliasing) {
  for (size_t n : {0, 1, 2, 17, 300}) {
    check_batch_inverse<M31>(n);
    check_batch_inverse<CM31>(n);
    check_batch_inverse<QM31>(n);
  }
}
