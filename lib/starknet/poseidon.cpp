#include "starknet/poseidon.hpp"

#include <openssl/sha.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "error/error.hpp"

namespace zkm31::starknet {

namespace {
constexpr int kFullHalf = 4, kPartial = 83, kRounds = 2 * kFullHalf + kPartial;

// The permutation runs on raw 256-bit integers that stand for felts in Montgomery form without being
// reduced (every bound below is an upper bound on the integer; 2^256 > 31.99·P, 2^252 < 2P).
//
// Products (Arith::mul/sqr, see felt_adx.hpp): mul(a, b) < a·b/2^256 + P, sqr(a) < a²/2^256 + 2P, so
//   cube(z) = mul(sqr(z), z) < 1.14P for z < 2^252, and < 1.44P for z < 5P.
// red(v) for 2^251 ≤ v < 2^256 subtracts (⌊v/2^251⌋ − 1)·P: the result lies in [L, 2^252) with
// L = 2^251 − 30·(17·2^192 + 1) > 0.99·2^251.
//
// Full rounds: S-box inputs are red(·) < 2^252, so each x_j < 1.14P. The MDS output of lane j plus
// its next round constant c (< P) and an offset that keeps it ≥ P (hence ≥ 2^251) is reduced again:
//   red(3x0 + x1 + x2 + c + P) (< 7.7P),  red(x0 − x1 + x2 + c + 4P) (in [2.8P, 7.3P)),
//   red(x0 + x1 − 2x2 + c + 5P) (in [2.7P, 8.3P)).
//
// Partial rounds: only lane 2 has an S-box, and the MDS [[3,1,1],[1,−1,1],[1,1,−2]] lets the other
// two lanes collapse into one sequence. With A = s0 + s1, B = s0 and W_i = 2B_i + x_i (x_i = z_i³):
//   z_{i+1} = p_{i+1} + 2W_{i−1} − 2x_i,   W_i = 2W_{i−1} + 4W_{i−2} + x_i
// (p_i = lane-2 round constant; the lane-0/1 constants are carried as a pending offset and added at
// the first closing full round). Lane 2 is kept scaled by α = √−2 (P ≡ 1 mod 8, so −2 is a square):
// for Ẑ = α·z the cube gives X = Ẑ³ = −2α·x, exactly the x term in V = −2α·W, so
//   Ẑ_{i+1} = (α·p_{i+1} + 2P) − V_{i−1} + X_i,   V_i = red(2V_{i−1} + 4V_{i−2} + X_i)
// leaves one 4-limb addition on the critical path per round and no doubling of x. Bounds: V in
// [L, 2^252) so Ẑ < 3P + X; for Ẑ < 5P, X < 1.44P, so Ẑ < 4.44P stays below 5P. Entering costs
// three products by constants (Ẑ_0 = α·z_0 < 2.17P, V₋₁ = −α·A_0 < 1.22P, S_0 = −4α·B_0 + P in
// [P, 2.18P)); S_i = 2V_{i−1} + 4V_{i−2} < 8.9P, so red's input S_i + X_i < 10.3P. Leaving, the
// state is (−(V_82 + 2V_81), 2V_81 − V_82, 2(X_82 − V_81)) · 1/(2α): three products, each < 1.22P.
//
// The state between permutations (poseidon_hash_many) stays lazy, each lane < 2^252; adding an input
// felt keeps it below 2^253, and the first round adds its constant plus P before red.
using detail::mont_mul;
using detail::mont_sqr;

inline U256 add(U256 a, const U256& b) {
  asm("add %[b0], %[a0]\n\tadc %[b1], %[a1]\n\tadc %[b2], %[a2]\n\tadc %[b3], %[a3]"
      : [a0] "+r"(a.w[0]), [a1] "+r"(a.w[1]), [a2] "+r"(a.w[2]), [a3] "+r"(a.w[3])
      : [b0] "rm"(b.w[0]), [b1] "rm"(b.w[1]), [b2] "rm"(b.w[2]), [b3] "rm"(b.w[3])
      : "cc");
  return a;
}
inline U256 sub(U256 a, const U256& b) {  // a ≥ b
  asm("sub %[b0], %[a0]\n\tsbb %[b1], %[a1]\n\tsbb %[b2], %[a2]\n\tsbb %[b3], %[a3]"
      : [a0] "+r"(a.w[0]), [a1] "+r"(a.w[1]), [a2] "+r"(a.w[2]), [a3] "+r"(a.w[3])
      : [b0] "rm"(b.w[0]), [b1] "rm"(b.w[1]), [b2] "rm"(b.w[2]), [b3] "rm"(b.w[3])
      : "cc");
  return a;
}
inline U256 dbl(const U256& a) { return add(a, a); }
// 2^251 ≤ v < 2^256 → v − j·P with j = ⌊v/2^251⌋ − 1 (j·P = j + j·c·2^192, c = P's top limb).
inline U256 red(U256 v) {
  uint64_t j, jc;
  asm("mov %[v3], %[j]\n\t"
      "shr $59, %[j]\n\t"
      "dec %[j]\n\t"
      "movabs $0x0800000000000011, %[jc]\n\t"
      "imul %[j], %[jc]\n\t"
      "sub %[j], %[v0]\n\t"
      "sbb $0, %[v1]\n\t"
      "sbb $0, %[v2]\n\t"
      "sbb %[jc], %[v3]\n\t"
      : [v0] "+r"(v.w[0]), [v1] "+r"(v.w[1]), [v2] "+r"(v.w[2]), [v3] "+r"(v.w[3]), [j] "=&r"(j), [jc] "=&r"(jc)
      :
      : "cc");
  return v;
}
U256 multiple_of_p(uint64_t k) { return U256(k, 0, 0, k * kP.w[3]); }  // k ≤ 31

// Working memory of the partial rounds: z = Ẑ_i (the product's memory operand), x = X_{i−1},
// s = S, y = α·p_{i+1} + 2P − V_{i−1}, e = 4V_{i−2}, v = V_{i−1}. Named memory operands (not a
// pointer) keep every register free for the products and the square's result in registers.
struct PartialSlots {
  U256 z, x, s, y, e, v;
};
#define ZKM31_IN4(name, u) [name##0] "m"(u.w[0]), [name##1] "m"(u.w[1]), [name##2] "m"(u.w[2]), [name##3] "m"(u.w[3])
#define ZKM31_OUT4(name, u) \
  [name##0] "=m"(u.w[0]), [name##1] "=m"(u.w[1]), [name##2] "=m"(u.w[2]), [name##3] "=m"(u.w[3])

// The off-critical-path work of partial round i, in two halves placed between the square and the
// product and between the product and the next addition, so it runs in their shadow at lower
// scheduling priority. First: V_{i−1} = red(S_{i−1} + X_{i−1}); y = yc − V_{i−1} (yc = α·p_{i+1} + 2P).
inline void partial_offpath_v(PartialSlots& m, const U256& yc) {
  uint64_t a0, a1, a2, a3, j, k;
  asm("mov %[s0], %[a0]\n\t" "mov %[s1], %[a1]\n\t" "mov %[s2], %[a2]\n\t" "mov %[s3], %[a3]\n\t"
      "add %[x0], %[a0]\n\t" "adc %[x1], %[a1]\n\t" "adc %[x2], %[a2]\n\t" "adc %[x3], %[a3]\n\t"
      "mov %[a3], %[j]\n\t" "shr $59, %[j]\n\t" "dec %[j]\n\t"
      "movabs $0x0800000000000011, %[k]\n\t" "imul %[j], %[k]\n\t"
      "sub %[j], %[a0]\n\t" "sbb $0, %[a1]\n\t" "sbb $0, %[a2]\n\t" "sbb %[k], %[a3]\n\t"
      "mov %[a0], %[v0]\n\t" "mov %[a1], %[v1]\n\t" "mov %[a2], %[v2]\n\t" "mov %[a3], %[v3]\n\t"
      "mov %[c0], %[j]\n\t" "sub %[a0], %[j]\n\t" "mov %[j], %[y0]\n\t"
      "mov %[c1], %[j]\n\t" "sbb %[a1], %[j]\n\t" "mov %[j], %[y1]\n\t"
      "mov %[c2], %[j]\n\t" "sbb %[a2], %[j]\n\t" "mov %[j], %[y2]\n\t"
      "mov %[c3], %[j]\n\t" "sbb %[a3], %[j]\n\t" "mov %[j], %[y3]\n\t"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [j] "=&r"(j), [k] "=&r"(k),
        ZKM31_OUT4(v, m.v), ZKM31_OUT4(y, m.y)
      : ZKM31_IN4(s, m.s), ZKM31_IN4(x, m.x), ZKM31_IN4(c, yc)
      : "cc");
}
// Second: s = 2V_{i−1} + e; e = 4V_{i−1}. Doublings by shld, leaving the add/adc ports to the products.
inline void partial_offpath_s(PartialSlots& m) {
  uint64_t a0, a1, a2, a3, b0, b1, b2, b3;
  asm("mov %[v0], %[a0]\n\t" "mov %[v1], %[a1]\n\t" "mov %[v2], %[a2]\n\t" "mov %[v3], %[a3]\n\t"
      "mov %[a3], %[b3]\n\t" "shld $1, %[a2], %[b3]\n\t"
      "mov %[a2], %[b2]\n\t" "shld $1, %[a1], %[b2]\n\t"
      "mov %[a1], %[b1]\n\t" "shld $1, %[a0], %[b1]\n\t"
      "lea (%[a0],%[a0]), %[b0]\n\t"
      "add %[e0], %[b0]\n\t" "mov %[b0], %[s0]\n\t"
      "adc %[e1], %[b1]\n\t" "mov %[b1], %[s1]\n\t"
      "adc %[e2], %[b2]\n\t" "mov %[b2], %[s2]\n\t"
      "adc %[e3], %[b3]\n\t" "mov %[b3], %[s3]\n\t"
      "shld $2, %[a2], %[a3]\n\t" "shld $2, %[a1], %[a2]\n\t" "shld $2, %[a0], %[a1]\n\t" "shl $2, %[a0]\n\t"
      "mov %[a0], %[e0]\n\t" "mov %[a1], %[e1]\n\t" "mov %[a2], %[e2]\n\t" "mov %[a3], %[e3]\n\t"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [b0] "=&r"(b0), [b1] "=&r"(b1),
        [b2] "=&r"(b2), [b3] "=&r"(b3), ZKM31_OUT4(s, m.s), [e0] "+m"(m.e.w[0]), [e1] "+m"(m.e.w[1]),
        [e2] "+m"(m.e.w[2]), [e3] "+m"(m.e.w[3])
      : ZKM31_IN4(v, m.v)
      : "cc");
}
#undef ZKM31_IN4
#undef ZKM31_OUT4
// The critical-path half: x = X_i; z = y + X_i, also stored for the next product.
inline U256 partial_next_z(PartialSlots& m, U256 x) {
  asm("mov %[x0], %[m_x0]\n\t" "mov %[x1], %[m_x1]\n\t" "mov %[x2], %[m_x2]\n\t" "mov %[x3], %[m_x3]\n\t"
      "add %[y0], %[x0]\n\t" "adc %[y1], %[x1]\n\t" "adc %[y2], %[x2]\n\t" "adc %[y3], %[x3]\n\t"
      "mov %[x0], %[z0]\n\t" "mov %[x1], %[z1]\n\t" "mov %[x2], %[z2]\n\t" "mov %[x3], %[z3]\n\t"
      : [x0] "+r"(x.w[0]), [x1] "+r"(x.w[1]), [x2] "+r"(x.w[2]), [x3] "+r"(x.w[3]), [m_x0] "=m"(m.x.w[0]),
        [m_x1] "=m"(m.x.w[1]), [m_x2] "=m"(m.x.w[2]), [m_x3] "=m"(m.x.w[3]), [z0] "=m"(m.z.w[0]),
        [z1] "=m"(m.z.w[1]), [z2] "=m"(m.z.w[2]), [z3] "=m"(m.z.w[3])
      : [y0] "m"(m.y.w[0]), [y1] "m"(m.y.w[1]), [y2] "m"(m.y.w[2]), [y3] "m"(m.y.w[3])
      : "cc");
  return x;
}

// Round constants arranged for the permutation below (raw Montgomery integers, offsets included).
struct Plan {
  U256 full_in[3];                // round 0: state + constant + P
  U256 full[2 * kFullHalf][3];    // rounds 1–3 and 5–7 of the full ones: MDS output + constant + offset
  U256 full_out[3];               // after the last MDS: offsets only
  U256 alpha_p0;                  // α·p_0, added to α·z_0
  U256 y[kPartial + 1];           // α·p_i + 2P (the last entry is read by the final round, unused)
  U256 alpha, minus_alpha, minus_4alpha, inv_2alpha;
};
const Plan& plan() {
  static const Plan p = [] {
    const auto& rc = poseidon_round_constants();
    Plan out;
    Felt alpha;
    if (!sqrt(-Felt::from_u64(2), alpha)) throw std::logic_error("−2 is not a square mod P");
    out.alpha = alpha.mont();
    out.minus_alpha = (-alpha).mont();
    out.minus_4alpha = (-(alpha.dbl().dbl())).mont();
    out.inv_2alpha = alpha.dbl().inverse().mont();
    for (int j = 0; j < 3; ++j) out.full_in[j] = add(rc[0][j].mont(), kP);
    const U256 offset[3] = {multiple_of_p(1), multiple_of_p(4), multiple_of_p(5)};
    for (int r = 1; r < 2 * kFullHalf; ++r)
      if (r != kFullHalf)
        for (int j = 0; j < 3; ++j) out.full[r][j] = add(rc[r < kFullHalf ? r : r + kPartial][j].mont(), offset[j]);
    for (int j = 0; j < 3; ++j) out.full_out[j] = offset[j];
    Felt o0, o1, o2;  // pending offset of lanes 0–2
    for (int i = 0; i < kPartial; ++i) {
      const auto& c = rc[kFullHalf + i];
      const Felt alpha_p = alpha * (o2 + c[2]);
      if (i == 0) out.alpha_p0 = alpha_p.mont();
      out.y[i] = add(alpha_p.mont(), multiple_of_p(2));
      const Felt a0 = o0 + c[0], a1 = o1 + c[1];  // MDS · (a0, a1, 0)
      o0 = a0 + a0 + a0 + a1;
      o1 = a0 - a1;
      o2 = a0 + a1;
    }
    out.y[kPartial] = out.y[kPartial - 1];
    const Felt o[3] = {o0, o1, o2};
    for (int j = 0; j < 3; ++j) out.full[kFullHalf][j] = add((rc[kFullHalf + kPartial][j] + o[j]).mont(), kP);
    return out;
  }();
  return p;
}

template <class Arith>
struct Hades {
  static U256 mul(const U256& a, const U256& b) { return Arith::mul(a, b); }
  static U256 cube(const U256& z) { return mul(Arith::sqr(z), z); }

  // s: three lanes < 2^253 in, < 2^252 out.
  static void permute(U256 s[3]) {
    const Plan& p = plan();
    U256 x[3], z[3];
    for (int j = 0; j < 3; ++j) x[j] = cube(red(add(s[j], p.full_in[j])));
    auto mds_red = [&](const U256(&c)[3]) {  // x[2] comes last: one or two additions after it
      const U256 x01 = add(x[0], x[1]);
      z[0] = red(add(add(add(add(x01, c[0]), x[0]), x[0]), x[2]));
      z[1] = red(add(sub(add(x[0], c[1]), x[1]), x[2]));
      z[2] = red(sub(sub(add(x01, c[2]), x[2]), x[2]));
    };
    for (int r = 1; r < kFullHalf; ++r) {
      mds_red(p.full[r]);
      for (int j = 0; j < 3; ++j) x[j] = cube(z[j]);
    }

    PartialSlots m;
    m.z = add(mul(sub(add(add(x[0], x[1]), multiple_of_p(3)), dbl(x[2])), p.alpha), p.alpha_p0);
    const U256 v = mul(add(dbl(dbl(x[0])), dbl(x[2])), p.minus_alpha);                      // V₋₁
    m.s = add(mul(add(add(add(dbl(x[0]), x[0]), x[1]), x[2]), p.minus_4alpha), kP);        // S₀
    m.y = sub(p.y[1], v);
    m.e = dbl(dbl(v));
    U256 xt = mul(Arith::sqr(m.z), m.z);
    U256 zz = partial_next_z(m, xt);
    for (int i = 1; i < kPartial; ++i) {
      const U256 u = Arith::sqr(zz);
      partial_offpath_v(m, p.y[i + 1]);
      xt = mul(u, m.z);
      partial_offpath_s(m);
      zz = partial_next_z(m, xt);
    }
    const U256 v81 = m.v, v82 = red(add(m.s, xt)), w2 = dbl(v81);
    z[0] = red(add(mul(sub(sub(multiple_of_p(6), v82), w2), p.inv_2alpha), p.full[kFullHalf][0]));
    z[1] = red(add(mul(sub(add(w2, multiple_of_p(2)), v82), p.inv_2alpha), p.full[kFullHalf][1]));
    z[2] = red(add(mul(dbl(sub(add(xt, multiple_of_p(2)), v81)), p.inv_2alpha), p.full[kFullHalf][2]));

    for (int j = 0; j < 3; ++j) x[j] = cube(z[j]);
    for (int r = kFullHalf + 1; r < 2 * kFullHalf; ++r) {
      mds_red(p.full[r]);
      for (int j = 0; j < 3; ++j) x[j] = cube(z[j]);
    }
    mds_red(p.full_out);
    for (int j = 0; j < 3; ++j) s[j] = z[j];
  }

  static void permute(PoseidonState& state) {
    U256 s[3] = {state[0].mont(), state[1].mont(), state[2].mont()};
    permute(s);
    for (int j = 0; j < 3; ++j) state[j] = Felt::from_mont(detail::reduce_once(s[j], kP));
  }

  static Felt hash_many(std::span<const Felt> values) {
    U256 s[3];
    const size_t n = values.size();
    // Padding: a 1 after the data, then a 0 if needed for an even length.
    for (size_t i = 0; i <= n; i += 2) {
      const Felt a = i < n ? values[i] : Felt::one();
      const Felt b = i + 1 < n ? values[i + 1] : (i + 1 == n ? Felt::one() : Felt::zero());
      s[0] = add(s[0], a.mont());
      s[1] = add(s[1], b.mont());
      permute(s);
    }
    return Felt::from_mont(detail::reduce_once(s[0], kP));
  }
};

struct PortableArith {
  static U256 mul(const U256& a, const U256& b) { return mont_mul<FeltModulus, false>(a, b); }
  static U256 sqr(const U256& a) { return mont_sqr<FeltModulus, false>(a); }
};
struct AdxArith {
  static U256 mul(const U256& a, const U256& b) {
    U256 r;
    detail::adx::mul(a.w.data(), b.w.data(), r.w.data());
    return r;
  }
  static U256 sqr(const U256& a) {
    U256 r;
    detail::adx::sqr(a.w.data(), r.w.data());
    return r;
  }
};
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
  if (detail::g_felt_adx)
    Hades<AdxArith>::permute(state);
  else
    Hades<PortableArith>::permute(state);
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
  return detail::g_felt_adx ? Hades<AdxArith>::hash_many(values) : Hades<PortableArith>::hash_many(values);
}

Felt poseidon_merkle_root(std::span<const Felt> leaves) {
  if (leaves.empty()) throw BadInput("a Merkle root needs at least one leaf");
  std::vector<Felt> level(leaves.begin(), leaves.end());
  while (level.size() > 1) {
    std::vector<Felt> up;
    for (size_t i = 0; i + 1 < level.size(); i += 2) up.push_back(poseidon_hash(level[i], level[i + 1]));
    if (level.size() % 2) up.push_back(level.back());
    level = std::move(up);
  }
  return poseidon_hash(Felt::from_u64(leaves.size()), level[0]);
}

}  // namespace zkm31::starknet
