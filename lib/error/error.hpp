#pragma once
// The error kinds every tool maps to its exit code (DESIGN.md §1):
// 1 rejected proof · 2 bad usage or bad input (incl. "not supported") · 3 internal error.
#include <stdexcept>
#include <string>

namespace zkm31 {

// Bad usage or malformed input: exit 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A real feature boundary: exit 2 with "not supported: ...".
struct NotSupported : BadInput {
  explicit NotSupported(const std::string& what) : BadInput("not supported: " + what) {}
};

// A well-formed proof that fails verification: exit 1. `where` names the layer/component.
struct Rejected : std::runtime_error {
  Rejected(const std::string& where, const std::string& check)
      : std::runtime_error(where + ": " + check), where_(where), check_(check) {}
  const std::string& where() const { return where_; }
  const std::string& check() const { return check_; }

 private:
  std::string where_, check_;
};

// Throws Rejected unless cond holds: the verifier's one-line check.
inline void require(bool cond, const std::string& where, const std::string& check) {
  if (!cond) throw Rejected(where, check);
}

}  // namespace zkm31
