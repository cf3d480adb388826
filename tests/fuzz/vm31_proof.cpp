// vm31-proof artifacts through what `vm31 apply` runs before touching a pool (decode_proven +
// verify_transaction), checksum resealed: malformed → BadInput, false → Rejected, nothing else.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "vm31/proof.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    zkm31::vm31::verify_transaction(zkm31::vm31::decode_proven(bytes));
  } catch (const zkm31::BadInput&) {
  } catch (const zkm31::Rejected&) {
  }
  return 0;
}
