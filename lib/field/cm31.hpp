#pragma once
// CM31 = M31[i] / (i^2 + 1).
#include "field/m31.hpp"

namespace zkm31 {

struct CM31 {
  M31 a, b;  // a + b·i

  constexpr CM31() = default;
  ZKM31_HD constexpr CM31(M31 a_, M31 b_) : a(a_), b(b_) {}
  ZKM31_HD constexpr explicit CM31(M31 a_) : a(a_), b() {}

  ZKM31_HD static constexpr CM31 zero() { return CM31(); }
  ZKM31_HD static constexpr CM31 one() { return CM31(M31::one()); }

  ZKM31_HD constexpr CM31 operator+(CM31 o) const { return {a + o.a, b + o.b}; }
  ZKM31_HD constexpr CM31 operator-(CM31 o) const { return {a - o.a, b - o.b}; }
  ZKM31_HD constexpr CM31 operator-() const { return {-a, -b}; }
  ZKM31_HD constexpr CM31 operator*(CM31 o) const {
    return {a * o.a - b * o.b, a * o.b + b * o.a};
  }
  ZKM31_HD constexpr CM31 operator*(M31 s) const { return {a * s, b * s}; }
  ZKM31_HD constexpr CM31& operator+=(CM31 o) { return *this = *this + o; }
  ZKM31_HD constexpr CM31& operator-=(CM31 o) { return *this = *this - o; }
  ZKM31_HD constexpr CM31& operator*=(CM31 o) { return *this = *this * o; }
  constexpr bool operator==(const CM31&) const = default;

  ZKM31_HD constexpr CM31 square() const { return *this * *this; }
  ZKM31_HD constexpr CM31 conj() const { return {a, -b}; }
  ZKM31_HD constexpr M31 norm() const { return a * a + b * b; }
  ZKM31_HD constexpr CM31 inverse() const { return conj() * norm().inverse(); }
};

}  // namespace zkm31
