#pragma once
// libsodium, initialised once per process before any of its functions is used.
#include <sodium.h>

namespace zkm31::vm31 {

void init_sodium();  // throws std::runtime_error if libsodium cannot initialise

}  // namespace zkm31::vm31
