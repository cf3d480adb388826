#include "starknet/keccak.hpp"

#include <cstring>

namespace zkm31::starknet {

namespace {
constexpr uint64_t kRc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};
// Rotation offsets and the π lane order, walked along the ρ–π cycle starting at lane 1.
constexpr int kRho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

inline uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void keccak_f(uint64_t a[25]) {
  for (int round = 0; round < 24; ++round) {
    uint64_t c[5], d;
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    uint64_t t = a[1];
    for (int i = 0; i < 24; ++i) {
      const int j = kPi[i];
      const uint64_t tmp = a[j];
      a[j] = rotl(t, kRho[i]);
      t = tmp;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) row[x] = a[y + x];
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    a[0] ^= kRc[round];
  }
}
}  // namespace

std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data) {
  constexpr size_t rate = 136;
  uint64_t a[25] = {};
  auto absorb = [&](const uint8_t* block) {
    for (size_t i = 0; i < rate / 8; ++i) {
      uint64_t lane = 0;
      for (int b = 0; b < 8; ++b) lane |= (uint64_t)block[8 * i + b] << (8 * b);
      a[i] ^= lane;
    }
    keccak_f(a);
  };
  size_t off = 0;
  for (; off + rate <= data.size(); off += rate) absorb(data.data() + off);
  uint8_t last[rate] = {};
  if (data.size() > off) std::memcpy(last, data.data() + off, data.size() - off);
  last[data.size() - off] ^= 0x01;
  last[rate - 1] ^= 0x80;
  absorb(last);
  std::array<uint8_t, 32> out;
  for (int i = 0; i < 32; ++i) out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
  return out;
}

Felt sn_keccak(std::span<const uint8_t> data) {
  auto h = keccak256(data);
  h[0] &= 0x03;  // keep 250 bits
  return Felt::from_u256(U256::from_be_bytes(h));
}

Felt selector(std::string_view name) {
  return sn_keccak({reinterpret_cast<const uint8_t*>(name.data()), name.size()});
}

}  // namespace zkm31::starknet
