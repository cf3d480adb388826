// vm31-tx witness files through what `vm31 prove` runs before proving (decode_transaction +
// check_statement), checksum resealed: malformed or false → BadInput, nothing else.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "vm31/transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    zkm31::vm31::check_statement(zkm31::vm31::decode_transaction(bytes));
  } catch (const zkm31::BadInput&) {
  }
  return 0;
}
