#include <gtest/gtest.h>

#include <random>

#include "error/error.hpp"
#include "gpu/elementwise.hpp"
#include "gpu/gpu.hpp"

using namespace zkm31;

namespace {
QM31 random_qm31(std::mt19937_64& rng) {
  auto m = [&] { return M31(uint32_t(rng() % kP)); };
  return QM31(m(), m(), m(), m());
}
}  // namespace

TEST(Gpu, FoldLowestMatchesTheMultilinearDefinition) {
  std::mt19937_64 rng(1);
  std::vector<QM31> table(64);
  for (auto& x : table) x = random_qm31(rng);
  QM31 r = random_qm31(rng);
  std::vector<QM31> out(32);
  gpu::fold_lowest(table, r, out);
  for (size_t j = 0; j < 32; ++j)
    EXPECT_EQ(out[j], table[2 * j] * (QM31::one() - r) + table[2 * j + 1] * r) << j;
}

TEST(Gpu, Deg2RoundIsTheRoundPolynomialAtZeroAndTwo) {
  std::mt19937_64 rng(2);
  std::vector<QM31> a(16), b(16);
  for (auto& x : a) x = random_qm31(rng);
  for (auto& x : b) x = random_qm31(rng);
  QM31 at0, at2;
  gpu::deg2_round(a, b, at0, at2);
  // Direct: h(t) = Σ_j a(t, j)·b(t, j) with a(t, j) = (1−t)·a[2j] + t·a[2j+1].
  QM31 two = QM31(M31(2)), e0, e2;
  for (size_t j = 0; j < 8; ++j) {
    e0 += a[2 * j] * b[2 * j];
    QM31 a2 = a[2 * j] * (QM31::one() - two) + a[2 * j + 1] * two;
    QM31 b2 = b[2 * j] * (QM31::one() - two) + b[2 * j + 1] * two;
    e2 += a2 * b2;
  }
  EXPECT_EQ(at0, e0);
  EXPECT_EQ(at2, e2);
}

TEST(Gpu, DeviceRequestWithoutDeviceIsAClearError) {
  if (gpu::available()) GTEST_SKIP() << "a CUDA device is present";
  try {
    gpu::require();
    FAIL();
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("not supported: --gpu"), std::string::npos);
  }
  std::vector<QM31> in(4), out(2);
  EXPECT_THROW(gpu::fold_lowest(in, QM31::one(), out, /*use_device=*/true), NotSupported);
}
