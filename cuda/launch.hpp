#pragma once
// Host launchers for the CUDA kernels (built only with `make CUDA=1`). Arithmetic: lib/gpu/elementwise.hpp.
#include <cstddef>
#include <string>

#include "field/field.hpp"

namespace zkm31::cuda {

int device_count();
std::string device_name(int device);
void fold_lowest(const QM31* in, QM31 r, QM31* out, size_t n_out);
void deg2_round(const QM31* a, const QM31* b, size_t n_pairs, QM31& at0, QM31& at2);

}  // namespace zkm31::cuda
