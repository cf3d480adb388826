// The JSON-RPC replies `submit` reads: the envelope (result / error), then the result as a fee
// estimate and as a receipt. A node's reply is untrusted input like a file.
#include <string>

#include "starknet/rpc.hpp"

using namespace zkm31::starknet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string reply(reinterpret_cast<const char*>(data), size);
  try {
    const auto result = rpc_result("starknet_estimateFee", 200, reply);
    try {
      (void)resource_bounds_of(result);
    } catch (const NetworkError&) {
    }
    (void)receipt_outcome(result);
  } catch (const zkm31::BadInput&) {  // NodeError
  } catch (const NetworkError&) {
  }
  return 0;
}
