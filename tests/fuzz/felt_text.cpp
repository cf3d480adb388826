// calldata's number and string parsers: felts and u256 in decimal or 0x-hex, whitespace-separated
// felt lists, short strings and ByteArrays.
#include <string>

#include "error/error.hpp"
#include "starknet/encoding.hpp"
#include "starknet/felt.hpp"

using namespace zkm31::starknet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto quiet = [](auto&& f) {
    try {
      f();
    } catch (const zkm31::BadInput&) {
    }
  };
  quiet([&] { (void)U256::parse(text); });
  quiet([&] { (void)Felt::parse(text); });
  quiet([&] { (void)parse_felt_text(text); });
  quiet([&] { (void)decode_short_string(short_string(text)); });
  quiet([&] { (void)byte_array(text); });
  return 0;
}
