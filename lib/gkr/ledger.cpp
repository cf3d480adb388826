#include "gkr/ledger.hpp"

#include "error/error.hpp"

namespace zkm31::gkr {

size_t Ledger::add(uint32_t vec, std::vector<QM31> point, QM31 value, const std::string& origin) {
  if (vec >= names_.size() || point.size() != n_vars_[vec])
    throw std::logic_error("ledger: claim with a wrong vector or point size from " + origin);
  for (size_t i = 0; i < claims_.size(); ++i) {
    const Claim& c = claims_[i];
    if (c.consumed_by.empty() && c.vec == vec && c.point == point) {
      require(c.value == value, origin, "two different values claimed for " + names_[vec] + " at one point");
      return i;
    }
  }
  claims_.push_back({vec, std::move(point), value, origin, ""});
  return claims_.size() - 1;
}

void Ledger::consume(size_t id, const std::string& by) {
  Claim& c = claims_.at(id);
  require(c.consumed_by.empty(), by, "claim on " + names_[c.vec] + " consumed twice");
  c.consumed_by = by;
}

std::vector<size_t> Ledger::pending(uint32_t vec) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < claims_.size(); ++i)
    if (claims_[i].vec == vec && claims_[i].consumed_by.empty()) out.push_back(i);
  return out;
}

size_t Ledger::only_pending(uint32_t vec, const std::string& where) const {
  std::vector<size_t> p = pending(vec);
  require(p.size() == 1, where, "expected one pending claim on " + names_[vec] + ", found " + std::to_string(p.size()));
  return p[0];
}

void Ledger::check_all_consumed() const {
  std::string left;
  for (const Claim& c : claims_)
    if (c.consumed_by.empty()) left += (left.empty() ? "" : "; ") + names_[c.vec] + " (from " + c.origin + ")";
  require(left.empty(), "ledger", "unconsumed claims: " + left);
}

}  // namespace zkm31::gkr
