#pragma once
// The Stark curve y² = x³ + x + β over felt252 (generator and order from
// ../shared/reference/starknet.json) and ECDSA as Starknet signs: RFC 6979 deterministic nonces
// with HMAC-SHA256 and the curve-specific bit truncation that @scure/starknet (starknet.js) uses.
#include <array>
#include <optional>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

struct Point {  // affine; `infinity` marks the neutral element
  Felt x, y;
  bool infinity = false;
  friend bool operator==(const Point&, const Point&) = default;
};

struct Jacobian {  // (X/Z², Y/Z³); Z = 0 is the point at infinity
  Felt x, y, z;
};

const Felt& curve_beta();
const Point& generator();
bool on_curve(const Point& p);

Jacobian to_jacobian(const Point& p);
Point to_affine(const Jacobian& p);
Jacobian dbl(const Jacobian& p);
Jacobian add(const Jacobian& p, const Jacobian& q);
Point neg(const Point& p);
Point add(const Point& p, const Point& q);
// k·p for any 256-bit k (4-bit fixed window).
Point mul(const Point& p, const U256& k);

// The point with this x coordinate and an even y, if x is on the curve.
std::optional<Point> lift_x(const Felt& x);

struct Signature {
  Felt r, s;  // r < 2^251, s < N (Starknet sends both as felts)
};

// Public key of a private key in [1, N); BadInput otherwise. The "stark key" is its x.
Point public_key(const U256& private_key);
// msg_hash must be < 2^251 (BadInput otherwise).
Signature sign(const U256& msg_hash, const U256& private_key);
// True iff (r, s) is a valid signature of msg_hash by the key; malformed values just fail.
bool verify(const U256& msg_hash, const Signature& sig, const Point& public_key);
// Verification with only the stark key (x): accepts either y, as Starknet accounts do.
bool verify_stark_key(const U256& msg_hash, const Signature& sig, const Felt& stark_key);

}  // namespace zkm31::starknet
