#include "starknet/poseidon.hpp"

#include <openssl/sha.h>

#include <string>

namespace zkm31::starknet {

namespace {
constexpr int kFullHalf = 4, kPartial = 83, kRounds = 2 * kFullHalf + kPartial;

// The permutation works on raw Montgomery representations with delayed reductions: S-box inputs
// (state + constant) stay below 2P, Montgomery products of inputs below 2P are kept below 2P
// without their final subtraction, and the MDS layer reduces each output once from below 12P.
using detail::mont_mul;
using detail::mont_sqr;

inline U256 radd(const U256& a, const U256& b) {
  unsigned long long o[4];
  unsigned char c = 0;
  for (int i = 0; i < 4; ++i) c = _addcarry_u64(c, a.w[i], b.w[i], &o[i]);
  return U256(o[0], o[1], o[2], o[3]);
}
inline U256 rsub(const U256& a, const U256& b) {  // a ≥ b
  unsigned long long o[4];
  unsigned char c = 0;
  for (int i = 0; i < 4; ++i) c = _subborrow_u64(c, a.w[i], b.w[i], &o[i]);
  return U256(o[0], o[1], o[2], o[3]);
}
// x < 16P → x mod P: subtract k·P with k = ⌊x / 2^251⌋ ≤ 16 (k·P = k + (k·(2^59 + 17))·2^192, no
// overflow), then add P back if that went below zero (x − k·2^251 < 2^251 and k·(P − 2^251) < P).
inline U256 reduce_small(const U256& x) {
  const uint64_t k = x.w[3] >> 59;
  unsigned long long o[4], r[4];
  unsigned char br = _subborrow_u64(0, x.w[0], k, &o[0]);
  br = _subborrow_u64(br, x.w[1], 0, &o[1]);
  br = _subborrow_u64(br, x.w[2], 0, &o[2]);
  br = _subborrow_u64(br, x.w[3], k * kP.w[3], &o[3]);
  const uint64_t mask = 0 - (uint64_t)br;
  unsigned char c = _addcarry_u64(0, o[0], kP.w[0] & mask, &r[0]);
  c = _addcarry_u64(c, o[1], 0, &r[1]);
  c = _addcarry_u64(c, o[2], 0, &r[2]);
  _addcarry_u64(c, o[3], kP.w[3] & mask, &r[3]);
  return U256(r[0], r[1], r[2], r[3]);
}
const U256 k4P = radd(radd(kP, kP), radd(kP, kP)), k6P = radd(k4P, radd(kP, kP));

// MDS (t + 2s0, t − 2s1, t − 3s2), t = s0 + s1 + s2, on inputs below 2P; canonical outputs.
inline void mds(U256 s[3]) {
  const U256 t = radd(radd(s[0], s[1]), s[2]);                                 // < 6P
  const U256 y0 = radd(t, radd(s[0], s[0]));                                   // < 10P
  const U256 y1 = rsub(radd(t, k4P), radd(s[1], s[1]));                        // < 10P
  const U256 y2 = rsub(radd(t, k6P), radd(radd(s[2], s[2]), s[2]));            // < 12P
  s[0] = reduce_small(y0);
  s[1] = reduce_small(y1);
  s[2] = reduce_small(y2);
}
// x³ for x < 2P, below 2P.
inline U256 cube(const U256& x) { return mont_mul<FeltModulus, false>(mont_sqr<FeltModulus, false>(x), x); }

// Round constants rearranged for the fast permutation: in the partial rounds only state[2] is
// non-linear, so the constants of state[0] and state[1] are carried through the MDS layer as a
// pending offset and added once, folded into the constants of the first closing full round.
struct Plan {
  U256 full[2 * kFullHalf][3];
  U256 partial[kPartial];  // constant added to state[2] before its S-box
};
const Plan& plan() {
  static const Plan p = [] {
    const auto& rc = poseidon_round_constants();
    Plan out;
    for (int r = 0; r < kFullHalf; ++r)
      for (int j = 0; j < 3; ++j) out.full[r][j] = rc[r][j].mont(), out.full[kFullHalf + r][j] = rc[kFullHalf + kPartial + r][j].mont();
    Felt o0, o1, o2;  // pending offset on the state
    for (int i = 0; i < kPartial; ++i) {
      const auto& c = rc[kFullHalf + i];
      out.partial[i] = (o2 + c[2]).mont();
      const Felt a0 = o0 + c[0], a1 = o1 + c[1];  // MDS · (a0, a1, 0)
      o0 = a0 + a0 + a0 + a1;
      o1 = a0 - a1;
      o2 = a0 + a1;
    }
    const Felt o[3] = {o0, o1, o2};
    for (int j = 0; j < 3; ++j) out.full[kFullHalf][j] = (rc[kFullHalf + kPartial][j] + o[j]).mont();
    return out;
  }();
  return p;
}
}  // namespace

const std::array<PoseidonState, 91>& poseidon_round_constants() {
  static const std::array<PoseidonState, 91> rc = [] {
    std::array<PoseidonState, 91> out;
    for (int i = 0; i < kRounds; ++i)
      for (int j = 0; j < 3; ++j) {
        std::string msg = "Hades" + std::to_string(3 * i + j);
        uint8_t digest[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), digest);
        out[i][j] = Felt::reduce(U256::from_be_bytes(digest));
      }
    return out;
  }();
  return rc;
}

void hades_permutation(PoseidonState& state) {
  const Plan& p = plan();
  U256 s[3] = {state[0].mont(), state[1].mont(), state[2].mont()};
  auto full = [&](const U256 (&c)[3]) {
    for (int j = 0; j < 3; ++j) s[j] = cube(radd(s[j], c[j]));
    mds(s);
  };
  for (int r = 0; r < kFullHalf; ++r) full(p.full[r]);
  for (int i = 0; i < kPartial; ++i) {
    s[2] = cube(radd(s[2], p.partial[i]));
    mds(s);
  }
  for (int r = kFullHalf; r < 2 * kFullHalf; ++r) full(p.full[r]);
  for (int j = 0; j < 3; ++j) state[j] = Felt::from_mont(s[j]);
}

Felt poseidon_hash(const Felt& x, const Felt& y) {
  PoseidonState s{x, y, Felt::from_u64(2)};
  hades_permutation(s);
  return s[0];
}

Felt poseidon_hash_single(const Felt& x) {
  PoseidonState s{x, Felt::zero(), Felt::one()};
  hades_permutation(s);
  return s[0];
}

Felt poseidon_hash_many(std::span<const Felt> values) {
  PoseidonState s{};
  const size_t n = values.size();
  // Padding: a 1 after the data, then a 0 if needed for an even length.
  for (size_t i = 0; i <= n; i += 2) {
    const Felt a = i < n ? values[i] : Felt::one();
    const Felt b = i + 1 < n ? values[i + 1] : (i + 1 == n ? Felt::one() : Felt::zero());
    s[0] += a;
    s[1] += b;
    hades_permutation(s);
  }
  return s[0];
}

}  // namespace zkm31::starknet
