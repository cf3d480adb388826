// LogUp-GKR: honest instances verify; every verifier check has a case that trips it.
#include <gtest/gtest.h>

#include <random>

#include "error/error.hpp"
#include "lookup/logup.hpp"
#include "poly/multilinear.hpp"

using namespace zkm31;
using namespace zkm31::lookup;

namespace {

QM31 rand_qm31(std::mt19937& g) {
  std::uniform_int_distribution<uint32_t> d(0, kP - 1);
  return QM31(M31(d(g)), M31(d(g)), M31(d(g)), M31(d(g)));
}

std::vector<M31> field(const std::vector<int64_t>& v) {
  std::vector<M31> out;
  for (int64_t x : v) out.push_back(M31::from_signed(x));
  return out;
}

// A ReLU + clamp + range instance over one virtual vector q, in the shape of a requantized layer.
struct Fixture {
  std::vector<Table> tables{Table::relu(-8, 7), Table::clamp(-8, 7, 2), Table::range(0, 4)};
  Instance inst;
  std::vector<std::vector<M31>> src;  // q, h, e, r (8 rows each), s (4 rows, padded)

  Fixture() {
    inst.name = "act";
    inst.sources = {{"q", 3}, {"h", 3}, {"e", 3}, {"r", 3}, {"s", 2}};
    inst.columns = {{0, {{0, 1}}, {{1, 1}}, 0},
                    {1, {{0, 1}}, {{2, 1}}, 0},
                    {2, {{3, 1}}, {}, 0},
                    {2, {{3, 4}}, {}, 0},  // a 2-bit limb looked up scaled by 2^(4-2)
                    {2, {{4, 1}}, {}, 8}};  // an offset column: s + 8 in [0, 16)
    std::vector<int64_t> q{-8, -3, 0, 5, 7, 7, -8, 2}, e{-1, 0, 0, 0, 3, 1, -2, 0};
    std::vector<int64_t> h, r{0, 1, 2, 3, 3, 2, 1, 0}, s{-8, 7, 0, -1};
    for (int64_t x : q) h.push_back(std::max<int64_t>(x, 0));
    src = {field(q), field(h), field(e), field(r), field(s)};
    inst.check(tables);
  }
  std::vector<std::span<const M31>> spans() const { return {src.begin(), src.end()}; }
  std::vector<std::vector<M31>> mults() const {
    std::vector<std::vector<uint32_t>> counts;
    for (const Table& t : tables) counts.emplace_back(t.size(), 0);
    count(tables, inst, spans(), counts);
    std::vector<std::vector<M31>> out;
    for (auto& c : counts) out.push_back(to_field(c));
    return out;
  }
};

struct ProofRun {
  std::vector<QM31> stream;
  LookupClaims claims;
};

std::vector<std::span<const M31>> spans_of(const std::vector<std::vector<M31>>& v) { return {v.begin(), v.end()}; }

ProofRun prove(const Fixture& f, const std::vector<std::vector<M31>>& mults, unsigned max_log = kBatchLog) {
  Channel ch("test/logup");
  proof::Writer w(ch);
  Challenges c = Challenges::draw(ch);
  const std::vector<std::vector<std::span<const M31>>> sources{f.spans()};
  const auto m = spans_of(mults);
  LookupClaims claims = prove_lookups(w, f.tables, std::span(&f.inst, 1), sources, m, c, max_log);
  return {w.data(), claims};
}

// Verifies and also checks that the leaf claims the verifier accepted are the true MLEs (the job
// of the PCS and the walk in a real proof).
void verify(const Fixture& f, const std::vector<QM31>& stream, const std::vector<std::vector<M31>>& mults,
            unsigned max_log = kBatchLog) {
  Channel ch("test/logup");
  proof::Reader r(ch, stream);
  Challenges c = Challenges::draw(ch);
  LookupClaims claims = verify_lookups(r, f.tables, std::span(&f.inst, 1), c, max_log);
  for (uint32_t t = 0; t < f.tables.size(); ++t) {
    const TableClaim& tc = claims.tables[t];
    require(tc.value == poly::evaluate(std::span<const M31>(mults[t]), std::span<const QM31>(tc.point)), "test",
            "multiplicity claim false");
  }
  r.finish();
  const LeafClaims& leaf = claims.instances[0];
  for (size_t s = 0; s < f.src.size(); ++s)
    require(leaf.values[s] == poly::evaluate(std::span<const M31>(f.src[s]),
                                        std::span<const QM31>(leaf.row_point).first(f.inst.sources[s].log_len)),
            "test", "source claim false");
  check_roots(claims.roots);
}

}  // namespace

TEST(Mle, EqAndEvalAgree) {
  std::mt19937 g(1);
  std::vector<QM31> pt{rand_qm31(g), rand_qm31(g), rand_qm31(g)};
  std::vector<M31> v;
  for (int i = 0; i < 8; ++i) v.push_back(M31(uint32_t(g() % kP)));
  auto e = poly::eq_table(pt);
  QM31 direct;
  for (int i = 0; i < 8; ++i) direct += e[i] * v[i];
  EXPECT_EQ(direct, poly::evaluate(std::span<const M31>(v), std::span<const QM31>(pt)));
  std::vector<QM31> pt2{rand_qm31(g), rand_qm31(g), rand_qm31(g)};
  EXPECT_EQ(poly::eq_eval(pt, pt2), poly::evaluate(std::span<const QM31>(e), std::span<const QM31>(pt2)));
  const QM31 ev[4] = {QM31(M31(1)), QM31(M31(8)), QM31(M31(27)), QM31(M31(64))};  // x^3 at 1..4 shifted
  EXPECT_EQ(poly::eval_from_values(ev, QM31(M31(4))), QM31(M31(125)));
}

TEST(Table, RowsAndClosedFormMle) {
  std::mt19937 g(2);
  for (Table t : {Table::range(0, 6), Table::range(-128, 8), Table::relu(-8, 7), Table::clamp(-8, 7, 3),
                  Table::interval(-5, 9), Table::function(-3, {4, -2, 7, 7, 1})}) {
    std::vector<int64_t> a, b;
    t.rows(a, b);
    ASSERT_EQ(a.size(), t.size());
    for (size_t i = 0; i < a.size(); ++i) {
      int64_t row = t.row_of(a[i], b[i]);
      ASSERT_GE(row, 0);
      EXPECT_EQ(a[size_t(row)], a[i]);
      EXPECT_EQ(b[size_t(row)], b[i]);
    }
    std::vector<QM31> pt;
    for (unsigned k = 0; k < t.log_size(); ++k) pt.push_back(rand_qm31(g));
    auto [ta, tb] = t.eval(pt);
    EXPECT_EQ(ta, poly::evaluate(std::span<const M31>(field(a)), std::span<const QM31>(pt)));
    EXPECT_EQ(tb, poly::evaluate(std::span<const M31>(field(b)), std::span<const QM31>(pt)));
  }
  EXPECT_LT(Table::relu(-8, 7).row_of(-3, -3), 0);   // no ReLU
  EXPECT_LT(Table::clamp(-8, 7, 2).row_of(5, 1), 0);  // excess without saturation
  EXPECT_LT(Table::range(0, 4).row_of(16, 0), 0);
  EXPECT_LT(Table::function(-3, {4, -2, 7}).row_of(-2, 4), 0);  // f(−2) = −2
  EXPECT_LT(Table::interval(-5, 9).row_of(10, 0), 0);
}

TEST(LogUp, HonestInstanceVerifies) {
  Fixture f;
  auto m = f.mults();
  ProofRun run = prove(f, m);
  EXPECT_NO_THROW(verify(f, run.stream, m));
}

TEST(LogUp, ValueOutsideTableIsRefusedAndRejected) {
  Fixture f;
  f.src[1][1] = M31::from_signed(-3);  // h = q for a negative q: "no ReLU"
  EXPECT_THROW(f.mults(), BadInput);
  // A forced prover leaves the bad tuple uncounted (multiplicities of the honest vector).
  Fixture honest;
  auto m = honest.mults();
  ProofRun run = prove(f, m);
  try {
    Fixture g = f;
    verify(g, run.stream, m);
    FAIL() << "accepted";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("LogUp sum is not zero"), std::string::npos) << e.what();
  }
}

TEST(LogUp, ScaledTopLimbCatchesWideLimb) {
  Fixture f;
  f.src[3][0] = M31(4);  // a 3-bit value in a 2-bit limb: plain range passes, the scaled copy fails
  EXPECT_THROW(f.mults(), BadInput);
}

TEST(LogUp, WrongMultiplicityRejected) {
  Fixture f;
  auto m = f.mults();
  m[0][0] -= M31(1);
  m[0][1] += M31(1);
  ProofRun run = prove(f, m);
  EXPECT_THROW(verify(f, run.stream, m), Rejected);
}

// Every element of the stream matters, whether the instance and the tables share one tree
// (kBatchLog), two trees hold two parts each, or every part has its own tree (3).
TEST(LogUp, TamperedMessagesRejected) {
  Fixture f;
  auto m = f.mults();
  for (unsigned max_log : {kBatchLog, 5u, 3u}) {
    ProofRun run = prove(f, m, max_log);
    EXPECT_NO_THROW(verify(f, run.stream, m, max_log)) << max_log;
    for (size_t i = 0; i < run.stream.size(); ++i) {
      auto s = run.stream;
      s[i] += QM31(M31(1));
      EXPECT_THROW(verify(f, s, m, max_log), Rejected) << "element " << i << " of max_log " << max_log;
    }
    auto longer = run.stream;
    longer.push_back(QM31());
    EXPECT_THROW(verify(f, longer, m, max_log), Rejected);
    auto shorter = run.stream;
    shorter.pop_back();
    EXPECT_THROW(verify(f, shorter, m, max_log), Rejected);
  }
}

// Parts go by decreasing size into trees of at most 2^max_log leaves, each at a multiple of its size;
// a larger part has its own tree.
TEST(LogUp, LayoutPacksPartsBySize) {
  Fixture f;  // instance: 2^6 leaves; tables: relu 2^4, clamp 2^5, range 2^4
  const Layout one = Layout::of(std::span(&f.inst, 1), f.tables);
  ASSERT_EQ(one.trees.size(), 1u);
  EXPECT_EQ(one.trees[0].log_size, 7u);  // 64 + 32 + 16 + 16 = 128 leaves
  std::vector<std::pair<size_t, unsigned>> got;
  for (const auto& p : one.trees[0].parts) got.emplace_back(p.offset, p.log_size);
  EXPECT_EQ(got, (std::vector<std::pair<size_t, unsigned>>{{0, 6}, {64, 5}, {96, 4}, {112, 4}}));
  EXPECT_FALSE(one.trees[0].parts[0].table);
  EXPECT_EQ(one.trees[0].parts[2].index, 0u);  // equal sizes keep their order: relu before range
  const Layout split = Layout::of(std::span(&f.inst, 1), f.tables, 5);
  ASSERT_EQ(split.trees.size(), 3u);
  EXPECT_EQ(split.trees[0].log_size, 6u);
  EXPECT_EQ(split.trees[1].log_size, 5u);
  EXPECT_EQ(split.trees[2].log_size, 5u);
  EXPECT_EQ(split.trees[2].parts.size(), 2u);
  EXPECT_EQ(split.trees[2].parts[1].offset, 16u);
}

// A prover that leaves one instance's lookups out of its tree (its leaves dummies) but keeps the
// multiplicities that make the sum zero is caught by the leaf check.
TEST(LogUp, OmittedInstanceRejected) {
  Fixture f;
  std::vector<std::vector<M31>> none;
  for (const Table& t : f.tables) none.emplace_back(t.size());
  Channel ch("test/logup");
  proof::Writer w(ch);
  Challenges c = Challenges::draw(ch);
  const std::vector<std::vector<std::span<const M31>>> sources{f.spans()};
  const auto m = spans_of(none);
  prove_lookups(w, f.tables, std::span(&f.inst, 1), sources, m, c, kBatchLog, 0);
  try {
    verify(f, w.data(), none);
    FAIL() << "accepted";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("leaves do not match"), std::string::npos) << e.what();
  }
}

TEST(LogUp, ZeroRootDenominatorRejected) {
  const Fraction ok[2] = {{QM31(M31(1)), QM31(M31(2))}, {QM31() - M31(1), QM31(M31(2))}};
  EXPECT_NO_THROW(check_roots(ok));
  const Fraction zero[1] = {{QM31(), QM31()}};  // would "sum to zero" without the denominator check
  EXPECT_THROW(check_roots(zero), Rejected);
  const Fraction off[2] = {{QM31(M31(1)), QM31(M31(2))}, {QM31(M31(1)), QM31(M31(2))}};
  EXPECT_THROW(check_roots(off), Rejected);
}

TEST(LogUp, PaddingMustBeATableRow) {
  std::vector<Table> tables{Table::range(0, 4)};
  Instance inst{"pad", {{"x", 3}, {"y", 1}}, {{0, {{0, 1}}, {}, 0}, {0, {{1, 1}}, {}, -1}}};
  EXPECT_THROW(inst.check(tables), NotSupported);
}

TEST(FractionGkr, RecomputedLayersGiveTheSameProof) {
  // Large trees keep only their small layers and bind their first rounds on recomputed entries: the
  // proof must be the one of the fully stored tree, and verify to the leaves' true MLEs.
  constexpr unsigned n = 9;
  std::mt19937 g(11);
  std::vector<QM31> P(size_t(1) << n), Q(P.size());
  for (size_t i = 0; i < P.size(); ++i) P[i] = rand_qm31(g), Q[i] = rand_qm31(g);
  const LeafBlock leaves = [&](size_t first, size_t count, QM31* p, QM31* q) {
    std::copy_n(&P[first], count, p);
    std::copy_n(&Q[first], count, q);
  };
  auto run = [&](unsigned stored_log) {
    Channel ch("test/fraction-gkr");
    proof::Writer w(ch);
    const std::vector<QM31> point = gkr_prove(w, "t", n, leaves, stored_log);
    return std::make_pair(point, w.data());
  };
  const auto [point, stream] = run(n);
  for (unsigned stored_log : {2u, 3u, 5u, 8u}) {
    const auto [p2, s2] = run(stored_log);
    EXPECT_EQ(p2, point) << "stored_log " << stored_log;
    EXPECT_EQ(s2, stream) << "stored_log " << stored_log;
  }
  Channel ch("test/fraction-gkr");
  proof::Reader r(ch, stream);
  const GkrClaim c = gkr_verify(r, "t", n);
  r.finish();
  EXPECT_EQ(c.point, point);
  EXPECT_EQ(c.p, poly::evaluate(std::span<const QM31>(P), std::span<const QM31>(point)));
  EXPECT_EQ(c.q, poly::evaluate(std::span<const QM31>(Q), std::span<const QM31>(point)));
  QM31 num, den = QM31::one();
  for (size_t i = 0; i < P.size(); ++i) num = num * Q[i] + P[i] * den, den *= Q[i];
  EXPECT_EQ(c.root.p * den, num * c.root.q);
}

TEST(FractionGkr, DefaultLayoutMatchesStoredLeavesAtEverySize) {
  std::mt19937 g(12);
  for (unsigned n : {1u, 2u, 5u}) {
    std::vector<QM31> P(size_t(1) << n), Q(P.size());
    for (size_t i = 0; i < P.size(); ++i) P[i] = rand_qm31(g), Q[i] = rand_qm31(g);
    Channel c1("test/fraction-gkr"), c2("test/fraction-gkr");
    proof::Writer w1(c1), w2(c2);
    const auto p1 = gkr_prove(w1, "t", P, Q);
    const auto p2 = gkr_prove(w2, "t", n, [&](size_t first, size_t count, QM31* p, QM31* q) {
      std::copy_n(&P[first], count, p);
      std::copy_n(&Q[first], count, q);
    });
    EXPECT_EQ(p1, p2) << n;
    EXPECT_EQ(w1.data(), w2.data()) << n;
  }
}
