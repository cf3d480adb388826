#include "prove/security.hpp"

#include <cmath>
#include <cstdio>

#include "error/error.hpp"

namespace zkm31::prove {

namespace {
// log2 |QM31| = 4·log2(2^31 − 1)
const double kLogField = 4 * std::log2(double((uint64_t(1) << 31) - 1));
}  // namespace

uint64_t logup_fractions(const gkr::Circuit& c) {
  uint64_t n = 0;
  for (const lookup::Instance& inst : c.instances) n += uint64_t(inst.columns.size()) << inst.log_rows();
  for (const lookup::Table& t : c.tables) n += t.size();
  return n;
}

Security security(const pcs::Config& config, const Soundness& s) {
  Security out;
  out.conjectured = pcs::security_bits(config);
  const double iop_numerator = 3.0 * double(s.challenges) + 2.0 * double(s.logup_fractions);
  out.iop = iop_numerator > 0 ? kLogField - std::log2(iop_numerator) : kLogField;
  double eps = std::exp2(-out.iop);
  for (unsigned n : s.openings) eps += std::exp2(-pcs::provable_security_bits(config, n));
  out.provable = -std::log2(eps);
  return out;
}

const char* floor_kind_name(FloorKind k) { return k == FloorKind::Provable ? "provable" : "conjectured"; }

void check_floor(const Security& s, FloorKind kind, double floor_bits) {
  const double bits = s.of(kind);
  if (bits < floor_bits) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "proof gives %.1f %s bits < floor %.0f", bits, floor_kind_name(kind), floor_bits);
    throw Rejected("statement", buf);
  }
}

}  // namespace zkm31::prove
