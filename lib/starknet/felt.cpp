#include "starknet/felt.hpp"

#include <cpuid.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace zkm31::starknet {

bool cpu_has_bmi2_adx() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (b & bit_BMI2) && (b & bit_ADX);
}

namespace detail {
bool g_felt_adx = cpu_has_bmi2_adx();
}

FeltArithmetic felt_arithmetic() { return detail::g_felt_adx ? FeltArithmetic::bmi2_adx : FeltArithmetic::portable; }

void set_felt_arithmetic(FeltArithmetic a) {
  if (a == FeltArithmetic::bmi2_adx && !cpu_has_bmi2_adx()) throw NotSupported("BMI2/ADX felt arithmetic on this CPU");
  detail::g_felt_adx = a == FeltArithmetic::bmi2_adx;
}

unsigned U256::bit_length() const {
  for (int i = 3; i >= 0; --i)
    if (w[i]) return 64 * i + 64 - __builtin_clzll(w[i]);
  return 0;
}

uint64_t add_to(U256& a, const U256& b) {
  uint64_t c = 0;
  for (int i = 0; i < 4; ++i) a.w[i] = detail::addc(a.w[i], b.w[i], c);
  return c;
}

uint64_t sub_from(U256& a, const U256& b) {
  uint64_t br = 0;
  for (int i = 0; i < 4; ++i) a.w[i] = detail::subb(a.w[i], b.w[i], br);
  return br;
}

U256 shr(const U256& a, unsigned n) {
  U256 r;
  if (n >= 256) return r;
  unsigned q = n / 64, s = n % 64;
  for (unsigned i = 0; i + q < 4; ++i) {
    r.w[i] = a.w[i + q] >> s;
    if (s && i + q + 1 < 4) r.w[i] |= a.w[i + q + 1] << (64 - s);
  }
  return r;
}

U256 shl(const U256& a, unsigned n) {
  U256 r;
  if (n >= 256) return r;
  unsigned q = n / 64, s = n % 64;
  for (unsigned i = q; i < 4; ++i) {
    r.w[i] = a.w[i - q] << s;
    if (s && i > q) r.w[i] |= a.w[i - q - 1] >> (64 - s);
  }
  return r;
}

U256 U256::parse(std::string_view s, std::string_view what) {
  auto bad = [&](const char* why) {
    return BadInput(std::string(what) + " '" + std::string(s.substr(0, 80)) + "': " + why);
  };
  if (s.empty()) throw bad("empty");
  U256 r;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    std::string_view digits = s.substr(2);
    while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
    if (digits.size() > 64) throw bad("more than 256 bits");
    for (char ch : digits) {
      int v = std::isdigit((unsigned char)ch) ? ch - '0'
              : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
              : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
      if (v < 0) throw bad("not a hex number");
      r = shl(r, 4);
      r.w[0] |= (uint64_t)v;
    }
    return r;
  }
  for (char ch : s) {
    if (!std::isdigit((unsigned char)ch)) throw bad("not a number (decimal or 0x-hex)");
    // r = r*10 + digit, detecting overflow past 2^256
    U256 r8 = shl(r, 3), r2 = shl(r, 1);
    if (r.w[3] >> 61) throw bad("more than 256 bits");
    U256 t = r8;
    uint64_t c = add_to(t, r2);
    c |= add_to(t, U256((uint64_t)(ch - '0')));
    if (c) throw bad("more than 256 bits");
    r = t;
  }
  return r;
}

U256 U256::from_be_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() > 32) throw BadInput("more than 32 bytes for a 256-bit integer");
  U256 r;
  for (uint8_t b : bytes) r = shl(r, 8), r.w[0] |= b;
  return r;
}

std::array<uint8_t, 32> U256::to_be_bytes() const {
  std::array<uint8_t, 32> out{};
  for (int i = 0; i < 32; ++i) out[31 - i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
  return out;
}

std::string U256::hex() const {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 63; i >= 0; --i) {
    unsigned nib = (w[i / 16] >> (4 * (i % 16))) & 0xf;
    if (nib || !s.empty()) s.push_back(digits[nib]);
  }
  return "0x" + (s.empty() ? std::string("0") : s);
}

std::string U256::dec() const {
  std::string s;
  U256 x = *this;
  do {
    // divide by 10 limb by limb from the top
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      unsigned __int128 cur = (rem << 64) | x.w[i];
      x.w[i] = (uint64_t)(cur / 10);
      rem = cur % 10;
    }
    s.push_back(char('0' + (int)rem));
  } while (!x.is_zero());
  std::reverse(s.begin(), s.end());
  return s;
}

bool sqrt(const Felt& a, Felt& root) {
  if (a.is_zero()) return root = a, true;
  // P − 1 = 2^192 · q with q = 2^59 + 17.
  constexpr unsigned s = 192;
  const U256 q((1ull << 59) + 17);
  U256 pm1_half = shr(kP, 1);  // (P − 1)/2 since P is odd
  if (!(a.pow(pm1_half) == Felt::one())) return false;
  // A quadratic non-residue: 3 is one for P (checked by the Euler criterion at first use).
  static const Felt z = [&] {
    Felt c = Felt::from_u64(3);
    while (c.pow(pm1_half) == Felt::one()) c += Felt::one();
    return c;
  }();
  unsigned m = s;
  Felt c = z.pow(q), t = a.pow(q);
  U256 q1 = q;
  add_to(q1, U256(1));
  Felt r = a.pow(shr(q1, 1));
  while (!(t == Felt::one())) {
    unsigned i = 0;
    Felt t2 = t;
    while (!(t2 == Felt::one())) t2 = t2.square(), ++i;
    Felt b = c;
    for (unsigned j = 0; j + 1 < m - i; ++j) b = b.square();
    m = i;
    c = b.square();
    t = t * c;
    r = r * b;
  }
  root = r;
  return true;
}

std::vector<Felt> parse_felts(std::span<const std::string> items, std::string_view what) {
  std::vector<Felt> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    out.push_back(Felt::parse(items[i], std::string(what) + " #" + std::to_string(i)));
  return out;
}

std::vector<Felt> parse_felt_text(std::string_view text, std::string_view what) {
  size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<std::string> items;
  if (first != std::string_view::npos && text[first] == '[') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      throw BadInput(std::string(what) + " list: malformed JSON array");
    }
    for (const auto& x : j) {
      if (!x.is_string()) throw BadInput(std::string(what) + " list: JSON array items must be strings");
      items.push_back(x.get<std::string>());
    }
  } else {
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && std::isspace((unsigned char)text[i])) ++i;
      size_t j = i;
      while (j < text.size() && !std::isspace((unsigned char)text[j])) ++j;
      if (j > i) items.emplace_back(text.substr(i, j - i));
      i = j;
    }
  }
  return parse_felts(items, what);
}

}  // namespace zkm31::starknet
