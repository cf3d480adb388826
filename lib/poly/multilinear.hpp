#pragma once
// Multilinear polynomials given by their values on the boolean hypercube {0,1}^n.
//
// Convention (DESIGN.md §5, reference/basefold/NOTES.md §1): a table v of length 2^n holds v[b] at
// b = Σ_k b_k·2^k, and a point r is listed LSB first: r[k] is the coordinate of index bit k. So
//   MLE(v)(r) = Σ_b v[b] · Π_k (b_k ? r_k : 1 − r_k).
// "Low" variables are the low index bits: binding variable 0 pairs entries (2j, 2j+1).
#include <span>
#include <vector>

#include "field/field.hpp"

namespace zkm31::poly {

// eq(r, b) for every b in {0,1}^n, scaled by `scale` (so Σ_i λ_i·eq(r_i, ·) costs one pass per claim).
std::vector<QM31> eq_table(std::span<const QM31> r, QM31 scale = QM31::one());
// Adds scale·eq(r, ·) into acc (acc.size() = 2^r.size()).
void add_eq_table(std::span<const QM31> r, QM31 scale, std::span<QM31> acc);
// Σ_i coeffs[i]·eq(points[i], ·) in one pass without per-point temporaries: each eq table is the
// outer product of its low-half and high-half tables. All points have the same length (else BadInput).
std::vector<QM31> eq_combination(std::span<const std::vector<QM31>> points, std::span<const QM31> coeffs);
// eq(r, s) = Π_k (r_k·s_k + (1 − r_k)(1 − s_k)); r and s have the same length.
QM31 eq_eval(std::span<const QM31> r, std::span<const QM31> s);

// MLE(v)(point); v.size() = 2^point.size() (else BadInput).
QM31 evaluate(std::span<const M31> v, std::span<const QM31> point);
QM31 evaluate(std::span<const QM31> v, std::span<const QM31> point);

// Binds the lowest variable to r: out[j] = v[2j] + r·(v[2j+1] − v[2j]); out.size() = v.size()/2.
std::vector<QM31> fix_low(std::span<const M31> v, QM31 r);
std::vector<QM31> fix_low(std::span<const QM31> v, QM31 r);

// Binds the top high.size() variables: out[j] = Σ_t eq(high, t)·v[j + t·out.size()].
std::vector<QM31> fix_high(std::span<const M31> v, std::span<const QM31> high);
std::vector<QM31> fix_high(std::span<const QM31> v, std::span<const QM31> high);

// An M31 table read as a matrix of rows of L = 2^k consecutive entries (row j = v[j·L, (j+1)·L)),
// reduced with QM31 weights in one pass with lazy 64-bit accumulation (the hot loops of the matmul
// reduction and the PCS opening):
//   weighted_rows:    out[j] = Σ_t w[t]·v[j·L + t]   (L = w.size(); binds the low variables)
//   weighted_columns: out[t] = Σ_j w[j]·v[j·L + t]   (L = v.size() / w.size(); binds the high ones)
std::vector<QM31> weighted_rows(std::span<const M31> v, std::span<const QM31> w);
std::vector<QM31> weighted_columns(std::span<const M31> v, std::span<const QM31> w);

// Hypercube values → monomial coefficients (Möbius transform, in place): afterwards
// MLE(v)(X) = Σ_b c_b Π_{k ∈ b} X_k. For each bit k and each b with bit k set: c[b] −= c[b ^ 2^k].
void mobius(std::span<M31> v);
void mobius(std::span<QM31> v);
// The inverse (zeta transform): monomial coefficients → hypercube values.
void zeta(std::span<QM31> v);
// Σ_b c_b Π_{k ∈ b} x_k for monomial coefficients c (c.size() = 2^x.size()).
QM31 eval_monomial(std::span<const QM31> c, std::span<const QM31> x);

// Univariate: the polynomial of degree ≤ d through (i, values[i]) for i = 0..d, evaluated at x.
QM31 eval_from_values(std::span<const QM31> values, QM31 x);

// log2 of a power of two, or BadInput naming `what`.
unsigned log2_exact(size_t n, const char* what);

}  // namespace zkm31::poly
