#pragma once
// QM31 = CM31[u] / (u^2 - 2 - i): the 124-bit challenge field.
#include <array>
#include "field/cm31.hpp"

namespace zkm31 {

struct QM31 {
  CM31 c0, c1;  // c0 + c1·u

  constexpr QM31() = default;
  ZKM31_HD constexpr QM31(CM31 x, CM31 y) : c0(x), c1(y) {}
  ZKM31_HD constexpr explicit QM31(M31 x) : c0(x), c1() {}
  ZKM31_HD constexpr QM31(M31 a, M31 b, M31 c, M31 d) : c0(a, b), c1(c, d) {}

  ZKM31_HD static constexpr QM31 zero() { return QM31(); }
  ZKM31_HD static constexpr QM31 one() { return QM31(M31::one()); }
  // Limbs in the order [a, b, c, d] of (a + b·i) + (c + d·i)·u.
  constexpr std::array<M31, 4> limbs() const { return {c0.a, c0.b, c1.a, c1.b}; }
  static constexpr QM31 from_limbs(const std::array<M31, 4>& l) { return QM31(l[0], l[1], l[2], l[3]); }

  ZKM31_HD static constexpr CM31 mul_by_r(CM31 x) {  // x·(2 + i)
    return {x.a + x.a - x.b, x.b + x.b + x.a};
  }

  ZKM31_HD constexpr QM31 operator+(QM31 o) const { return {c0 + o.c0, c1 + o.c1}; }
  ZKM31_HD constexpr QM31 operator-(QM31 o) const { return {c0 - o.c0, c1 - o.c1}; }
  ZKM31_HD constexpr QM31 operator-() const { return {-c0, -c1}; }
  ZKM31_HD constexpr QM31 operator*(QM31 o) const {
    // (A + Bu)(C + Du) = (AC + R·BD) + ((A+B)(C+D) - AC - BD)u
    CM31 ac = c0 * o.c0, bd = c1 * o.c1;
    CM31 mid = (c0 + c1) * (o.c0 + o.c1) - ac - bd;
    return {ac + mul_by_r(bd), mid};
  }
  ZKM31_HD constexpr QM31 operator*(M31 s) const { return {c0 * s, c1 * s}; }
  ZKM31_HD constexpr QM31 operator*(CM31 s) const { return {c0 * s, c1 * s}; }
  ZKM31_HD constexpr QM31 operator+(M31 s) const { return {c0 + CM31(s), c1}; }
  ZKM31_HD constexpr QM31 operator-(M31 s) const { return {c0 - CM31(s), c1}; }
  ZKM31_HD constexpr QM31& operator+=(QM31 o) { return *this = *this + o; }
  ZKM31_HD constexpr QM31& operator-=(QM31 o) { return *this = *this - o; }
  ZKM31_HD constexpr QM31& operator*=(QM31 o) { return *this = *this * o; }
  ZKM31_HD constexpr QM31& operator*=(M31 s) { return *this = *this * s; }
  constexpr bool operator==(const QM31&) const = default;

  ZKM31_HD constexpr QM31 square() const { return *this * *this; }
  ZKM31_HD constexpr QM31 inverse() const {
    // (A - Bu) / (A^2 - R·B^2); the denominator lies in CM31.
    CM31 denom = c0 * c0 - mul_by_r(c1 * c1);
    CM31 inv = denom.inverse();
    return {c0 * inv, -(c1 * inv)};
  }
  ZKM31_HD constexpr QM31 pow(uint64_t e) const {
    QM31 base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
};

inline constexpr QM31 operator*(M31 s, QM31 x) { return x * s; }

}  // namespace zkm31
