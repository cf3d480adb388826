#include <gtest/gtest.h>

#include <random>

#include "error/error.hpp"
#include "poly/multilinear.hpp"
#include "sumcheck/sumcheck.hpp"

using namespace zkm31;
using sumcheck::TableRef;

namespace {

std::mt19937_64 rng(11);
M31 rand_m31() { return M31(uint32_t(rng() % kP)); }
QM31 rand_qm31() { return QM31(rand_m31(), rand_m31(), rand_m31(), rand_m31()); }
std::vector<M31> rand_m31s(size_t n) {
  std::vector<M31> v(n);
  for (auto& x : v) x = rand_m31();
  return v;
}
std::vector<QM31> rand_qm31s(size_t n) {
  std::vector<QM31> v(n);
  for (auto& x : v) x = rand_qm31();
  return v;
}
QM31 at(const TableRef& t, size_t i) {
  return std::visit([i](auto s) { return QM31() + s[i]; }, t);
}
QM31 sum_of_product(const std::vector<TableRef>& t) {
  size_t len = std::visit([](auto s) { return s.size(); }, t[0]);
  QM31 acc;
  for (size_t i = 0; i < len; ++i) {
    QM31 p = QM31::one();
    for (const auto& x : t) p *= at(x, i);
    acc += p;
  }
  return acc;
}
QM31 mle(const TableRef& t, std::span<const QM31> r) {
  return std::visit([&](auto s) { return poly::evaluate(s, r); }, t);
}

}  // namespace

TEST(Sumcheck, ProductDegree2And3VerifyMixedBases) {
  for (unsigned n : {0u, 1u, 2u, 5u, 12u}) {
    auto a = rand_m31s(size_t(1) << n);
    auto b = rand_qm31s(size_t(1) << n);
    auto c = rand_m31s(size_t(1) << n);
    for (size_t deg : {2u, 3u}) {
      std::vector<TableRef> t = {std::span<const M31>(a), std::span<const QM31>(b)};
      if (deg == 3) t.push_back(std::span<const M31>(c));
      QM31 claim = sum_of_product(t);
      Channel pc("test"), vc("test");
      auto out = sumcheck::prove_product(claim, t, pc, "sc");
      auto res = sumcheck::verify(claim, n, unsigned(deg), out.proof, vc, "sc");
      ASSERT_EQ(res.challenges, out.challenges);
      QM31 expect = QM31::one();
      for (size_t j = 0; j < t.size(); ++j) {
        EXPECT_EQ(out.final_evals[j], mle(t[j], out.challenges));
        expect *= out.final_evals[j];
      }
      EXPECT_NO_THROW(sumcheck::check_final(res, expect, "sc"));
      EXPECT_EQ(pc.state(), vc.state());
    }
  }
}

TEST(Sumcheck, EqProduct) {
  const unsigned n = 9;
  auto r = rand_qm31s(n);
  auto a = rand_m31s(size_t(1) << n);
  auto b = rand_qm31s(size_t(1) << n);
  auto eq = poly::eq_table(r);
  QM31 claim;
  for (size_t i = 0; i < a.size(); ++i) claim += eq[i] * a[i] * b[i];
  Channel pc("t"), vc("t");
  auto out = sumcheck::prove_eq_product(claim, r, std::span<const M31>(a), std::span<const QM31>(b), pc, "eq");
  auto res = sumcheck::verify(claim, n, 3, out.proof, vc, "eq");
  EXPECT_EQ(out.final_evals[0], poly::eq_eval(r, res.challenges));
  EXPECT_NO_THROW(sumcheck::check_final(res, poly::eq_eval(r, res.challenges) * out.final_evals[1] * out.final_evals[2], "eq"));
}

TEST(Sumcheck, GenericSumOfProducts) {
  const unsigned n = 7;
  auto a = rand_m31s(size_t(1) << n);
  auto b = rand_qm31s(size_t(1) << n);
  auto c = rand_m31s(size_t(1) << n);
  std::vector<TableRef> t = {std::span<const M31>(a), std::span<const QM31>(b), std::span<const M31>(c)};
  QM31 k0 = rand_qm31(), k1 = rand_qm31(), k2 = rand_qm31();
  std::vector<sumcheck::Term> terms = {{k0, {0, 1}}, {k1, {2, 2, 0}}, {k2, {1}}};
  QM31 claim;
  for (size_t i = 0; i < a.size(); ++i) claim += k0 * a[i] * b[i] + k1 * c[i] * c[i] * a[i] + k2 * b[i];
  Channel pc("t"), vc("t");
  auto out = sumcheck::prove(claim, t, terms, pc, "gen");
  ASSERT_EQ(out.proof[0].size(), 3u);
  auto res = sumcheck::verify(claim, n, 3, out.proof, vc, "gen");
  auto& f = out.final_evals;
  EXPECT_NO_THROW(sumcheck::check_final(res, k0 * f[0] * f[1] + k1 * f[2] * f[2] * f[0] + k2 * f[1], "gen"));
}

TEST(Sumcheck, RejectsTamperingWrongClaimAndShape) {
  constexpr unsigned n = 6;
  auto a = rand_m31s(size_t(1) << n);
  auto b = rand_m31s(size_t(1) << n);
  std::vector<TableRef> t = {std::span<const M31>(a), std::span<const M31>(b)};
  QM31 claim = sum_of_product(t);
  Channel pc("t");
  auto out = sumcheck::prove_product(claim, t, pc, "sc");
  auto final_of = [&](const std::vector<QM31>& s) { return mle(t[0], s) * mle(t[1], s); };
  auto run = [&](QM31 c, const sumcheck::Proof& p, unsigned deg = 2, unsigned nv = 6) {
    Channel vc("t");
    auto res = sumcheck::verify(c, nv, deg, p, vc, "sc");
    sumcheck::check_final(res, final_of(res.challenges), "sc");
  };
  EXPECT_NO_THROW(run(claim, out.proof));
  for (size_t round : {size_t(0), size_t(n - 1)})
    for (size_t k : {0, 1}) {
      auto bad = out.proof;
      bad[round][k] += QM31::one();
      EXPECT_THROW(run(claim, bad), Rejected) << round << " " << k;
    }
  EXPECT_THROW(run(claim + QM31::one(), out.proof), Rejected);
  auto shorter = out.proof;
  shorter[2].pop_back();
  EXPECT_THROW(run(claim, shorter), Rejected);
  auto longer = out.proof;
  longer[2].push_back(QM31());
  EXPECT_THROW(run(claim, longer), Rejected);
  EXPECT_THROW(run(claim, out.proof, 3), Rejected);   // wrong degree
  auto fewer = out.proof;
  fewer.pop_back();
  EXPECT_THROW(run(claim, fewer), Rejected);          // missing round
  EXPECT_THROW(run(claim, out.proof, 2, n + 1), Rejected);
  try {
    run(claim, shorter);
  } catch (const Rejected& e) {
    EXPECT_EQ(e.where(), "sc");
  }
}

TEST(Sumcheck, HookRunsAfterEachChallengeOnBothSides) {
  auto a = rand_qm31s(16), b = rand_qm31s(16);
  std::vector<TableRef> t = {std::span<const QM31>(a), std::span<const QM31>(b)};
  QM31 claim = sum_of_product(t);
  Channel pc("t"), vc("t");
  std::vector<size_t> seen_p, seen_v;
  auto out = sumcheck::prove_product(claim, t, pc, "sc", [&](size_t i, QM31) {
    seen_p.push_back(i);
    pc.absorb_u64("extra", i);
  });
  auto res = sumcheck::verify(claim, 4, 2, out.proof, vc, "sc", [&](size_t i, QM31) {
    seen_v.push_back(i);
    vc.absorb_u64("extra", i);
  });
  EXPECT_EQ(seen_p, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(seen_p, seen_v);
  EXPECT_EQ(res.challenges, out.challenges);
}

TEST(Sumcheck, SerializationRoundTripAndMalformed) {
  auto a = rand_qm31s(32), b = rand_qm31s(32), c = rand_qm31s(32);
  std::vector<TableRef> t = {std::span<const QM31>(a), std::span<const QM31>(b), std::span<const QM31>(c)};
  Channel pc("t");
  auto out = sumcheck::prove_product(sum_of_product(t), t, pc, "sc");
  artifact::BodyWriter w(1);
  sumcheck::write(w, "rounds", out.proof);
  auto h = artifact::parse_body(w.bytes(), "test body");
  artifact::MapView m(h.get(), "proof");
  EXPECT_EQ(sumcheck::read(m, "rounds", 5, 3), out.proof);
  EXPECT_THROW(sumcheck::read(m, "rounds", 5, 2), Rejected);
  EXPECT_THROW(sumcheck::read(m, "rounds", 4, 3), Rejected);
  auto limbs = sumcheck::to_limbs(out.proof);
  std::vector<uint32_t> raw(limbs.size());
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = limbs[i].v;
  raw[7] = kP;  // not a canonical residue
  artifact::BodyWriter w2(1);
  w2.key("rounds");
  w2.u32s(raw);
  auto h2 = artifact::parse_body(w2.bytes(), "test body");
  EXPECT_THROW(sumcheck::read(artifact::MapView(h2.get(), "proof"), "rounds", 5, 3), Rejected);
}

TEST(Sumcheck, BadInputs) {
  auto a = rand_qm31s(8), b = rand_qm31s(4), c = rand_qm31s(6);
  Channel ch("t");
  std::vector<TableRef> unequal = {std::span<const QM31>(a), std::span<const QM31>(b)};
  EXPECT_THROW(sumcheck::prove_product(QM31(), unequal, ch, "sc"), BadInput);
  std::vector<TableRef> odd = {std::span<const QM31>(c), std::span<const QM31>(c)};
  EXPECT_THROW(sumcheck::prove_product(QM31(), odd, ch, "sc"), BadInput);
  std::vector<TableRef> nine(9, std::span<const QM31>(a));
  EXPECT_THROW(sumcheck::prove_product(QM31(), nine, ch, "sc"), BadInput);
}

TEST(Sumcheck, BoundTablesAreRestrictions) {
  auto a = rand_m31s(64);
  auto b = rand_qm31s(64);
  std::vector<TableRef> t = {std::span<const M31>(a), std::span<const QM31>(b)};
  sumcheck::Prover p(t, {sumcheck::Term{QM31::one(), {0, 1}}});
  std::vector<QM31> fa(a.begin(), a.end()), fb = b;
  for (size_t i = 0; i < a.size(); ++i) fa[i] = QM31(a[i]);
  for (int r = 0; r < 4; ++r) {
    QM31 s = rand_qm31();
    p.round_poly();
    p.bind(s);
    fa = poly::fix_low(std::span<const QM31>(fa), s);
    fb = poly::fix_low(std::span<const QM31>(fb), s);
    EXPECT_EQ(p.bound_table(0), fa) << r;
    EXPECT_EQ(p.bound_table(1), fb) << r;
  }
}
