#pragma once
// Marks per-element arithmetic that is shared by the CPU library and the CUDA kernels in cuda/.
#if defined(__CUDACC__)
#define ZKM31_HD __host__ __device__ __forceinline__
#else
#define ZKM31_HD inline
#endif
