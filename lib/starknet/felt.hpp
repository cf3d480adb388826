#pragma once
// felt252: integers mod P = 2^251 + 17·2^192 + 1 (Starknet's field), and the same Montgomery
// machinery for the Stark curve's group order N (ECDSA scalars).
//
// Elements are 4×64-bit limbs in Montgomery form (R = 2^256). P ≡ 1 mod 2^64, so −P⁻¹ mod 2^64 = −1
// and P's two middle limbs are zero: with the modulus as compile-time constants the compiler folds
// the word-by-word reduction down to one 64×64 product per word.
#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>
#include <x86intrin.h>

#include "error/error.hpp"
#include "starknet/felt_adx.hpp"

namespace zkm31::starknet {

// A plain 256-bit unsigned integer, little-endian limbs.
struct U256 {
  std::array<uint64_t, 4> w{};

  constexpr U256() = default;
  constexpr U256(uint64_t v) : w{v, 0, 0, 0} {}
  constexpr U256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) : w{w0, w1, w2, w3} {}

  friend constexpr bool operator==(const U256&, const U256&) = default;
  friend constexpr std::strong_ordering operator<=>(const U256& a, const U256& b) {
    for (int i = 3; i >= 0; --i)
      if (a.w[i] != b.w[i]) return a.w[i] <=> b.w[i];
    return std::strong_ordering::equal;
  }
  bool is_zero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
  bool bit(unsigned i) const { return (w[i / 64] >> (i % 64)) & 1; }
  unsigned bit_length() const;

  // Accepts 0x-hex (any case, up to 64 digits) or decimal; throws BadInput naming `what`.
  static U256 parse(std::string_view s, std::string_view what = "value");
  static U256 from_be_bytes(std::span<const uint8_t> bytes);  // at most 32 bytes
  std::array<uint8_t, 32> to_be_bytes() const;
  std::string hex() const;  // lowercase 0x-hex without leading zeros ("0x0" for zero)
  std::string dec() const;
};

// 256-bit helpers with carry/borrow out.
uint64_t add_to(U256& a, const U256& b);  // a += b, returns carry
uint64_t sub_from(U256& a, const U256& b);  // a -= b, returns borrow
U256 shr(const U256& a, unsigned n);
U256 shl(const U256& a, unsigned n);  // bits shifted past 256 are lost

// Montgomery arithmetic modulo Mod::kModulus (an odd modulus < 2^255).
template <typename Mod>
class MontElem {
 public:
  static constexpr U256 kModulus = Mod::kModulus;

  constexpr MontElem() = default;
  // Throws BadInput (naming `what`) unless v < modulus: inputs are never silently reduced.
  static MontElem from_u256(const U256& v, std::string_view what = "value");
  // Reduces v mod modulus (for values that are defined mod the modulus, e.g. hash outputs).
  static MontElem reduce(const U256& v);
  static MontElem from_u64(uint64_t v) { return reduce(U256(v)); }
  static MontElem parse(std::string_view s, std::string_view what = "value") { return from_u256(U256::parse(s, what), what); }
  static MontElem zero() { return MontElem(); }
  static MontElem one() { return from_u64(1); }

  U256 value() const;  // canonical integer in [0, modulus)
  std::string hex() const { return value().hex(); }
  bool is_zero() const { return m_.is_zero(); }

  MontElem operator+(const MontElem& o) const;
  MontElem operator-(const MontElem& o) const;
  MontElem operator-() const { return MontElem() - *this; }
  MontElem operator*(const MontElem& o) const;
  MontElem& operator+=(const MontElem& o) { return *this = *this + o; }
  MontElem& operator-=(const MontElem& o) { return *this = *this - o; }
  MontElem& operator*=(const MontElem& o) { return *this = *this * o; }
  MontElem square() const;
  MontElem dbl() const { return *this + *this; }
  MontElem pow(const U256& e) const;
  MontElem inverse() const;  // Fermat; inverse of zero is zero
  friend bool operator==(const MontElem&, const MontElem&) = default;

  // The raw Montgomery representation, for kernels (Poseidon) that delay reductions themselves.
  const U256& mont() const { return m_; }
  static MontElem from_mont(const U256& m) {
    MontElem r;
    r.m_ = m;
    return r;
  }

 private:
  U256 m_;  // Montgomery form: value·2^256 mod modulus
};

struct FeltModulus {
  static constexpr U256 kModulus{1, 0, 0, 0x0800000000000011ull};
};
// The Stark curve's (prime) group order N.
struct OrderModulus {
  static constexpr U256 kModulus{0x1e66a241adc64d2full, 0xb781126dcae7b232ull, 0xffffffffffffffffull, 0x0800000000000010ull};
};

using Felt = MontElem<FeltModulus>;
using Scalar = MontElem<OrderModulus>;

inline constexpr U256 kP = FeltModulus::kModulus;
inline constexpr U256 kN = OrderModulus::kModulus;

// Which felt multiplication runs: the BMI2/ADX assembly (felt_adx.hpp) when the CPU has those
// extensions, checked once at start-up, otherwise the portable C++. Tests switch to compare both.
enum class FeltArithmetic { portable, bmi2_adx };
bool cpu_has_bmi2_adx();
FeltArithmetic felt_arithmetic();
// For tests and benchmarks, before any other thread runs; NotSupported for bmi2_adx on a CPU without it.
void set_felt_arithmetic(FeltArithmetic a);

// Square root in the felt field (Tonelli–Shanks; P − 1 = 2^192·(2^59 + 17)). false if none exists.
bool sqrt(const Felt& a, Felt& root);

// Parses a list of felts, each rejected with BadInput if malformed or ≥ P.
std::vector<Felt> parse_felts(std::span<const std::string> items, std::string_view what = "felt");
// Felts as text: whitespace-separated numbers (0x-hex or decimal, the `calldata` hex output) or a
// JSON array of such strings (the `--json` output).
std::vector<Felt> parse_felt_text(std::string_view text, std::string_view what = "felt");

// ---- inline arithmetic (hot: Poseidon and the curve live on these) ----
namespace detail {

extern bool g_felt_adx;  // felt_arithmetic() == bmi2_adx; false until start-up has checked the CPU

using u128 = unsigned __int128;

constexpr uint64_t addc(uint64_t a, uint64_t b, uint64_t& carry) {
  u128 s = (u128)a + b + carry;
  carry = (uint64_t)(s >> 64);
  return (uint64_t)s;
}
constexpr uint64_t subb(uint64_t a, uint64_t b, uint64_t& borrow) {
  u128 d = (u128)a - b - borrow;
  borrow = (uint64_t)(d >> 127);
  return (uint64_t)d;
}
// −m⁻¹ mod 2^64 by Newton iteration.
constexpr uint64_t neg_inv64(uint64_t m) {
  uint64_t x = 1;
  for (int i = 0; i < 7; ++i) x *= 2 - m * x;
  return ~x + 1;
}
// Compile-time a + b mod m (a, b < m < 2^255), for constants only.
constexpr U256 add_mod_ct(const U256& a, const U256& b, const U256& m) {
  U256 s, d;
  uint64_t c = 0, br = 0;
  for (int i = 0; i < 4; ++i) s.w[i] = addc(a.w[i], b.w[i], c);
  for (int i = 0; i < 4; ++i) d.w[i] = subb(s.w[i], m.w[i], br);
  return br ? s : d;
}
// 2^512 mod m, computed once at compile time by doubling.
constexpr U256 r2_mod(const U256& m) {
  U256 x(1);
  for (int i = 0; i < 512; ++i) x = add_mod_ct(x, x, m);
  return x;
}

// Returns x − m if that does not borrow, else x (branch-free). x < 2m.
inline U256 reduce_once(const U256& x, const U256& m) {
  unsigned long long d[4];
  unsigned char br = 0;
  for (int i = 0; i < 4; ++i) br = _subborrow_u64(br, x.w[i], m.w[i], &d[i]);
  const uint64_t keep = 0 - (uint64_t)br;  // all ones when x < m
  return U256((x.w[0] & keep) | (d[0] & ~keep), (x.w[1] & keep) | (d[1] & ~keep),
              (x.w[2] & keep) | (d[2] & ~keep), (x.w[3] & keep) | (d[3] & ~keep));
}
inline U256 add_mod(const U256& a, const U256& b, const U256& m) {
  U256 s;
  unsigned long long o[4];
  unsigned char c = 0;
  for (int i = 0; i < 4; ++i) c = _addcarry_u64(c, a.w[i], b.w[i], &o[i]);
  s = U256(o[0], o[1], o[2], o[3]);  // no carry out: a + b < 2m < 2^256
  return reduce_once(s, m);
}
inline U256 sub_mod(const U256& a, const U256& b, const U256& m) {
  unsigned long long d[4], r[4];
  unsigned char br = 0, c = 0;
  for (int i = 0; i < 4; ++i) br = _subborrow_u64(br, a.w[i], b.w[i], &d[i]);
  const uint64_t mask = 0 - (uint64_t)br;
  for (int i = 0; i < 4; ++i) c = _addcarry_u64(c, d[i], m.w[i] & mask, &r[i]);
  return U256(r[0], r[1], r[2], r[3]);
}
// Montgomery reduction of a 512-bit t (< m·2^256): t·2^−256 mod m, word by word. Zero limbs of the
// modulus cost no multiplication, and a limb equal to 1 folds to an addition. With Canonical = false
// the final subtraction is skipped: the result is below t/2^256 + m (< 2m for inputs below 2m).
// Montgomery reduction for a sparse modulus m = 1 + c·2^192 (the felt prime), all 256 bits at once:
// −m⁻¹ ≡ c·2^192 − 1 mod 2^256, so q = k·2^192 − t_lo with k = c·t0 mod 2^64, and q·m = q + q·c·2^192
// costs one 4×1-limb product. (t + q·m)/2^256 = t_hi + borrow(q) + [t0 ≠ 0] + ⌊q·c / 2^64⌋ (the
// low limb of q·c + k is zero, carrying out exactly when t0 ≠ 0). Result below t/2^256 + m.
template <bool Canonical>
inline U256 mont_reduce_sparse(const uint64_t t[8], const U256& m) {
  const uint64_t c = m.w[3];
  unsigned long long q[4], o[4];
  unsigned char br = _subborrow_u64(0, 0, t[0], &q[0]);
  br = _subborrow_u64(br, 0, t[1], &q[1]);
  br = _subborrow_u64(br, 0, t[2], &q[2]);
  br = _subborrow_u64(br, t[0] * c, t[3], &q[3]);
  const u128 p0 = (u128)q[0] * c, p1 = (u128)q[1] * c, p2 = (u128)q[2] * c, p3 = (u128)q[3] * c;
  unsigned char cy = _addcarry_u64(br, t[4], (uint64_t)(p0 >> 64), &o[0]);
  cy = _addcarry_u64(cy, t[5], (uint64_t)(p1 >> 64), &o[1]);
  cy = _addcarry_u64(cy, t[6], (uint64_t)(p2 >> 64), &o[2]);
  _addcarry_u64(cy, t[7], (uint64_t)(p3 >> 64), &o[3]);
  cy = _addcarry_u64(t[0] != 0, o[0], (uint64_t)p1, &o[0]);
  cy = _addcarry_u64(cy, o[1], (uint64_t)p2, &o[1]);
  cy = _addcarry_u64(cy, o[2], (uint64_t)p3, &o[2]);
  _addcarry_u64(cy, o[3], 0, &o[3]);
  const U256 r(o[0], o[1], o[2], o[3]);
  if constexpr (!Canonical) return r;
  return reduce_once(r, m);
}

template <typename Mod, bool Canonical = true>
inline U256 mont_reduce(uint64_t t[8]) {
  constexpr U256 m = Mod::kModulus;
  if constexpr (m.w[0] == 1 && m.w[1] == 0 && m.w[2] == 0) return mont_reduce_sparse<Canonical>(t, m);
  constexpr uint64_t ninv = neg_inv64(m.w[0]);
  uint64_t top = 0;  // carry into t[i + 5]
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const uint64_t q = t[i] * ninv;
    uint64_t c = 0;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      u128 p = (m.w[j] == 0 ? (u128)0 : (u128)q * m.w[j]) + t[i + j] + c;
      t[i + j] = (uint64_t)p;
      c = (uint64_t)(p >> 64);
    }
    u128 s = (u128)t[i + 4] + c + top;
    t[i + 4] = (uint64_t)s;
    top = (uint64_t)(s >> 64);
  }
  if constexpr (!Canonical) return U256(t[4], t[5], t[6], t[7]);
  return reduce_once(U256(t[4], t[5], t[6], t[7]), m);
}
// Montgomery square: 6 cross products doubled plus 4 squares, then the reduction.
template <typename Mod, bool Canonical = true>
inline U256 mont_sqr(const U256& a) {
  uint64_t r[8];
  u128 x;
  x = (u128)a.w[0] * a.w[1];
  r[1] = (uint64_t)x;
  x = (u128)a.w[0] * a.w[2] + (uint64_t)(x >> 64);
  r[2] = (uint64_t)x;
  x = (u128)a.w[0] * a.w[3] + (uint64_t)(x >> 64);
  r[3] = (uint64_t)x;
  r[4] = (uint64_t)(x >> 64);
  x = (u128)a.w[1] * a.w[2] + r[3];
  r[3] = (uint64_t)x;
  x = (u128)a.w[1] * a.w[3] + r[4] + (uint64_t)(x >> 64);
  r[4] = (uint64_t)x;
  r[5] = (uint64_t)(x >> 64);
  x = (u128)a.w[2] * a.w[3] + r[5];
  r[5] = (uint64_t)x;
  r[6] = (uint64_t)(x >> 64);
  r[7] = r[6] >> 63;
  for (int i = 6; i > 1; --i) r[i] = (r[i] << 1) | (r[i - 1] >> 63);
  r[1] <<= 1;
  unsigned long long o[8];
  unsigned char c = 0;
  const u128 s0 = (u128)a.w[0] * a.w[0], s1 = (u128)a.w[1] * a.w[1], s2 = (u128)a.w[2] * a.w[2], s3 = (u128)a.w[3] * a.w[3];
  o[0] = (uint64_t)s0;
  c = _addcarry_u64(0, r[1], (uint64_t)(s0 >> 64), &o[1]);
  c = _addcarry_u64(c, r[2], (uint64_t)s1, &o[2]);
  c = _addcarry_u64(c, r[3], (uint64_t)(s1 >> 64), &o[3]);
  c = _addcarry_u64(c, r[4], (uint64_t)s2, &o[4]);
  c = _addcarry_u64(c, r[5], (uint64_t)(s2 >> 64), &o[5]);
  c = _addcarry_u64(c, r[6], (uint64_t)s3, &o[6]);
  _addcarry_u64(c, r[7], (uint64_t)(s3 >> 64), &o[7]);
  uint64_t t[8];
  for (int i = 0; i < 8; ++i) t[i] = o[i];
  return mont_reduce<Mod, Canonical>(t);
}

// Montgomery product: schoolbook 4×4 limbs (operand scanning), then the reduction.
template <typename Mod, bool Canonical = true>
inline U256 mont_mul(const U256& a, const U256& b) {
  uint64_t t[8];
  {
    uint64_t c = 0;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      u128 p = (u128)a.w[j] * b.w[0] + c;
      t[j] = (uint64_t)p;
      c = (uint64_t)(p >> 64);
    }
    t[4] = c;
  }
#pragma GCC unroll 4
  for (int i = 1; i < 4; ++i) {
    uint64_t c = 0;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      u128 p = (u128)a.w[j] * b.w[i] + t[i + j] + c;
      t[i + j] = (uint64_t)p;
      c = (uint64_t)(p >> 64);
    }
    t[i + 4] = c;
  }
  return mont_reduce<Mod, Canonical>(t);
}

// Canonical felt product and square on the BMI2/ADX path: a, b < P, so the lazy product is below
// P²/2^256 + P < 2P and the lazy square below P²/2^256 + 2P < 3P.
inline U256 felt_mul_adx(const U256& a, const U256& b) {
  U256 r;
  adx::mul(a.w.data(), b.w.data(), r.w.data());
  return reduce_once(r, kP);
}
inline U256 felt_sqr_adx(const U256& a) {
  static constexpr U256 k2P{2, 0, 0, 2 * kP.w[3]};
  U256 r;
  adx::sqr(a.w.data(), r.w.data());
  return reduce_once(reduce_once(r, k2P), kP);
}

}  // namespace detail

template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::reduce(const U256& v) {
  // v < 2^256 < 2^2·m·...: v·R² ·R⁻¹ would need v < m; fold v mod m first by the top bits.
  U256 x = v;
  while (x >= kModulus) {
    unsigned shift = x.bit_length() - kModulus.bit_length();
    U256 mm = shl(kModulus, shift);
    if (mm > x) mm = shl(kModulus, shift - 1);
    sub_from(x, mm);
  }
  MontElem r;
  static constexpr U256 r2 = detail::r2_mod(kModulus);
  r.m_ = detail::mont_mul<Mod>(x, r2);
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::from_u256(const U256& v, std::string_view what) {
  if (v >= kModulus) throw BadInput(std::string(what) + " " + v.hex() + " is not below the modulus " + kModulus.hex());
  return reduce(v);
}
template <typename Mod>
inline U256 MontElem<Mod>::value() const { return detail::mont_mul<Mod>(m_, U256(1)); }
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::operator+(const MontElem& o) const {
  MontElem r;
  r.m_ = detail::add_mod(m_, o.m_, kModulus);
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::operator-(const MontElem& o) const {
  MontElem r;
  r.m_ = detail::sub_mod(m_, o.m_, kModulus);
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::operator*(const MontElem& o) const {
  MontElem r;
  if constexpr (std::is_same_v<Mod, FeltModulus>)
    if (detail::g_felt_adx) {
      r.m_ = detail::felt_mul_adx(m_, o.m_);
      return r;
    }
  r.m_ = detail::mont_mul<Mod>(m_, o.m_);
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::square() const {
  MontElem r;
  if constexpr (std::is_same_v<Mod, FeltModulus>)
    if (detail::g_felt_adx) {
      r.m_ = detail::felt_sqr_adx(m_);
      return r;
    }
  r.m_ = detail::mont_sqr<Mod>(m_);
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::pow(const U256& e) const {
  MontElem r = one();
  for (int i = (int)e.bit_length() - 1; i >= 0; --i) {
    r = r.square();
    if (e.bit(i)) r = r * *this;
  }
  return r;
}
template <typename Mod>
inline MontElem<Mod> MontElem<Mod>::inverse() const {
  U256 e = kModulus;
  sub_from(e, U256(2));
  return pow(e);
}

}  // namespace zkm31::starknet
