// calldata's input: a proof artifact → felt252 calldata (checksum resealed).
#include "error/error.hpp"
#include "fuzz.hpp"
#include "starknet/proof_calldata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    (void)zkm31::starknet::proof_calldata(bytes);
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
