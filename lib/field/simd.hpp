#pragma once
// Run-time choice of the SIMD backend for the packed kernels (field lanes, multi-lane BLAKE2s).
// The build targets baseline x86-64; AVX2 / AVX-512 code is compiled with target attributes and
// only called when the CPU supports it. ZKM31_SIMD=scalar|avx2|avx512 forces one backend.
namespace zkm31::simd {

enum class Backend { scalar, avx2, avx512 };

// Whether this CPU can run the backend.
bool supported(Backend b);
// The backend in use: set_backend's choice, else ZKM31_SIMD, else the best supported one.
// An unknown or unsupported ZKM31_SIMD value throws BadInput / NotSupported.
Backend active();
// Forces a backend for this process (tests, benches); throws NotSupported if the CPU lacks it.
void set_backend(Backend b);
const char* name(Backend b);

}  // namespace zkm31::simd
