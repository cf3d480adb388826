// CUDA kernels for the sumcheck/MLE hot loops. Per-element math comes from lib/gpu/elementwise.hpp,
// the same functions the CPU path runs and the unit tests check.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "cuda/launch.hpp"
#include "gpu/elementwise.hpp"

namespace zkm31::cuda {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

__global__ void fold_lowest_kernel(const QM31* in, QM31 r, QM31* out, size_t n_out) {
  size_t j = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  if (j < n_out) out[j] = gpu::fold_pair(in[2 * j], in[2 * j + 1], r);
}

constexpr int kBlock = 256;

// Each block reduces its pairs into one (at0, at2) partial; the host adds the partials.
__global__ void deg2_round_kernel(const QM31* a, const QM31* b, size_t n_pairs, QM31* partial0, QM31* partial2) {
  __shared__ QM31 s0[kBlock], s2[kBlock];
  QM31 acc0 = QM31::zero(), acc2 = QM31::zero();
  for (size_t j = blockIdx.x * size_t(blockDim.x) + threadIdx.x; j < n_pairs; j += size_t(gridDim.x) * blockDim.x) {
    QM31 t0, t2;
    gpu::deg2_round_terms(a[2 * j], a[2 * j + 1], b[2 * j], b[2 * j + 1], t0, t2);
    acc0 += t0;
    acc2 += t2;
  }
  s0[threadIdx.x] = acc0;
  s2[threadIdx.x] = acc2;
  __syncthreads();
  for (int stride = kBlock / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      s0[threadIdx.x] += s0[threadIdx.x + stride];
      s2[threadIdx.x] += s2[threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    partial0[blockIdx.x] = s0[0];
    partial2[blockIdx.x] = s2[0];
  }
}

template <typename T>
struct DeviceBuffer {
  T* ptr = nullptr;
  explicit DeviceBuffer(size_t n) { check(cudaMalloc(&ptr, n * sizeof(T) + 1), "cudaMalloc"); }
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

}  // namespace

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

std::string device_name(int device) {
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return prop.name;
}

void fold_lowest(const QM31* in, QM31 r, QM31* out, size_t n_out) {
  DeviceBuffer<QM31> d_in(2 * n_out), d_out(n_out);
  check(cudaMemcpy(d_in.ptr, in, 2 * n_out * sizeof(QM31), cudaMemcpyHostToDevice), "copy in");
  unsigned blocks = unsigned((n_out + kBlock - 1) / kBlock);
  fold_lowest_kernel<<<blocks ? blocks : 1, kBlock>>>(d_in.ptr, r, d_out.ptr, n_out);
  check(cudaGetLastError(), "fold_lowest kernel");
  check(cudaMemcpy(out, d_out.ptr, n_out * sizeof(QM31), cudaMemcpyDeviceToHost), "copy out");
}

void deg2_round(const QM31* a, const QM31* b, size_t n_pairs, QM31& at0, QM31& at2) {
  const unsigned blocks = 128;
  DeviceBuffer<QM31> d_a(2 * n_pairs), d_b(2 * n_pairs), d_p0(blocks), d_p2(blocks);
  check(cudaMemcpy(d_a.ptr, a, 2 * n_pairs * sizeof(QM31), cudaMemcpyHostToDevice), "copy a");
  check(cudaMemcpy(d_b.ptr, b, 2 * n_pairs * sizeof(QM31), cudaMemcpyHostToDevice), "copy b");
  deg2_round_kernel<<<blocks, kBlock>>>(d_a.ptr, d_b.ptr, n_pairs, d_p0.ptr, d_p2.ptr);
  check(cudaGetLastError(), "deg2_round kernel");
  QM31 p0[blocks], p2[blocks];
  check(cudaMemcpy(p0, d_p0.ptr, sizeof p0, cudaMemcpyDeviceToHost), "copy partials");
  check(cudaMemcpy(p2, d_p2.ptr, sizeof p2, cudaMemcpyDeviceToHost), "copy partials");
  at0 = at2 = QM31::zero();
  for (unsigned i = 0; i < blocks; ++i) at0 += p0[i], at2 += p2[i];
}

}  // namespace zkm31::cuda
