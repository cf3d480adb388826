#pragma once
// Per-element math of the hot loops, shared verbatim by the CPU path (lib/gpu/gpu.cpp, tested) and
// the CUDA kernels in cuda/ (DESIGN.md §8): the GPU computes exactly what the CPU tests check.
#include "field/field.hpp"

namespace zkm31::gpu {

// Binds the lowest variable of a multilinear table: (lo, hi) -> lo + r·(hi − lo).
ZKM31_HD QM31 fold_pair(QM31 lo, QM31 hi, QM31 r) { return lo + r * (hi - lo); }

// One pair's contribution to a degree-2 sumcheck round of Σ a(x)·b(x): the round polynomial's values
// at X = 0 and X = 2 (X = 1 follows from the claim). At 2 a multilinear takes 2·hi − lo.
ZKM31_HD void deg2_round_terms(QM31 a_lo, QM31 a_hi, QM31 b_lo, QM31 b_hi, QM31& at0, QM31& at2) {
  at0 = a_lo * b_lo;
  at2 = (a_hi + a_hi - a_lo) * (b_hi + b_hi - b_lo);
}

}  // namespace zkm31::gpu
