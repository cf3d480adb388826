#pragma once
// The claim ledger (DESIGN §5): every claim "MLE(vector)(point) = value" a reduction creates is
// recorded with its origin, and must be consumed exactly once — by the next reduction, by a PCS
// opening, or by the verifier's own evaluation of a public vector. The verifier refuses to finish
// with an unconsumed claim.
#include <cstdint>
#include <string>
#include <vector>

#include "field/field.hpp"

namespace zkm31::gkr {

struct Claim {
  uint32_t vec = 0;
  std::vector<QM31> point;
  QM31 value;
  std::string origin;
  std::string consumed_by;  // empty while pending
};

class Ledger {
 public:
  Ledger(std::vector<std::string> names, std::vector<unsigned> n_vars)
      : names_(std::move(names)), n_vars_(std::move(n_vars)) {}
  // Records a claim. An identical pending (vector, point) is the same fact: its value must agree.
  size_t add(uint32_t vec, std::vector<QM31> point, QM31 value, const std::string& origin);
  void consume(size_t id, const std::string& by);
  // The single pending claim on a vector (a virtual vector has exactly one once its claims are
  // merged, merge.hpp); rejects otherwise.
  size_t only_pending(uint32_t vec, const std::string& where) const;
  std::vector<size_t> pending(uint32_t vec) const;
  void check_all_consumed() const;
  const Claim& at(size_t id) const { return claims_.at(id); }
  const std::vector<Claim>& claims() const { return claims_; }
  const std::string& name(uint32_t vec) const { return names_.at(vec); }

 private:
  std::vector<std::string> names_;
  std::vector<unsigned> n_vars_;
  std::vector<Claim> claims_;
};

}  // namespace zkm31::gkr
