// Every SIMD backend this CPU supports gives exactly the scalar field results, for lengths that
// are and are not multiples of the lane counts, and in place.
#include "field/packed.hpp"

#include <gtest/gtest.h>

#include <random>

#include "error/error.hpp"

using namespace zkm31;

namespace {

std::mt19937_64 rng(99);

M31 rand_m31() {
  switch (rng() % 6) {  // edge values now and then
    case 0: return M31(0);
    case 1: return M31(kP - 1);
    default: return M31::from_u64(rng());
  }
}
QM31 rand_qm31() { return QM31(rand_m31(), rand_m31(), rand_m31(), rand_m31()); }
template <typename F>
std::vector<F> rand_vec(size_t n) {
  std::vector<F> v(n);
  for (auto& x : v) {
    if constexpr (std::is_same_v<F, M31>) x = rand_m31();
    else x = rand_qm31();
  }
  return v;
}

const size_t kLengths[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257};

// Runs body once per supported backend, restoring the previous choice afterwards.
template <typename Body>
void for_each_backend(Body body) {
  simd::Backend saved = simd::active();
  for (auto b : {simd::Backend::scalar, simd::Backend::avx2, simd::Backend::avx512}) {
    if (!simd::supported(b)) continue;
    simd::set_backend(b);
    SCOPED_TRACE(simd::name(b));
    body();
  }
  simd::set_backend(saved);
}

}  // namespace

TEST(Packed, M31OpsMatchScalar) {
  for_each_backend([] {
    for (size_t n : kLengths) {
      auto a = rand_vec<M31>(n), b = rand_vec<M31>(n);
      M31 s = rand_m31();
      std::vector<M31> sum(n), diff(n), prod(n), scaled(n);
      packed::add(a, b, sum);
      packed::sub(a, b, diff);
      packed::mul(a, b, prod);
      packed::mul_scalar(a, s, scaled);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(sum[i], a[i] + b[i]) << n << " " << i;
        ASSERT_EQ(diff[i], a[i] - b[i]) << n << " " << i;
        ASSERT_EQ(prod[i], a[i] * b[i]) << n << " " << i;
        ASSERT_EQ(scaled[i], a[i] * s) << n << " " << i;
      }
    }
  });
}

TEST(Packed, M31ExtremeProducts) {
  // Every pair from a set of edge values, in every lane position.
  std::vector<M31> edges = {M31(0), M31(1), M31(2), M31(kP - 1), M31(kP - 2), M31(kP / 2), M31(kP / 2 + 1),
                            M31(1u << 30), M31((1u << 30) - 1), M31(65535), M31(65536)};
  std::vector<M31> a, b;
  for (M31 x : edges)
    for (M31 y : edges) {
      a.push_back(x);
      b.push_back(y);
    }
  for_each_backend([&] {
    std::vector<M31> prod(a.size()), sum(a.size()), diff(a.size());
    packed::mul(a, b, prod);
    packed::add(a, b, sum);
    packed::sub(a, b, diff);
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(prod[i], a[i] * b[i]) << a[i].v << " * " << b[i].v;
      ASSERT_EQ(sum[i], a[i] + b[i]);
      ASSERT_EQ(diff[i], a[i] - b[i]);
    }
  });
}

TEST(Packed, QM31OpsMatchScalar) {
  for_each_backend([] {
    for (size_t n : kLengths) {
      auto a = rand_vec<QM31>(n), b = rand_vec<QM31>(n), acc = rand_vec<QM31>(n);
      QM31 s = rand_qm31();
      std::vector<QM31> prod(n), fma = acc, axpy = acc;
      packed::mul(a, b, prod);
      packed::mul_add(a, b, fma);
      packed::mul_add_scalar(a, s, axpy);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(prod[i], a[i] * b[i]) << n << " " << i;
        ASSERT_EQ(fma[i], acc[i] + a[i] * b[i]) << n << " " << i;
        ASSERT_EQ(axpy[i], acc[i] + s * a[i]) << n << " " << i;
      }
    }
  });
}

TEST(Packed, InPlace) {
  for_each_backend([] {
    const size_t n = 37;
    auto a = rand_vec<M31>(n), b = rand_vec<M31>(n);
    std::vector<M31> want(n);
    for (size_t i = 0; i < n; ++i) want[i] = a[i] * b[i];
    packed::mul(a, b, a);  // out aliases a
    EXPECT_EQ(a, want);
    auto q = rand_vec<QM31>(n);
    std::vector<QM31> qwant(n);
    for (size_t i = 0; i < n; ++i) qwant[i] = q[i] * q[i];
    packed::mul(q, q, q);
    EXPECT_EQ(q, qwant);
    std::vector<QM31> twice(n);
    for (size_t i = 0; i < n; ++i) twice[i] = q[i] + q[i] * q[i];
    packed::mul_add(q, q, q);  // acc aliases both inputs: acc[i] = q[i] + q[i]·q[i]
    EXPECT_EQ(q, twice);
  });
}

TEST(Packed, LengthMismatchIsBadInput) {
  std::vector<M31> a(4), b(5), out(4);
  EXPECT_THROW(packed::mul(a, b, out), BadInput);
  EXPECT_THROW(packed::mul_scalar(a, M31(1), b), BadInput);
  std::vector<QM31> q(3), r(2);
  EXPECT_THROW(packed::mul_add(q, q, r), BadInput);
}

TEST(Packed, BackendChoice) {
  EXPECT_TRUE(simd::supported(simd::Backend::scalar));
  std::string name = packed::backend_name();
  EXPECT_TRUE(name == "scalar" || name == "avx2" || name == "avx512");
  simd::Backend saved = simd::active();
  simd::set_backend(simd::Backend::scalar);
  EXPECT_STREQ(packed::backend_name(), "scalar");
  simd::set_backend(saved);
  if (!simd::supported(simd::Backend::avx512)) {
    EXPECT_THROW(simd::set_backend(simd::Backend::avx512), NotSupported);
  }
  EXPECT_EQ(simd::from_name("scalar"), simd::Backend::scalar);
  if (simd::supported(simd::Backend::avx2)) {
    EXPECT_EQ(simd::from_name("avx2"), simd::Backend::avx2);
  }
  EXPECT_THROW(simd::from_name("sse9"), BadInput);
  EXPECT_THROW(simd::from_name(""), BadInput);
}
