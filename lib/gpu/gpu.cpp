#include "gpu/gpu.hpp"

#include "error/error.hpp"
#include "gpu/elementwise.hpp"
#include "parallel/parallel.hpp"

#ifdef ZKM31_WITH_CUDA
#include "cuda/launch.hpp"
#endif

namespace zkm31::gpu {

bool available() {
#ifdef ZKM31_WITH_CUDA
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

std::string describe() {
#ifdef ZKM31_WITH_CUDA
  return cuda::device_count() > 0 ? cuda::device_name(0) : "no CUDA device found";
#else
  return "this build has no CUDA support (rebuild with make CUDA=1)";
#endif
}

void require() {
  if (!available()) throw NotSupported("--gpu: " + describe());
}

void fold_lowest(std::span<const QM31> in, QM31 r, std::span<QM31> out, bool use_device) {
  if (in.size() != 2 * out.size()) throw BadInput("fold_lowest: input must be twice the output length");
#ifdef ZKM31_WITH_CUDA
  if (use_device) return cuda::fold_lowest(in.data(), r, out.data(), out.size());
#endif
  if (use_device) require();
  parallel::for_range(out.size(), 1 << 14, [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j) out[j] = fold_pair(in[2 * j], in[2 * j + 1], r);
  });
}

void deg2_round(std::span<const QM31> a, std::span<const QM31> b, QM31& at0, QM31& at2, bool use_device) {
  if (a.size() != b.size() || a.size() % 2) throw BadInput("deg2_round: tables must have equal even length");
#ifdef ZKM31_WITH_CUDA
  if (use_device) return cuda::deg2_round(a.data(), b.data(), a.size() / 2, at0, at2);
#endif
  if (use_device) require();
  at0 = at2 = QM31::zero();
  for (size_t j = 0; j < a.size() / 2; ++j) {
    QM31 t0, t2;
    deg2_round_terms(a[2 * j], a[2 * j + 1], b[2 * j], b[2 * j + 1], t0, t2);
    at0 += t0;
    at2 += t2;
  }
}

}  // namespace zkm31::gpu
