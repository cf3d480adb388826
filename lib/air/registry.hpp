#pragma once
// The components an artifact can name (air-trace, stark-proof): name + version + log_size + public
// inputs → the component, and example instances for demos and benchmarks.
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "air/air.hpp"

namespace zkm31::air {

// NotSupported for an unknown name or version; BadInput for a public-input count or size the component
// does not take.
std::shared_ptr<const Component> make_component(std::string_view name, uint32_t version, unsigned log_size,
                                                std::span<const M31> public_inputs);

// A component kind defined outside lib/air (lib/vm31's circuits): make_component finds it by name from
// then on, and checks its version. Registering a name again replaces its factory.
using Factory = std::function<std::shared_ptr<const Component>(unsigned log_size, std::span<const M31> public_inputs)>;
void register_component(const std::string& name, Factory factory);

// A statement with its witness.
struct Instance {
  Components components;
  std::vector<Columns> traces;
};

// "fibonacci": 2^log_rows rows from a random start; "range": 2^log_rows random 31-bit values
// decomposed into range-checked limbs (with the 2^16 table); "poseidon2": 2^log_rows permutations of
// random states (looked up by nothing). NotSupported for other names, BadInput for log_rows outside 3..24.
Instance example(std::string_view name, unsigned log_rows, std::mt19937_64& rng);
std::vector<std::string> example_names();

}  // namespace zkm31::air
