// The model cache's commitment header through pcs::load, against a commitment of fixed values made at
// start-up (its honest header is the seed: ZKM31_FUZZ_SEED_OUT=DIR writes it there); checksum resealed.
#include <cstdlib>
#include <fstream>
#include <optional>

#include "error/error.hpp"
#include "fuzz.hpp"
#include "pcs/pcs.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {
std::vector<M31> values;
std::vector<M31> codeword;
const pcs::Config config = prove::Options{}.pcs;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  uint32_t x = 1;
  for (int i = 0; i < 1 << 12; ++i) values.push_back(M31((x = x * 1103515245u + 12345u) % kP));
  const pcs::Committed committed = pcs::commit(values, config);
  const pcs::Stored stored = pcs::save(committed);
  codeword.assign(stored.codeword.begin(), stored.codeword.end());
  if (const char* dir = std::getenv("ZKM31_FUZZ_SEED_OUT"))
    std::ofstream(std::string(dir) + "/honest.commitment", std::ios::binary)
        .write(reinterpret_cast<const char*>(stored.header.data()), std::streamsize(stored.header.size()));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto header = fuzz::resealed({data, size});
  try {
    (void)pcs::load(header, codeword, nullptr, std::vector<M31>(values), config);
  } catch (const BadInput&) {
  }
  return 0;
}
