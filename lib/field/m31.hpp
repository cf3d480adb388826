#pragma once
// The Mersenne-31 prime field: residues are kept canonical in [0, p).
#include <cstdint>
#include "field/hd.hpp"

namespace zkm31 {

inline constexpr uint32_t kP = 0x7fffffffu;  // 2^31 - 1

struct M31 {
  uint32_t v = 0;

  constexpr M31() = default;
  // Caller guarantees x < p; use from_u64/from_signed for anything else.
  ZKM31_HD constexpr explicit M31(uint32_t x) : v(x) {}

  ZKM31_HD static constexpr M31 reduce_u32(uint32_t x) {
    uint32_t r = (x & kP) + (x >> 31);  // ≤ p + 1
    return M31(r >= kP ? r - kP : r);
  }
  ZKM31_HD static constexpr M31 from_u64(uint64_t x) {
    // 2^31 ≡ 1: fold the high bits down twice (leaving r ≤ p + 5), then one conditional subtraction.
    uint64_t r = (x & kP) + (x >> 31);
    r = (r & kP) + (r >> 31);
    return M31(static_cast<uint32_t>(r >= kP ? r - kP : r));
  }
  ZKM31_HD static constexpr M31 from_signed(int64_t x) {
    int64_t r = x % static_cast<int64_t>(kP);
    if (r < 0) r += kP;
    return M31(static_cast<uint32_t>(r));
  }
  // Signed view: v in (p/2, p) is read as v - p.
  ZKM31_HD constexpr int64_t to_signed() const {
    return v > kP / 2 ? static_cast<int64_t>(v) - kP : static_cast<int64_t>(v);
  }

  ZKM31_HD static constexpr M31 zero() { return M31(0); }
  ZKM31_HD static constexpr M31 one() { return M31(1); }

  ZKM31_HD constexpr M31 operator+(M31 o) const {
    uint32_t s = v + o.v;  // < 2^32
    return M31(s >= kP ? s - kP : s);
  }
  ZKM31_HD constexpr M31 operator-(M31 o) const {
    return M31(v >= o.v ? v - o.v : v + kP - o.v);
  }
  ZKM31_HD constexpr M31 operator-() const { return M31(v == 0 ? 0 : kP - v); }
  ZKM31_HD constexpr M31 operator*(M31 o) const {
    uint64_t prod = static_cast<uint64_t>(v) * o.v;  // < 2^62
    uint32_t lo = static_cast<uint32_t>(prod & kP);
    uint32_t hi = static_cast<uint32_t>(prod >> 31);
    uint32_t s = lo + hi;  // < 2^32
    return M31(s >= kP ? s - kP : s);
  }
  ZKM31_HD constexpr M31& operator+=(M31 o) { return *this = *this + o; }
  ZKM31_HD constexpr M31& operator-=(M31 o) { return *this = *this - o; }
  ZKM31_HD constexpr M31& operator*=(M31 o) { return *this = *this * o; }
  constexpr bool operator==(const M31&) const = default;

  ZKM31_HD constexpr M31 square() const { return *this * *this; }
  ZKM31_HD constexpr M31 pow(uint64_t e) const {
    M31 base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  // Fermat: x^(p-2). Inverse of zero is zero; callers that care check first.
  ZKM31_HD constexpr M31 inverse() const { return pow(kP - 2); }
};

}  // namespace zkm31
