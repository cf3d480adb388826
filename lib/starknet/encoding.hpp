#pragma once
// Cairo value encodings as starknet.js produces them: short strings, ByteArray, u256.
#include <string>
#include <string_view>
#include <vector>

#include "starknet/felt.hpp"

namespace zkm31::starknet {

// An ASCII string of at most 31 characters as one big-endian felt (BadInput otherwise).
Felt short_string(std::string_view text);
// Inverse of short_string (the felt's bytes without leading zeros).
std::string decode_short_string(const Felt& f);

// Cairo ByteArray calldata: [n_full_words, word…(31 bytes each), pending_word, pending_word_len].
// Takes the bytes as given (UTF-8 text stays UTF-8; starknet.js itself accepts only ASCII).
std::vector<Felt> byte_array(std::string_view bytes);

// u256 as Cairo's struct {low: u128, high: u128}.
struct U256Parts {
  Felt low, high;
};
U256Parts u256_split(const U256& v);

}  // namespace zkm31::starknet
