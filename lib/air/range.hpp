#pragma once
// Range checks through LogUp. RangeCheck is the table [0, 2^bits): a counter column t constrained to
// t_0 = 0, t_(i+1) = t_i + 1 (so the table needs no preprocessed tree) and a multiplicity column m that
// takes −m_i / (z − (relation + α·t_i)). Decompose31 is a small user of it, the limbs the privacy
// circuits need: x = lo + 2^16·hi with lo looked up as is and the 15-bit hi looked up scaled, as 2·hi
// (DESIGN.md §5: a narrower limb is looked up as 2^(16−t)·limb). Note that p itself decomposes too
// (lo = 2^16 − 1, hi = 2^15 − 1), so 0 has two decompositions.
#include <cstdint>
#include <span>

#include "air/eval.hpp"

namespace zkm31::air {

inline constexpr uint32_t kRangeRelation = 1;

class RangeCheck final : public Evaluated<RangeCheck> {
 public:
  explicit RangeCheck(unsigned bits) : bits_(bits) {}
  std::string name() const override { return "range_check"; }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return bits_; }
  size_t main_columns() const override { return 2; }
  size_t lookups() const override { return 1; }
  size_t constraints() const override { return 2; }
  unsigned degree() const override { return 2; }
  std::vector<M31> public_inputs() const override { return {}; }

  template <class E>
  void eval(E& e) const {
    const auto t = e.main(0, Row::Cur);
    e.constrain(t * e.first());
    e.constrain((e.main(0, Row::Next) - t - e.constant(M31::one())) * e.not_last());
    e.lookup(kRangeRelation, -e.main(1, Row::Cur), t);
  }

  // The table with the multiplicity of every looked-up value (each < 2^bits, else BadInput).
  static Columns trace(unsigned bits, std::span<const uint32_t> looked_up);

 private:
  unsigned bits_;
};

class Decompose31 final : public Evaluated<Decompose31> {
 public:
  explicit Decompose31(unsigned log_size) : log_size_(log_size) {}
  std::string name() const override { return "decompose31"; }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return log_size_; }
  size_t main_columns() const override { return 3; }
  size_t lookups() const override { return 2; }
  size_t constraints() const override { return 1; }
  unsigned degree() const override { return 2; }
  std::vector<M31> public_inputs() const override { return {}; }

  template <class E>
  void eval(E& e) const {
    const auto x = e.main(0, Row::Cur), lo = e.main(1, Row::Cur), hi = e.main(2, Row::Cur);
    e.constrain(x - lo - hi * e.constant(M31(1u << 16)));
    e.lookup(kRangeRelation, e.constant(M31::one()), lo);
    e.lookup(kRangeRelation, e.constant(M31::one()), hi + hi);
  }

  // (x, lo, hi) per row, and the 16-bit values it looks up (for RangeCheck::trace).
  static Columns trace(unsigned log_size, std::span<const M31> values);
  static std::vector<uint32_t> looked_up(const Columns& trace);

 private:
  unsigned log_size_;
};

}  // namespace zkm31::air
