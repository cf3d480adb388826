// The sparse-modulus Montgomery reduction (felt prime) and the BMI2/ADX product and square against a
// plain shift-and-add modular product that shares no code with them, on edge values and random
// operands, canonical and lazy inputs; and the public felt API under every run-time arithmetic.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "starknet/felt.hpp"
#include "vectors.hpp"

using namespace zkm31;
using namespace zkm31::starknet;

namespace {

U256 add_mod_ref(const U256& a, const U256& b) {  // a, b < P
  U256 s = a;
  add_to(s, b);
  if (s >= kP) sub_from(s, kP);
  return s;
}
U256 mul_mod_ref(const U256& a, const U256& b) {  // a, b < P
  U256 r;
  for (int i = 255; i >= 0; --i) {
    r = add_mod_ref(r, r);
    if (b.bit(i)) r = add_mod_ref(r, a);
  }
  return r;
}
U256 canon(U256 x) {  // x < 2^256
  while (x >= kP) sub_from(x, kP);
  return x;
}
// 2^256 mod P: a Montgomery result r stands for r·2^256 ≡ a·b.
U256 r_mod_p() {
  U256 r(1);
  for (int i = 0; i < 256; ++i) r = add_mod_ref(r, r);
  return r;
}

std::vector<U256> operands() {
  U256 p1 = kP, two_p = kP, two_p1, two251(0, 0, 0, 1ull << 59);
  sub_from(p1, U256(1));
  add_to(two_p, kP);
  two_p1 = two_p;
  sub_from(two_p1, U256(1));
  U256 below251 = two251;
  sub_from(below251, U256(1));
  std::vector<U256> v = {U256(0), U256(1), U256(2), p1, kP, two_p1, two251, below251, U256(~0ull, ~0ull, ~0ull, 0)};
  std::mt19937_64 g(7);
  for (int i = 0; i < 40; ++i) {
    U256 x(g(), g(), g(), g() >> 4);  // < 2^252 < 2P
    v.push_back(x < two_p ? x : canon(x));
  }
  return v;
}

}  // namespace

TEST(Montgomery, SparseFeltReductionMatchesReference) {
  const U256 R = r_mod_p();
  U256 two_p = kP;
  add_to(two_p, kP);
  for (const U256& a : operands())
    for (const U256& b : operands()) {
      const U256 want = mul_mod_ref(canon(a), canon(b));
      const U256 lazy = detail::mont_mul<FeltModulus, false>(a, b);
      ASSERT_LT(lazy, two_p) << a.hex() << " * " << b.hex();
      ASSERT_EQ(mul_mod_ref(canon(lazy), R), want) << a.hex() << " * " << b.hex();
      const U256 full = detail::mont_mul<FeltModulus>(a, b);
      ASSERT_EQ(full, canon(lazy));
      if (a == b) {
        ASSERT_EQ((detail::mont_sqr<FeltModulus, false>(a)), lazy) << a.hex();
        ASSERT_EQ(detail::mont_sqr<FeltModulus>(a), full) << a.hex();
      }
    }
}

TEST(Montgomery, FeltProductsMatchReferenceThroughPublicApi) {
  U256 p1 = kP;
  sub_from(p1, U256(1));
  for (FeltArithmetic arith : test::arithmetics()) {
    SCOPED_TRACE(test::name(arith));
    test::UseArithmetic use(arith);
    std::vector<U256> v = {U256(0), U256(1), U256(2), p1, shr(kP, 1)};
    std::mt19937_64 g(11);
    for (int i = 0; i < 200; ++i) v.push_back(canon(U256(g(), g(), g(), g() >> 4)));
    for (size_t i = 0; i < v.size(); ++i) {
      const U256& a = v[i];
      const U256& b = v[(i * 7 + 3) % v.size()];
      ASSERT_EQ((Felt::from_u256(a) * Felt::from_u256(b)).value(), mul_mod_ref(a, b)) << a.hex() << " * " << b.hex();
      ASSERT_EQ(Felt::from_u256(a).square().value(), mul_mod_ref(a, a)) << a.hex();
    }
  }
}

namespace {
U256 product_high(const U256& a, const U256& b) {  // ⌊a·b / 2^256⌋, plain schoolbook
  uint64_t t[8] = {};
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 carry = 0;
    for (int j = 0; j < 4; ++j) {
      carry += (unsigned __int128)a.w[i] * b.w[j] + t[i + j];
      t[i + j] = (uint64_t)carry;
      carry >>= 64;
    }
    t[i + 4] = (uint64_t)carry;
  }
  return U256(t[4], t[5], t[6], t[7]);
}
// Operands up to the assembly's documented input bound 2^255: multiples of P and their neighbours,
// powers of two, limb patterns with zero or all-ones low words, and random values of every size.
std::vector<U256> lazy_operands() {
  std::vector<U256> v;
  for (uint64_t k : {0, 1, 2, 3, 5, 14, 15}) {  // 15P < 2^255 < 16P
    const U256 kp(k, 0, 0, k * kP.w[3]);
    v.push_back(kp);
    U256 above = kp;
    add_to(above, U256(1));
    v.push_back(above);
    if (k) {
      U256 below = kp;
      sub_from(below, U256(1));
      v.push_back(below);
    }
  }
  for (unsigned bits : {64u, 128u, 192u, 251u, 252u, 253u, 254u}) v.push_back(shl(U256(1), bits));
  v.push_back(U256(~0ull, ~0ull, ~0ull, (1ull << 63) - 1));  // 2^255 − 1
  v.push_back(U256(0, 0, 0, (1ull << 63) - 1));
  v.push_back(U256(~0ull, 0, ~0ull, 1ull << 62));
  std::mt19937_64 g(5);
  for (int i = 0; i < 600; ++i) v.push_back(U256(g(), g(), g(), g() >> (1 + g() % 63)));
  return v;
}
}  // namespace

TEST(Montgomery, AdxProductAndSquareMatchReference) {
  if (!cpu_has_bmi2_adx()) GTEST_SKIP() << "CPU without BMI2/ADX";
  const U256 R = r_mod_p(), twoP(2, 0, 0, 2 * kP.w[3]);
  const std::vector<U256> v = lazy_operands();
  auto check = [&](const U256& a, const U256& b) {
    U256 prod, bound = product_high(a, b);
    detail::adx::mul(a.w.data(), b.w.data(), prod.w.data());
    add_to(bound, kP);
    ASSERT_LE(prod, bound) << a.hex() << " * " << b.hex();
    ASSERT_EQ(mul_mod_ref(canon(prod), R), mul_mod_ref(canon(a), canon(b))) << a.hex() << " * " << b.hex();
  };
  for (const U256& a : v) {
    for (size_t j = 0; j < 40; ++j) check(a, v[j]);  // every operand against all the edge values
    check(a, v[(&a - v.data()) * 13 % v.size()]);
    U256 sq, bound = product_high(a, a);
    detail::adx::sqr(a.w.data(), sq.w.data());
    add_to(bound, twoP);
    ASSERT_LE(sq, bound) << a.hex();
    ASSERT_EQ(mul_mod_ref(canon(sq), R), mul_mod_ref(canon(a), canon(a))) << a.hex();
  }
}

TEST(Montgomery, SwitchingToAdxNeedsTheCpu) {
  if (cpu_has_bmi2_adx()) {
    test::UseArithmetic use(FeltArithmetic::bmi2_adx);
    EXPECT_EQ(felt_arithmetic(), FeltArithmetic::bmi2_adx);
  } else {
    EXPECT_THROW(set_felt_arithmetic(FeltArithmetic::bmi2_adx), NotSupported);
  }
  test::UseArithmetic use(FeltArithmetic::portable);
  EXPECT_EQ(felt_arithmetic(), FeltArithmetic::portable);
}
