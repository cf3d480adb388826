#pragma once
// Run-time choice of the SIMD backend for the packed kernels (field lanes, multi-lane BLAKE2s).
// The build targets baseline x86-64; AVX2 / AVX-512 code is compiled with target attributes and
// only called when the CPU supports it. ZKM31_SIMD=scalar|avx2|avx512 forces one backend.
#include <string>

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
// "scalar" | "avx2" | "avx512" (as in ZKM31_SIMD); BadInput for other names, NotSupported if the
// CPU lacks it.
Backend from_name(const std::string& name);

}  // namespace zkm31::simd

// Brackets kernel code compiled for one instruction set (include headers before them). GCC 12
// warns about its own _mm512_undefined_* placeholders inside the intrinsics (GCC PR 105593). Clang
// (the fuzzing build) has no `#pragma GCC target`: it applies the target attribute to every function.
#if defined(__clang__)
#define ZKM31_TARGET_BEGIN(isa) \
  _Pragma(ZKM31_TARGET_STR2(clang attribute push(__attribute__((target(#isa))), apply_to = function)))
#define ZKM31_TARGET_END _Pragma("clang attribute pop")
#else
#define ZKM31_TARGET_BEGIN(isa)                                 \
  _Pragma("GCC push_options") _Pragma(ZKM31_TARGET_STR(isa))     \
      _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define ZKM31_TARGET_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#define ZKM31_TARGET_STR(isa) ZKM31_TARGET_STR2(GCC target(#isa))
#endif
#define ZKM31_TARGET_STR2(x) #x

// Plain loops that the compiler vectorises well get AVX-512 / AVX2 clones, picked once at load time
// (results are identical on every clone; ZKM31_SIMD does not apply to them).
#define ZKM31_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
// The same for a function template; clang 14 (the fuzzing build) clones no templates.
#if defined(__clang__)
#define ZKM31_TEMPLATE_VECTOR_CLONES
#else
#define ZKM31_TEMPLATE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
