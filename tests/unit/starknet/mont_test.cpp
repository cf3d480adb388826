// The sparse-modulus Montgomery reduction (felt prime) against a plain shift-and-add modular product
// that shares no code with it, on edge values and random operands, canonical and lazy (< 2P) inputs.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "starknet/felt.hpp"

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
  std::mt19937_64 g(11);
  for (int i = 0; i < 200; ++i) {
    const U256 a = canon(U256(g(), g(), g(), g() >> 4)), b = canon(U256(g(), g(), g(), g() >> 4));
    EXPECT_EQ((Felt::from_u256(a) * Felt::from_u256(b)).value(), mul_mod_ref(a, b));
    EXPECT_EQ(Felt::from_u256(a).square().value(), mul_mod_ref(a, a));
  }
}
