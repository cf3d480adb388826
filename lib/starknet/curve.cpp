#include "starknet/curve.hpp"

#include <openssl/sha.h>

#include <cstring>
#include <vector>

namespace zkm31::starknet {

namespace {
// 2^251: the bound on message hashes, r and s⁻¹ in Starknet signatures.
const U256 kMax251(0, 0, 0, 1ull << 59);

using Bytes32 = std::array<uint8_t, 32>;

Bytes32 hmac_sha256(const Bytes32& key, std::initializer_list<std::span<const uint8_t>> parts) {
  uint8_t ipad[64], opad[64];
  for (int i = 0; i < 64; ++i) {
    uint8_t k = i < 32 ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  std::vector<uint8_t> inner(ipad, ipad + 64);
  for (auto p : parts) inner.insert(inner.end(), p.begin(), p.end());
  Bytes32 ih;
  SHA256(inner.data(), inner.size(), ih.data());
  uint8_t outer[96];
  std::memcpy(outer, opad, 64);
  std::memcpy(outer + 64, ih.data(), 32);
  Bytes32 out;
  SHA256(outer, sizeof outer, out.data());
  return out;
}

// @scure/starknet's bits2int: strip leading zero bytes, then keep the leftmost 252 bits.
U256 bits2int(const Bytes32& t) {
  U256 v = U256::from_be_bytes(t);
  return t[0] != 0 ? shr(v, 4) : v;
}

Scalar to_scalar(const U256& v) { return Scalar::reduce(v); }
}  // namespace

const Felt& curve_beta() {
  static const Felt b = Felt::parse("0x6f21413efbe40de150e596d72f7a8c5609ad26c15c915c1f4cdfcb99cee9e89");
  return b;
}

const Point& generator() {
  static const Point g{Felt::parse("0x1ef15c18599971b7beced415a40f0c7deacfd9b0d1819e03d723d8bc943cfca"),
                       Felt::parse("0x5668060aa49730b7be4801df46ec62de53ecd11abe43a32873000c36e8dc1f"), false};
  return g;
}

bool on_curve(const Point& p) {
  if (p.infinity) return true;
  return p.y.square() == p.x.square() * p.x + p.x + curve_beta();
}

Jacobian to_jacobian(const Point& p) {
  if (p.infinity) return {Felt::one(), Felt::one(), Felt::zero()};
  return {p.x, p.y, Felt::one()};
}

Point to_affine(const Jacobian& p) {
  if (p.z.is_zero()) return {Felt::zero(), Felt::zero(), true};
  const Felt zi = p.z.inverse(), zi2 = zi.square();
  return {p.x * zi2, p.y * zi2 * zi, false};
}

Jacobian dbl(const Jacobian& p) {
  if (p.z.is_zero() || p.y.is_zero()) return {Felt::one(), Felt::one(), Felt::zero()};
  // a = 1: M = 3X² + Z⁴, S = 4XY², X' = M² − 2S, Y' = M(S − X') − 8Y⁴, Z' = 2YZ.
  const Felt xx = p.x.square(), yy = p.y.square(), zz = p.z.square();
  const Felt s = (p.x * yy).dbl().dbl();
  const Felt m = xx.dbl() + xx + zz.square();
  const Felt x3 = m.square() - s.dbl();
  const Felt yyyy8 = yy.square().dbl().dbl().dbl();
  return {x3, m * (s - x3) - yyyy8, (p.y * p.z).dbl()};
}

Jacobian add(const Jacobian& p, const Jacobian& q) {
  if (p.z.is_zero()) return q;
  if (q.z.is_zero()) return p;
  const Felt z1z1 = p.z.square(), z2z2 = q.z.square();
  const Felt u1 = p.x * z2z2, u2 = q.x * z1z1;
  const Felt s1 = p.y * q.z * z2z2, s2 = q.y * p.z * z1z1;
  const Felt h = u2 - u1, r = s2 - s1;
  if (h.is_zero()) {
    if (r.is_zero()) return dbl(p);
    return {Felt::one(), Felt::one(), Felt::zero()};
  }
  const Felt hh = h.square(), hhh = hh * h, v = u1 * hh;
  const Felt x3 = r.square() - hhh - v.dbl();
  return {x3, r * (v - x3) - s1 * hhh, p.z * q.z * h};
}

Point neg(const Point& p) { return p.infinity ? p : Point{p.x, -p.y, false}; }

Point add(const Point& p, const Point& q) { return to_affine(add(to_jacobian(p), to_jacobian(q))); }

Point mul(const Point& p, const U256& k) {
  std::array<Jacobian, 16> table;
  table[0] = to_jacobian({Felt::zero(), Felt::zero(), true});
  table[1] = to_jacobian(p);
  for (int i = 2; i < 16; ++i) table[i] = add(table[i - 1], table[1]);
  Jacobian acc = table[0];
  for (int nib = 63; nib >= 0; --nib) {
    for (int d = 0; d < 4; ++d) acc = dbl(acc);
    const unsigned digit = (k.w[nib / 16] >> (4 * (nib % 16))) & 0xf;
    if (digit) acc = add(acc, table[digit]);
  }
  return to_affine(acc);
}

std::optional<Point> lift_x(const Felt& x) {
  Felt y;
  if (!sqrt(x.square() * x + x + curve_beta(), y)) return std::nullopt;
  if (y.value().bit(0)) y = -y;
  return Point{x, y, false};
}

Point public_key(const U256& private_key) {
  if (private_key.is_zero() || private_key >= kN) throw BadInput("private key must be in [1, N) (the Stark curve order)");
  return mul(generator(), private_key);
}

Signature sign(const U256& msg_hash, const U256& private_key) {
  if (msg_hash >= kMax251) throw BadInput("message hash " + msg_hash.hex() + " is not below 2^251");
  if (private_key.is_zero() || private_key >= kN) throw BadInput("private key must be in [1, N) (the Stark curve order)");
  // RFC 6979 §3.2 with HMAC-SHA256; h1 = msg_hash (< 2^251 < N, so bits2int_modN is the identity).
  const Bytes32 x = private_key.to_be_bytes(), h1 = msg_hash.to_be_bytes();
  Bytes32 v, k;
  v.fill(1);
  k.fill(0);
  const uint8_t zero = 0, one = 1;
  k = hmac_sha256(k, {v, {&zero, 1}, x, h1});
  v = hmac_sha256(k, {v});
  k = hmac_sha256(k, {v, {&one, 1}, x, h1});
  v = hmac_sha256(k, {v});
  const Scalar d = to_scalar(private_key), m = to_scalar(msg_hash);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    v = hmac_sha256(k, {v});
    const U256 kk = bits2int(v);
    if (!kk.is_zero() && kk < kN) {
      const Point q = mul(generator(), kk);
      const Scalar r = to_scalar(q.x.value());
      if (!r.is_zero()) {
        const Scalar s = to_scalar(kk).inverse() * (m + r * d);
        if (!s.is_zero()) {
          // Starknet's own bounds (r and s⁻¹ below 2^251); starknet.js refuses such a signature too.
          if (r.value() >= kMax251 || s.inverse().value() >= kMax251)
            throw std::runtime_error("signature out of Starknet's range for this (hash, key); refusing it");
          return {Felt::reduce(r.value()), Felt::reduce(s.value())};
        }
      }
    }
    k = hmac_sha256(k, {v, {&zero, 1}});
    v = hmac_sha256(k, {v});
  }
  throw std::runtime_error("RFC 6979 nonce generation did not converge");
}

bool verify(const U256& msg_hash, const Signature& sig, const Point& public_key) {
  const U256 r = sig.r.value(), s = sig.s.value();
  if (msg_hash >= kMax251 || r.is_zero() || r >= kMax251 || s.is_zero() || s >= kN) return false;
  if (public_key.infinity || !on_curve(public_key)) return false;
  const Scalar w = to_scalar(s).inverse();
  if (w.value() >= kMax251) return false;
  const Scalar u1 = to_scalar(msg_hash) * w, u2 = to_scalar(r) * w;
  const Point p = add(mul(generator(), u1.value()), mul(public_key, u2.value()));
  if (p.infinity) return false;
  return to_scalar(p.x.value()) == to_scalar(r);
}

bool verify_stark_key(const U256& msg_hash, const Signature& sig, const Felt& stark_key) {
  const auto q = lift_x(stark_key);
  if (!q) return false;
  return verify(msg_hash, sig, *q) || verify(msg_hash, sig, neg(*q));
}

}  // namespace zkm31::starknet
