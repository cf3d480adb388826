#pragma once
// Keccak-256 (the original Keccak padding 0x01, as Ethereum and Starknet use, not SHA3's 0x06) and
// Starknet's sn_keccak / entry-point selectors. OpenSSL 3.0 (Debian 12) has no KECCAK-256 digest,
// hence this small keccak-f[1600].
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data);
// keccak256 truncated to its low 250 bits.
Felt sn_keccak(std::span<const uint8_t> data);
// Entry-point selector of a function name (sn_keccak of its UTF-8 bytes), as getSelectorFromName.
Felt selector(std::string_view name);

}  // namespace zkm31::starknet
