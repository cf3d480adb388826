// stark-proof artifacts through the verifier (stark::read_proof + stark::verify), checksum resealed:
// malformed → BadInput, false → Rejected, never anything else.
#include "error/error.hpp"
#include "fuzz.hpp"
#include "stark/artifacts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = zkm31::fuzz::resealed({data, size});
  try {
    const zkm31::stark::ProofArtifact a = zkm31::stark::read_proof(bytes);
    zkm31::stark::verify(a.components, a.proof);
  } catch (const zkm31::BadInput&) {
  } catch (const zkm31::Rejected&) {
  }
  return 0;
}
