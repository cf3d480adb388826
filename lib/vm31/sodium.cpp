#include "vm31/sodium.hpp"

#include <stdexcept>

namespace zkm31::vm31 {

void init_sodium() {
  static const int status = sodium_init();  // thread-safe once; 1 = already initialised
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace zkm31::vm31
