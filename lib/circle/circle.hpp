#pragma once
// The circle group x² + y² = 1 over M31 (order 2^31 = p + 1), its cosets and canonic domains.
// Conventions follow Stwo (starkware-libs/stwo, crates/prover/src/core/circle.rs, poly/circle/*) and
// reference/basefold/NOTES.md §1:
//   (x1,y1) + (x2,y2) = (x1x2 − y1y2, x1y2 + y1x2), identity (1, 0), −(x, y) = conj = (x, −y),
//   doubling x ↦ π(x) = 2x² − 1, G_{2^k} = 2^{31−k}·GEN generates the subgroup of order 2^k.
// Canonic domain of size 2^m, NATURAL order (the order of every codeword in lib/pcs and lib/fri):
//   D_m[j] = (4j+1)·G_{2^{m+1}}  for j < 2^{m−1}   (the half coset half_odds(m−1))
//   D_m[j + 2^{m−1}] = conj(D_m[j]).
// This is Stwo's CanonicCoset(m).circle_domain() listed in its natural (not bit-reversed) order.
#include <cstdint>
#include <span>
#include <vector>

#include "field/field.hpp"

namespace zkm31::circle {

template <typename F>
struct Point {
  F x, y;
  static constexpr Point zero() { return {F::one(), F::zero()}; }  // the identity
  constexpr Point operator+(const Point& o) const { return {x * o.x - y * o.y, x * o.y + y * o.x}; }
  constexpr Point operator-(const Point& o) const { return *this + o.conj(); }
  constexpr Point conj() const { return {x, -y}; }  // the group inverse
  constexpr Point antipode() const { return {-x, -y}; }  // P + G_2
  constexpr Point dbl() const {
    F xx = x * x;
    return {xx + xx - F::one(), (x * y) + (x * y)};
  }
  constexpr Point mul(uint64_t k) const {
    Point acc = zero(), base = *this;
    for (; k; k >>= 1, base = base.dbl())
      if (k & 1) acc = acc + base;
    return acc;
  }
  constexpr bool operator==(const Point&) const = default;
};

using CirclePoint = Point<M31>;

// x-coordinate of doubling.
inline constexpr M31 pi(M31 x) { return x * x + x * x - M31::one(); }

// The generator of the whole group (order 2^31): Stwo's M31_CIRCLE_GEN = (2, 1268011823).
CirclePoint generator();
// G_{2^k}, k ≤ 31.
CirclePoint subgroup_gen(unsigned log_order);

// {initial + i·step : i < 2^log_size}.
struct Coset {
  CirclePoint initial, step;
  unsigned log_size;
  CirclePoint at(size_t i) const { return initial + step.mul(i); }
  size_t size() const { return size_t(1) << log_size; }
  // G_{2^{k+2}} + ⟨G_{2^k}⟩: Stwo's Coset::half_odds(k).
  static Coset half_odds(unsigned log_size);
};

CirclePoint domain_point(unsigned log_size, size_t j);
std::vector<CirclePoint> canonic_domain(unsigned log_size);

// Cached twiddles (computed once per size, thread-safe; the references stay valid):
//   ys(m)[j] = y(D_m[j]) for j < 2^{m−1}  — the circle-level twiddles of a size-2^m domain;
//   xs(m)[j] = x(D_m[j]) for j < 2^{m−2} — the line twiddles: after the circle fold and k line folds of
//   a size-2^m codeword the pair (j, j + half) sits at ±xs(m−k)[j]. inv_* are their inverses.
// The same coordinates computed afresh, y or x of D_m[first + i] for i < out.size() (passes that use a
// twiddle once need no cached array).
void domain_coordinates(unsigned log_size, size_t first, std::span<M31> out, bool want_y);
const std::vector<M31>& ys(unsigned log_size);
const std::vector<M31>& xs(unsigned log_size);
const std::vector<M31>& inv_ys(unsigned log_size);
const std::vector<M31>& inv_xs(unsigned log_size);

}  // namespace zkm31::circle
