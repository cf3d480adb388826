// Proof artifacts through the verifier (prove::verify), checksum resealed: malformed → BadInput,
// false → Rejected, never anything else.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "prove/proof.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    (void)zkm31::prove::verify(bytes, {});
  } catch (const zkm31::BadInput&) {
  } catch (const zkm31::Rejected&) {
  }
  return 0;
}
