#pragma once
// How a statement is described to the Circle STARK (lib/stark): components, each a trace of 2^log_size
// rows of main columns with constraints between a row and the next, closed-form selector columns, and
// LogUp lookups that tie components together.
//
// A component writes its constraints once, as a template over an evaluator E:
//   E::F   values of main columns: M31 on the trace and on the low-degree extension, QM31 at the
//          out-of-domain point (the verifier);
//   E::EF  extension values (QM31): lookup challenges, interaction columns, the combined constraint.
//   e.main(col, Row::Cur | Row::Next)            a main column at this row or the next (cyclically)
//   e.first(), e.last(), e.not_last()            preprocessed selectors, known to the verifier in closed
//                                                form: zero on every trace row except the first / the last,
//                                                zero on the last row only (each counts 1 towards degree)
//   e.constant(M31)                              a public value as F
//   e.constrain(x)                               x must vanish on every row
//   e.lookup(relation, multiplicity, values…)    adds multiplicity / (z − (relation + Σ α^(k+1)·value_k))
//   e.lookup_all(relation, multiplicity, array)  to the LogUp sum, which must total 0 over all components
// The same code runs on the trace rows (the prover builds the LogUp columns and checks the witness),
// at every point of the extension (the composition polynomial) and at the out-of-domain point.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "circle/circle.hpp"
#include "field/field.hpp"

namespace zkm31::air {

enum class Row { Cur, Next };

class TraceEval;
class DomainEval;
class PointEval;

class Component {
 public:
  virtual ~Component() = default;
  virtual std::string name() const = 0;
  virtual uint32_t version() const = 0;
  virtual unsigned log_size() const = 0;
  virtual size_t main_columns() const = 0;
  virtual size_t lookups() const = 0;  // lookup() calls per row
  virtual size_t constraints() const = 0;  // constrain() calls per row (lookups add their own)
  // Degree bound of every constraint in the columns and selectors (a lookup's is 1 + its values' degree).
  virtual unsigned degree() const = 0;
  virtual std::vector<M31> public_inputs() const = 0;

  virtual void evaluate(TraceEval& e) const = 0;
  virtual void evaluate(DomainEval& e) const = 0;
  virtual void evaluate(PointEval& e) const = 0;

  // Columns of the interaction trace: one QM31 (4 M31 limb columns) per lookup plus the running sum.
  size_t interaction_columns() const { return lookups() ? 4 * (lookups() + 1) : 0; }
  // Constraints including the lookups' (one each, and the running sum).
  size_t all_constraints() const { return constraints() + (lookups() ? lookups() + 1 : 0); }
};

using Components = std::vector<std::shared_ptr<const Component>>;

// A component's witness: main_columns() columns of 2^log_size() values, row i of the trace at
// point i of the trace coset (circle.hpp: trace_point).
using Columns = std::vector<std::vector<M31>>;

// ---- the trace domain (the canonic coset C_n in cyclic order) and its closed-form columns ----

// Row i sits at (2i + 1)·G_{2^(n+1)}; the next row at + G_{2^n}.
circle::CirclePoint trace_point(unsigned log_size, size_t row);
// Index of row i in the natural order of the canonic domain D_n (circle.hpp), i.e. of the FFT.
size_t natural_index(unsigned log_size, size_t row);

// Closed forms at a point P of the circle over M31 or QM31 (F), off the trace domain C_n:
//   vanishing(P) = π^(n−1)(P.x), zero exactly on C_n;
//   only_row(r)(P) = vanishing(P)·(P.x + x_r) / (y_r·P.x − x_r·P.y): zero on C_n except at row r
//     (the line through ±P_r divides out both zeros at ±P_r, the factor restores the one at −P_r);
//   except_row(r)(P) = y_r·(P.x − 1) − (x_r − 1)·P.y: the line through P_r and the identity (which is
//     never in C_n): zero on C_n at row r only.
// Each also takes P_r itself (trace_point) for loops over many P.
template <typename F>
F vanishing(unsigned log_size, circle::Point<F> p) {
  F x = p.x;
  for (unsigned k = 1; k < log_size; ++k) x = x * x + x * x - F::one();
  return x;
}
template <typename F>
F only_row(unsigned log_size, const circle::CirclePoint& r, circle::Point<F> p) {
  return vanishing(log_size, p) * (p.x + r.x) * (p.x * r.y - p.y * r.x).inverse();
}
template <typename F>
F except_row(const circle::CirclePoint& r, circle::Point<F> p) {
  return (p.x - M31::one()) * r.y - p.y * (r.x - M31::one());
}
template <typename F>
F only_row(unsigned log_size, size_t row, circle::Point<F> p) {
  return only_row(log_size, trace_point(log_size, row), p);
}
template <typename F>
F except_row(unsigned log_size, size_t row, circle::Point<F> p) {
  return except_row(trace_point(log_size, row), p);
}

// The LogUp challenges: denominator z − (relation + Σ_k alpha^(k+1)·value_k), at most kMaxLookupValues values.
inline constexpr size_t kMaxLookupValues = 32;
struct LookupChallenges {
  QM31 z, alpha;
  std::array<QM31, kMaxLookupValues + 1> powers;  // alpha^k
  LookupChallenges(QM31 z_, QM31 alpha_) : z(z_), alpha(alpha_) {
    powers[0] = QM31::one();
    for (size_t k = 1; k < powers.size(); ++k) powers[k] = powers[k - 1] * alpha;
  }
  template <typename F, size_t K>
  QM31 denominator(uint32_t relation, const std::array<F, K>& values) const {
    static_assert(K <= kMaxLookupValues, "too many values in one lookup");
    QM31 acc;
    for (size_t k = 0; k < K; ++k) acc += powers[k + 1] * values[k];
    return z - (acc + M31(relation));
  }
};

// x mod p for a sum of products of residues (2^31 ≡ 1: the high bits fold down).
inline M31 reduce_wide(unsigned __int128 x) {
  return M31::from_u64(uint64_t(x & kP) + uint64_t(x >> 31 & kP) + uint64_t(x >> 62 & kP) + uint64_t(x >> 93));
}

// QM31 from its four limb values (a + b·i + (c + d·i)·u), each an element of any field over M31: how an
// extension column committed as 4 M31 columns is read back at a point.
QM31 from_limb_values(const std::array<QM31, 4>& limbs);

}  // namespace zkm31::air
