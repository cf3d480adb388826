// vm31-proof and vm31-deposit-batch artifacts through what `vm31 apply` runs before touching a pool
// (decode + verify, by the envelope's kind), checksum resealed: malformed → BadInput, false →
// Rejected, nothing else.
#include <limits>

#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "fuzz.hpp"
#include "vm31/proof.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    if (zkm31::artifact::unwrap_view(bytes, "", std::numeric_limits<uint32_t>::max()).kind == "vm31-deposit-batch")
      zkm31::vm31::verify_deposit_batch(zkm31::vm31::decode_deposit_batch(bytes));
    else
      zkm31::vm31::verify_transaction(zkm31::vm31::decode_proven(bytes));
  } catch (const zkm31::BadInput&) {
  } catch (const zkm31::Rejected&) {
  }
  return 0;
}
