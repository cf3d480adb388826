#pragma once
// Circle FFT in Stwo's circle-polynomial basis, NATURAL domain order (circle.hpp).
//
// Basis (reference/field_circle.json "circle_fft_basis"): coefficient c_b multiplies
//   T_b = y^{b_0} · x^{b_1} · π(x)^{b_2} ⋯ π^{k−2}(x)^{b_{k−1}}
// i.e. coefficient bit 0 ↔ y, bit 1 ↔ x, bit k ↔ π^{k−1}(x). The basis is prefix-consistent: padding
// coefficients with zeros leaves the polynomial unchanged. Line polynomials use the same order without
// the y factor: bit 0 ↔ x, bit k ↔ π^k(x).
#include <span>
#include <vector>

#include "circle/circle.hpp"
#include "field/field.hpp"

namespace zkm31::circle {

// Values of the polynomial with coeffs (2^n of them, n ≤ log_domain) at D_{log_domain}[0..2^log_domain).
std::vector<M31> evaluate(std::span<const M31> coeffs, unsigned log_domain);
// The same with the coefficients given in bit-reversed order (coefficient b at position bitrev(b) of
// 2^n bits), the FFT's own order: no permutation.
std::vector<M31> evaluate_bitreversed(std::span<const M31> coeffs, unsigned log_domain);
// The same into out (2^log_domain entries; reusing it spares fresh pages).
void evaluate_bitreversed(std::span<const M31> coeffs, std::span<M31> out);
// Values of the line polynomial with coeffs (bit 0 ↔ x, bit k ↔ π^k(x); 2^n of them, n ≤ log_points)
// at x(D_{log_points+1}[j]) for j < 2^log_points — the domain of a folded Basefold/FRI layer.
std::vector<M31> evaluate_line(std::span<const M31> coeffs, unsigned log_points);
// The same for the polynomials whose coefficients are poly::mobius(values) (a multilinear table's
// encoding, lib/pcs), without a separate coefficient array.
std::vector<M31> evaluate_mobius(std::span<const M31> values, unsigned log_domain);
std::vector<M31> evaluate_line_mobius(std::span<const M31> values, unsigned log_points);
// One residue class of a larger canonic domain: the points D_m[residue + 2^(m−n)·k], k < 2^n (a circle
// domain of 2^n points, in the order of k: the first half a coset of ⟨G_{2^(n−1)}⟩, then its
// conjugates). A size-2^m evaluation of 2^n coefficients never mixes positions of different residues
// mod 2^(m−n) (the replicated low bits of forward()), so each class is a size-2^n FFT on its own with
// every 2^(m−n)-th twiddle: D_m is covered class by class without holding 2^m values.
class ResidueDomain {
 public:
  ResidueDomain(unsigned log_coeffs, unsigned log_domain, size_t residue);
  size_t size() const { return size_t(1) << n_; }
  // Values at the class's points of the polynomial with these 2^n coefficients, given in bit-reversed
  // order as for evaluate_bitreversed (out: 2^n entries).
  void evaluate_bitreversed(std::span<const M31> coeffs, std::span<M31> out) const;

 private:
  unsigned n_;
  std::vector<std::vector<M31>> twiddles_;  // stage t: 2^t entries
};

// The inverse: 2^m values in natural order on D_m → 2^m coefficients.
std::vector<M31> interpolate(std::span<const M31> values);
// The same coefficients in bit-reversed order (the inverse FFT's own order: no permutation).
std::vector<M31> interpolate_bitreversed(std::span<const M31> values);

// Direct O(N) evaluation at one point (coefficients may be M31 or QM31).
M31 eval_circle_poly(std::span<const M31> coeffs, CirclePoint p);
QM31 eval_circle_poly(std::span<const QM31> coeffs, CirclePoint p);
QM31 eval_line_poly(std::span<const QM31> coeffs, M31 x);

}  // namespace zkm31::circle
