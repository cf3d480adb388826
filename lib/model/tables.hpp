#pragma once
// Integer function tables, built with integer-only arithmetic so that every machine (and the
// verifier) rebuilds exactly the same values. Reals are fixed point; no floating point is used.
//
// A scale is a pair (mult, shift) meaning mult / 2^shift.
// Table functions and their params:
//   sigmoid, tanh, silu, gelu_tanh, gelu_erf, exp, softplus, elu (α = 1), mish, logsigmoid, softsign,
//   elu_neg (ELU's negative branch e^min(x,0) − 1), neg (−x, in chains), exp_neg, log:
//     params = {in_mult, in_shift, out_mult, out_shift}
//     x_real = x · in_mult/2^in_shift;   value = round(f(x_real) · 2^out_shift / out_mult), clamped to
//     the output interval the node declares. exp_neg computes exp(−x_real) (x ≥ 0, used by softmax);
//     its last entry is forced to 0 so that saturated (masked) inputs contribute nothing. log computes
//     ln(x_real) (x > 0, used by LogSoftmax).
//     A chain "f>g" (e.g. "gelu_erf>silu") is g(f(x)) with the same params; "neg>f" is f(−x) and
//     "f>neg" is −f(x) (a negative input or output gain folded into a table's positive scales).
//   rsqrt:  params = {num_shift, in_mult, in_shift}; value = round(2^num_shift / sqrt(x_real)) (x > 0;
//     0 → 0 is never looked up in a valid graph because the domain starts above 0).
//   recip:  params = {num_shift, in_mult, in_shift}; value = round(2^num_shift / x_real) (x > 0).
#include <cstdint>
#include <string>
#include <vector>

#include "model/graph.hpp"

namespace zkm31::model {

// Values of the table `fn` with `params` over [in_lo, in_lo + size), each clamped to [out_lo, out_hi].
std::vector<int64_t> make_table(const std::string& fn, const std::vector<int64_t>& params, int64_t in_lo,
                                int64_t size, int64_t out_lo, int64_t out_hi);

// Closest (mult, shift) with mult < 2^bits to a positive real scale (import time only; uses doubles).
std::pair<int64_t, int64_t> scale_to_fixed(double scale, int bits = 24);

// The same function in double precision (float reference track and error reports).
double table_fn_real(const std::string& fn, double x);

}  // namespace zkm31::model
