#include "starknet/poseidon.hpp"

#include <openssl/sha.h>

#include <string>

namespace zkm31::starknet {

namespace {
constexpr int kFullHalf = 4, kPartial = 83, kRounds = 2 * kFullHalf + kPartial;

inline void mds(PoseidonState& s) {
  // [[3,1,1],[1,−1,1],[1,1,−2]]·s = (t + 2s0, t − 2s1, t − 3s2) with t = s0 + s1 + s2.
  const Felt t = s[0] + s[1] + s[2];
  const Felt s2x2 = s[2].dbl();
  s[0] = t + s[0].dbl();
  s[1] = t - s[1].dbl();
  s[2] = t - s2x2 - s[2];
}
inline Felt cube(const Felt& x) { return x.square() * x; }
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

void hades_permutation(PoseidonState& s) {
  const auto& rc = poseidon_round_constants();
  int r = 0;
  auto full = [&] {
    for (int j = 0; j < 3; ++j) s[j] = cube(s[j] + rc[r][j]);
    mds(s);
    ++r;
  };
  for (int i = 0; i < kFullHalf; ++i) full();
  for (int i = 0; i < kPartial; ++i, ++r) {
    s[0] += rc[r][0];
    s[1] += rc[r][1];
    s[2] = cube(s[2] + rc[r][2]);
    mds(s);
  }
  for (int i = 0; i < kFullHalf; ++i) full();
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
