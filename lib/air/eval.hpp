#pragma once
// The three evaluators a component's eval<E> runs on (air.hpp): the trace rows, the points of the
// low-degree extension, and the out-of-domain point.
#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "air/air.hpp"

namespace zkm31::air {

// Trace row `row` of a component: checks the constraints on the witness and records the LogUp
// fractions (numerator, denominator) of every lookup, from which the prover builds the interaction trace.
class TraceEval {
 public:
  using F = M31;
  using EF = QM31;
  TraceEval(const Columns& columns, unsigned log_size, const LookupChallenges* challenges)
      : cols_(columns), mask_((size_t(1) << log_size) - 1), ch_(challenges) {}

  void at(size_t row) { row_ = row, constraint_ = 0, lookup_ = 0, failed_ = -1; }
  F main(size_t col, Row r) const {
    if (r == Row::Next && next_reads_) (*next_reads_)[col] = true;
    return cols_[col][r == Row::Cur ? row_ : (row_ + 1) & mask_];
  }
  // Marks in `reads` (one flag per main column) every column read one row further.
  void record_next_reads(std::vector<bool>* reads) { next_reads_ = reads; }
  F first() const { return M31(row_ == 0); }
  F last() const { return M31(row_ == mask_); }
  F not_last() const { return M31(row_ != mask_); }
  F constant(M31 v) const { return v; }
  void constrain(F x) {
    if (x != M31::zero() && failed_ < 0) failed_ = int(constraint_);
    ++constraint_;
  }
  template <typename... V>
  void lookup(uint32_t relation, F multiplicity, V... values) {
    lookup_all(relation, multiplicity, std::array<F, sizeof...(V)>{values...});
  }
  template <size_t K>
  void lookup_all(uint32_t relation, F multiplicity, const std::array<F, K>& values) {
    if (ch_) {
      numerators.push_back(multiplicity);
      denominators.push_back(ch_->denominator(relation, values));
    }
    ++lookup_;
  }
  // The first constraint that failed on this row, or −1.
  int failed() const { return failed_; }
  // constrain() and lookup() calls on this row.
  size_t constraints_made() const { return constraint_; }
  size_t lookups_made() const { return lookup_; }
  // Fractions recorded so far, row after row, lookup after lookup (only with challenges).
  std::vector<M31> numerators;
  std::vector<QM31> denominators;

 private:
  const Columns& cols_;
  size_t mask_, row_ = 0, constraint_ = 0, lookup_ = 0;
  int failed_ = -1;
  const LookupChallenges* ch_;
  std::vector<bool>* next_reads_ = nullptr;
};

// The main columns a component reads one row further (Row::Next), from one evaluation on a zero trace:
// only those are sampled at the point one row further.
std::vector<bool> next_reads(const Component& c);

// The random combination of a component's constraints: Σ_i alpha^(K−1−i)·c_i over its K = all_constraints()
// constraints in order (the lookups' I_k·denominator_k − multiplicity_k after the component's own), the
// last being the running sum  S(next) − S(cur) − Σ_k I_k(next) + claimed_sum/2^n. `powers` holds
// alpha^(K−1−i). M31 constraints are summed limb by limb in 128-bit integers and reduced once.
// Self provides main(), interaction(k, row) (QM31 column k) and the selectors.
template <class Self, typename FT>
class Combination {
 public:
  using F = FT;
  using EF = QM31;
  F constant(M31 v) const { return F(v); }
  void constrain(M31 x) {
    const QM31& pw = power();
    wide_[0] += uint64_t(pw.c0.a.v) * x.v, wide_[1] += uint64_t(pw.c0.b.v) * x.v;
    wide_[2] += uint64_t(pw.c1.a.v) * x.v, wide_[3] += uint64_t(pw.c1.b.v) * x.v;
  }
  void constrain(QM31 x) { acc_ += power() * x; }
  template <typename... V>
  void lookup(uint32_t relation, F multiplicity, V... values) {
    lookup_all(relation, multiplicity, std::array<F, sizeof...(V)>{values...});
  }
  template <size_t K>
  void lookup_all(uint32_t relation, F multiplicity, const std::array<F, K>& values) {
    constrain(self().interaction(lookup_++, Row::Cur) * ch_.denominator(relation, values) - multiplicity);
  }
  // Adds the running-sum constraint (when the component has lookups) and returns the combination.
  QM31 finish(size_t lookups, QM31 claimed_over_rows) {
    if (lookups) {
      QM31 step = self().interaction(lookups, Row::Next) - self().interaction(lookups, Row::Cur) + claimed_over_rows;
      for (size_t k = 0; k < lookups; ++k) step -= self().interaction(k, Row::Next);
      constrain(step);
    }
    return acc_ + QM31(reduce_wide(wide_[0]), reduce_wide(wide_[1]), reduce_wide(wide_[2]), reduce_wide(wide_[3]));
  }

 protected:
  Combination(std::span<const QM31> powers, const LookupChallenges& ch) : powers_(powers), ch_(ch) {}
  void restart() { acc_ = QM31(), wide_ = {}, next_ = 0, lookup_ = 0; }

 private:
  Self& self() { return static_cast<Self&>(*this); }
  const QM31& power() {
    if (next_ == powers_.size()) throw std::logic_error("a component made more constraints than it declares");
    return powers_[next_++];
  }
  std::span<const QM31> powers_;
  QM31 acc_;
  std::array<unsigned __int128, 4> wide_{};
  LookupChallenges ch_;
  size_t next_ = 0, lookup_ = 0;
};

// alpha^(K−1−i) for i < K: the coefficients Combination gives a component's K constraints.
std::vector<QM31> combination_powers(QM31 alpha, size_t constraints);

// One point of a circle domain on which the prover evaluates the composition (lib/stark: a residue
// class of D_q, the trace columns evaluated there from their coefficients). The main and interaction
// values are stored column after column (`stride` points each); `next` is the point one trace row further.
class DomainEval : public Combination<DomainEval, M31> {
 public:
  struct Block {
    const M31* values;
    size_t stride;
  };
  struct Selectors {
    std::span<const M31> first, last, not_last;
  };
  DomainEval(Block main, Block interaction, const Selectors& sel, std::span<const QM31> powers, const LookupChallenges& ch)
      : Combination(powers, ch), main_(main), inter_(interaction), sel_(sel) {}

  void at(size_t point, size_t next) { j_ = point, jn_ = next, restart(); }
  M31 main(size_t col, Row r) const { return main_.values[col * main_.stride + (r == Row::Cur ? j_ : jn_)]; }
  QM31 interaction(size_t k, Row r) const {
    const M31* v = inter_.values + 4 * k * inter_.stride + (r == Row::Cur ? j_ : jn_);
    const size_t s = inter_.stride;
    return QM31(v[0], v[s], v[2 * s], v[3 * s]);
  }
  M31 first() const { return sel_.first[j_]; }
  M31 last() const { return sel_.last[j_]; }
  M31 not_last() const { return sel_.not_last[j_]; }

 private:
  Block main_, inter_;
  Selectors sel_;
  size_t j_ = 0, jn_ = 0;
};

// The out-of-domain point z (verifier): main values at z and, for the columns read there, at z + step;
// interaction limbs at both.
class PointEval : public Combination<PointEval, QM31> {
 public:
  // main[c] = column c at z; next[next_slot[c]] column c at z + step (next_slot[c] < 0: never read
  // there); interaction[2k], interaction[2k + 1] limb column k at z and z + step.
  PointEval(unsigned log_size, circle::Point<QM31> z, std::span<const QM31> main, std::span<const QM31> next,
            std::span<const int32_t> next_slot, std::span<const QM31> interaction, std::span<const QM31> powers,
            const LookupChallenges& ch);
  QM31 main(size_t col, Row r) const {
    if (r == Row::Cur) return main_[col];
    if (next_slot_[col] < 0) throw std::logic_error("a component read a column one row further that it did not before");
    return next_[size_t(next_slot_[col])];
  }
  QM31 interaction(size_t k, Row r) const;
  QM31 first() const { return first_; }
  QM31 last() const { return last_; }
  QM31 not_last() const { return not_last_; }

 private:
  std::span<const QM31> main_, next_, inter_;
  std::span<const int32_t> next_slot_;
  QM31 first_, last_, not_last_;
};

// Implements a component's three evaluate() overrides with its template Self::eval<E>.
template <class Self>
class Evaluated : public Component {
 public:
  void evaluate(TraceEval& e) const override { static_cast<const Self*>(this)->eval(e); }
  void evaluate(DomainEval& e) const override { static_cast<const Self*>(this)->eval(e); }
  void evaluate(PointEval& e) const override { static_cast<const Self*>(this)->eval(e); }
};

// BadInput unless the witness has the component's column count and row count.
void check_shape(const Component& c, const Columns& columns);
// Checks every constraint of the component on its witness; BadInput naming the component, the
// constraint and the row of the first failure, or a column count or length that does not fit.
void check_trace(const Component& c, const Columns& columns);
// The check of one row `e` has just evaluated: empty, or the BadInput message check_trace gives.
std::string row_problem(const Component& c, const TraceEval& e, size_t row);

}  // namespace zkm31::air
