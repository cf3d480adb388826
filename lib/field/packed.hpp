#pragma once
// Packed lanes for the hot elementwise operations: AVX-512 (16 lanes), AVX2 (8 lanes) or scalar,
// chosen at run time by simd::active() (ZKM31_SIMD forces one). All spans of one call have the
// same length (else BadInput); `out` / `acc` may alias an input. Results are identical on every
// backend (canonical residues).
#include <span>

#include "field/field.hpp"
#include "field/simd.hpp"

namespace zkm31::packed {

// out[i] = a[i] ∘ b[i]
void add(std::span<const M31> a, std::span<const M31> b, std::span<M31> out);
void sub(std::span<const M31> a, std::span<const M31> b, std::span<M31> out);
void mul(std::span<const M31> a, std::span<const M31> b, std::span<M31> out);
// out[i] = a[i] · s
void mul_scalar(std::span<const M31> a, M31 s, std::span<M31> out);

// out[i] = a[i] · b[i] over QM31
void mul(std::span<const QM31> a, std::span<const QM31> b, std::span<QM31> out);
// acc[i] += a[i] · b[i]
void mul_add(std::span<const QM31> a, std::span<const QM31> b, std::span<QM31> acc);
// acc[i] += s · a[i]
void mul_add_scalar(std::span<const QM31> a, QM31 s, std::span<QM31> acc);

// The backend these functions use now.
inline const char* backend_name() { return simd::name(simd::active()); }

}  // namespace zkm31::packed
