#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "circle/circle.hpp"
#include "circle/fft.hpp"
#include "error/error.hpp"
#include "field/simd.hpp"
#include "poly/bitrev.hpp"
#include "poly/multilinear.hpp"

using namespace zkm31;
using namespace zkm31::circle;

namespace {
std::mt19937_64 rng(5);
M31 rand_m31() { return M31(uint32_t(rng() % kP)); }
uint32_t bitrev(uint32_t i, unsigned bits) {
  uint32_t r = 0;
  for (unsigned k = 0; k < bits; ++k) r |= ((i >> k) & 1) << (bits - 1 - k);
  return r;
}
}  // namespace

TEST(Circle, GroupLawAndGenerators) {
  CirclePoint g = generator();
  EXPECT_EQ(g.x * g.x + g.y * g.y, M31::one());
  EXPECT_EQ(g.mul(uint64_t(1) << 31), CirclePoint::zero());
  EXPECT_NE(g.mul(uint64_t(1) << 30), CirclePoint::zero());
  EXPECT_EQ(g + g.conj(), CirclePoint::zero());
  EXPECT_EQ(g.dbl(), g + g);
  EXPECT_EQ(g.mul(5) - g.mul(3), g.mul(2));
  EXPECT_EQ(g.antipode(), g + subgroup_gen(1));
  EXPECT_EQ(pi(g.x), g.dbl().x);
  // Subgroup generators published in reference/field_circle.json (computed from Stwo's generator).
  std::ifstream f(std::string(ZKM31_SHARED_DIR) + "/reference/field_circle.json");
  ASSERT_TRUE(f.good());
  auto j = nlohmann::json::parse(f);
  EXPECT_EQ(j["circle"]["generator"]["x"].get<uint32_t>(), g.x.v);
  EXPECT_EQ(j["circle"]["generator"]["y"].get<uint32_t>(), g.y.v);
  size_t seen = 0;
  for (const auto& it : j["circle"]["subgroup_generators"]["items"]) {
    CirclePoint s = subgroup_gen(it["k"].get<unsigned>());
    EXPECT_EQ(s.x.v, it["x"].get<uint32_t>());
    EXPECT_EQ(s.y.v, it["y"].get<uint32_t>());
    ++seen;
  }
  EXPECT_EQ(seen, 10u);
  EXPECT_THROW(subgroup_gen(32), BadInput);
}

TEST(Circle, CanonicDomainNaturalOrder) {
  // Stwo CanonicCoset(3), first half in natural order (reference/basefold/basefold_circle.py check_circle).
  auto d3 = canonic_domain(3);
  std::vector<std::pair<uint32_t, uint32_t>> expect = {
      {590768354, 978592373}, {978592373, 1556715293}, {1556715293, 1168891274}, {1168891274, 590768354}};
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(d3[j].x.v, expect[j].first);
    EXPECT_EQ(d3[j].y.v, expect[j].second);
  }
  for (unsigned m = 1; m <= 8; ++m) {
    auto d = canonic_domain(m);
    ASSERT_EQ(d.size(), size_t(1) << m);
    const size_t h = d.size() / 2;
    std::set<std::pair<uint32_t, uint32_t>> canon, got;
    for (size_t i = 0; i < d.size(); ++i) {
      auto p = subgroup_gen(m + 1) + subgroup_gen(m).mul(i);
      canon.insert({p.x.v, p.y.v});
      got.insert({d[i].x.v, d[i].y.v});
      EXPECT_EQ(d[i], domain_point(m, i));
      EXPECT_NE(d[i].y, M31());
    }
    EXPECT_EQ(canon, got);
    for (size_t j = 0; j < h; ++j) {
      EXPECT_EQ(d[j + h], d[j].conj());
      EXPECT_EQ(ys(m)[j], d[j].y);
      EXPECT_EQ(ys(m)[j] * inv_ys(m)[j], M31::one());
    }
    EXPECT_EQ(Coset::half_odds(m - 1).at(h - 1), d[h - 1]);
    // Line twiddles: xs(m)[j] = x(D_m[j]); π maps them onto the next level; never zero.
    for (size_t j = 0; j < xs(m).size(); ++j) {
      EXPECT_EQ(xs(m)[j], d[j].x);
      EXPECT_NE(xs(m)[j], M31());
      EXPECT_EQ(xs(m)[j] * inv_xs(m)[j], M31::one());
      if (m >= 3 && j < xs(m - 1).size()) {
        EXPECT_EQ(pi(xs(m)[j]), xs(m - 1)[j]);
      }
    }
  }
  // Line domain L_0 of CanonicCoset(4) in the prototype: x of the first half of D_4.
  std::vector<uint32_t> l0 = {1179735656, 1415090252, 1241207368, 2112881577, 967747991, 732393395, 906276279, 34602070};
  auto d4 = canonic_domain(4);
  for (size_t j = 0; j < 8; ++j) EXPECT_EQ(d4[j].x.v, l0[j]);
}

TEST(CircleFft, StwoVectorCoefficients1To8) {
  std::vector<M31> c;
  for (uint32_t i = 1; i <= 8; ++i) c.push_back(M31(i));
  auto ev = evaluate(c, 3);
  // Stwo's FFT of coefficients 1..8 on CanonicCoset(3), listed bit-reversed (basefold_circle.py check_circle).
  std::vector<uint32_t> brev = {885347334, 2092305986, 1262332919, 55636419, 714723476, 1109642644, 1432563561, 1037382257};
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(ev[bitrev(i, 3)].v, brev[i]);
  // reference/field_circle.json example_computed_8: the same polynomial at G_8 is 32767.
  EXPECT_EQ(eval_circle_poly(c, subgroup_gen(3)).v, 32767u);
  std::vector<M31> c4 = {M31(1), M31(3), M31(2), M31(4)};
  EXPECT_EQ(eval_circle_poly(c4, CirclePoint{M31(5), M31(8)}).v, 195u);  // field_circle.json example_computed
}

TEST(CircleFft, EvaluateMatchesDirectAtEveryPointAndInverts) {
  for (unsigned n = 0; n <= 7; ++n)
    for (unsigned blow = 0; blow <= 2; ++blow) {
      const unsigned m = n + blow;
      std::vector<M31> c(size_t(1) << n);
      for (auto& x : c) x = rand_m31();
      auto ev = evaluate(c, m);
      auto d = canonic_domain(m);
      for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(ev[i], eval_circle_poly(c, d[i])) << n << " " << m << " " << i;
      auto back = interpolate(ev);
      for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i], i < c.size() ? c[i] : M31()) << n << " " << m;
    }
}

TEST(CircleFft, EvaluateLineMatchesDirectOnTheFoldedLayerDomain) {
  for (unsigned n = 0; n <= 7; ++n)
    for (unsigned blow = 0; blow <= 2; ++blow) {
      const unsigned log_points = n + blow;
      std::vector<M31> c(size_t(1) << n);
      std::vector<QM31> cq;
      for (auto& x : c) x = rand_m31(), cq.push_back(QM31() + x);
      auto ev = evaluate_line(c, log_points);
      ASSERT_EQ(ev.size(), size_t(1) << log_points);
      for (size_t j = 0; j < ev.size(); ++j)
        ASSERT_EQ(QM31() + ev[j], eval_line_poly(cq, domain_point(log_points + 1, j).x)) << n << " " << log_points << " " << j;
    }
  EXPECT_THROW(evaluate_line(std::vector<M31>(8), 2), BadInput);
}

// evaluate_mobius / evaluate_line_mobius = evaluate / evaluate_line of poly::mobius(values), with any
// blowup (the in-place spread of the coefficients).
TEST(CircleFft, MobiusVariantsEqualMobiusThenEvaluate) {
  for (unsigned n : {0u, 1u, 5u, 9u})
    for (unsigned blow : {0u, 1u, 3u}) {
      std::vector<M31> v(size_t(1) << n);
      for (auto& x : v) x = rand_m31();
      std::vector<M31> c = v;
      poly::mobius(c);
      EXPECT_EQ(evaluate_mobius(v, n + blow), evaluate(c, n + blow)) << n << " " << blow;
      EXPECT_EQ(evaluate_line_mobius(v, n + blow), evaluate_line(c, n + blow)) << n << " " << blow;
    }
}

// Domains past 2^21 points compute the top stages' twiddles on the fly instead of from cached arrays.
TEST(CircleFft, OnTheFlyTwiddlesOnALargeDomain) {
  std::vector<M31> c(size_t(1) << 21);
  for (auto& x : c) x = rand_m31();
  const auto ev = evaluate(c, 22);
  for (size_t j : {size_t(3), (size_t(1) << 21) + 12345, (size_t(1) << 22) - 1})
    EXPECT_EQ(ev[j], eval_circle_poly(c, domain_point(22, j))) << j;
  const auto back = interpolate(ev);
  for (size_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], i < c.size() ? c[i] : M31()) << i;
  const auto line = evaluate_line(c, 22);
  std::vector<QM31> cq;
  for (M31 x : c) cq.push_back(QM31() + x);
  EXPECT_EQ(QM31() + line[777777], eval_line_poly(cq, domain_point(23, 777777).x));
}

TEST(CircleFft, LargeRoundTrip) {
  std::vector<M31> v(size_t(1) << 15);
  for (auto& x : v) x = rand_m31();
  auto c = interpolate(v);
  EXPECT_EQ(evaluate(c, 15), v);
  auto d = canonic_domain(15);
  EXPECT_EQ(eval_circle_poly(c, d[12345]), v[12345]);
  EXPECT_THROW(evaluate(c, 14), BadInput);
  EXPECT_THROW(interpolate(std::vector<M31>(3)), BadInput);
}

TEST(CircleFft, SimdBackendsAgree) {
  std::vector<M31> c(size_t(1) << 14);
  for (auto& x : c) x = rand_m31();
  simd::set_backend(simd::Backend::scalar);
  auto scalar = evaluate(c, 15);
  for (auto b : {simd::Backend::avx2, simd::Backend::avx512})
    if (simd::supported(b)) {
      simd::set_backend(b);
      EXPECT_EQ(evaluate(c, 15), scalar) << simd::name(b);
    }
}

TEST(CircleFft, ResidueDomainsCoverTheLargerEvaluation) {
  for (auto [n, m] : {std::pair{1u, 1u}, {3u, 3u}, {4u, 7u}, {13u, 15u}}) {
    std::vector<M31> c(size_t(1) << n);
    for (auto& x : c) x = rand_m31();
    const auto full = evaluate(c, m);
    const size_t classes = size_t(1) << (m - n);
    std::vector<M31> out(c.size());
    const auto reversed = poly::bitrev_permute<M31>(c);
    EXPECT_EQ(evaluate_bitreversed(reversed, m), full);
    EXPECT_EQ(interpolate_bitreversed(full), poly::bitrev_permute<M31>(interpolate(full)));
    for (size_t r = 0; r < classes; ++r) {
      ResidueDomain(n, m, r).evaluate_bitreversed(reversed, out);
      for (size_t k = 0; k < out.size(); ++k) ASSERT_EQ(out[k], full[r + classes * k]) << n << " " << m << " " << r << " " << k;
    }
  }
  EXPECT_THROW(ResidueDomain(4, 6, 4), BadInput);
}
