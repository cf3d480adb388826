#include "sumcheck/sumcheck.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <string>

#include "error/error.hpp"
#include "parallel/parallel.hpp"
#include "field/packed.hpp"
#include "poly/bitrev.hpp"
#include "poly/fastmul.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::sumcheck {
namespace {

constexpr size_t kGrain = size_t(1) << 12;

using poly::mul;

template <typename T>
QM31 fold(T lo, T hi, QM31 s) {
  return mul(s, hi - lo) + lo;
}
inline QM31 lift(M31 x) { return QM31(x); }
inline QM31 lift(QM31 x) { return x; }

// Σ over j < n of body(j, acc), with per-chunk accumulators merged under a lock.
template <size_t K, typename Body>
std::array<QM31, K> reduce(size_t n, Body&& body) {
  std::array<QM31, K> total{};
  std::mutex m;
  parallel::for_range(n, kGrain, [&](size_t b, size_t e) __attribute__((flatten)) {
    std::array<QM31, K> acc{};
    for (size_t j = b; j < e; ++j) body(j, acc);
    std::lock_guard lock(m);
    for (size_t k = 0; k < K; ++k) total[k] += acc[k];
  });
  return total;
}

// a·b: values at 0 and 2 of one pair.
template <typename A, typename B>
void p2_terms(A a0, A a1, B b0, B b1, std::array<QM31, 2>& acc) {
  acc[0] = acc[0] + lift(mul(a0, b0));
  acc[1] = acc[1] + lift(mul(a1 + a1 - a0, b1 + b1 - b0));
}

// a·b·c: values at 0, 2 and 3 of one pair.
template <typename A, typename B, typename C>
void p3_terms(A a0, A a1, B b0, B b1, C c0, C c1, std::array<QM31, 3>& acc) {
  acc[0] = acc[0] + mul(lift(mul(a0, b0)), c0);
  A da = a1 - a0;
  B db = b1 - b0;
  C dc = c1 - c0;
  A a2 = a1 + da;
  B b2 = b1 + db;
  C c2 = c1 + dc;
  acc[1] = acc[1] + mul(lift(mul(a2, b2)), c2);
  acc[2] = acc[2] + mul(lift(mul(a2 + da, b2 + db)), c2 + dc);
}

template <typename A, typename B>
std::array<QM31, 2> p2_round(std::span<const A> a, std::span<const B> b) {
  return reduce<2>(a.size() / 2, [&](size_t j, auto& acc) { p2_terms(a[2 * j], a[2 * j + 1], b[2 * j], b[2 * j + 1], acc); });
}

template <typename A, typename B, typename C>
std::array<QM31, 3> p3_round(std::span<const A> a, std::span<const B> b, std::span<const C> c) {
  return reduce<3>(a.size() / 2, [&](size_t j, auto& acc) {
    p3_terms(a[2 * j], a[2 * j + 1], b[2 * j], b[2 * j + 1], c[2 * j], c[2 * j + 1], acc);
  });
}

// Binds a and b to s and, in the same pass, sums the next round's values (when ≥ 2 entries remain).
template <typename A, typename B>
std::array<QM31, 2> p2_bind(std::span<const A> a, std::span<const B> b, QM31 s, std::vector<QM31>& na,
                            std::vector<QM31>& nb) {
  const size_t half = a.size() / 2;
  na.assign(half, QM31());
  nb.assign(half, QM31());
  if (half == 1) {
    na[0] = fold(a[0], a[1], s);
    nb[0] = fold(b[0], b[1], s);
    return {};
  }
  return reduce<2>(half / 2, [&](size_t j, auto& acc) {
    QM31 x0 = fold(a[4 * j], a[4 * j + 1], s), x1 = fold(a[4 * j + 2], a[4 * j + 3], s);
    QM31 y0 = fold(b[4 * j], b[4 * j + 1], s), y1 = fold(b[4 * j + 2], b[4 * j + 3], s);
    na[2 * j] = x0, na[2 * j + 1] = x1, nb[2 * j] = y0, nb[2 * j + 1] = y1;
    p2_terms(x0, x1, y0, y1, acc);
  });
}

template <typename A, typename B, typename C>
std::array<QM31, 3> p3_bind(std::span<const A> a, std::span<const B> b, std::span<const C> c, QM31 s,
                            std::vector<QM31>& na, std::vector<QM31>& nb, std::vector<QM31>& nc) {
  const size_t half = a.size() / 2;
  na.assign(half, QM31());
  nb.assign(half, QM31());
  nc.assign(half, QM31());
  if (half == 1) {
    na[0] = fold(a[0], a[1], s);
    nb[0] = fold(b[0], b[1], s);
    nc[0] = fold(c[0], c[1], s);
    return {};
  }
  return reduce<3>(half / 2, [&](size_t j, auto& acc) {
    QM31 x0 = fold(a[4 * j], a[4 * j + 1], s), x1 = fold(a[4 * j + 2], a[4 * j + 3], s);
    QM31 y0 = fold(b[4 * j], b[4 * j + 1], s), y1 = fold(b[4 * j + 2], b[4 * j + 3], s);
    QM31 z0 = fold(c[4 * j], c[4 * j + 1], s), z1 = fold(c[4 * j + 2], c[4 * j + 3], s);
    na[2 * j] = x0, na[2 * j + 1] = x1, nb[2 * j] = y0, nb[2 * j + 1] = y1, nc[2 * j] = z0, nc[2 * j + 1] = z1;
    p3_terms(x0, x1, y0, y1, z0, z1, acc);
  });
}

// QM31 spans seen as their M31 limbs, for the limb-wise packed add / sub.
std::span<const M31> limbs(std::span<const QM31> x) { return {reinterpret_cast<const M31*>(x.data()), 4 * x.size()}; }
std::span<M31> limbs(std::span<QM31> x) { return {reinterpret_cast<M31*>(x.data()), 4 * x.size()}; }

// dst[0..len) = src[0..len) + s·(src[half..half+len) − src[0..len)) on packed lanes; tmp has ≥ len entries.
void bind_packed(const QM31* src, size_t half, size_t len, QM31 s, QM31* dst, std::vector<QM31>& tmp) {
  std::span<QM31> t(tmp.data(), len);
  packed::sub(limbs(std::span<const QM31>(src + half, len)), limbs(std::span<const QM31>(src, len)), limbs(t));
  std::copy_n(src, len, dst);
  packed::mul_add_scalar(t, s, std::span<QM31>(dst, len));
}

// Π of K = 2 or 3 tables stored BIT-REVERSED, where the lowest variable's pairs are the two halves
// (j, j + N/2): binds every table to s (packed lanes) and sums the next round's values at 0, 2(, 3) of
// the product over the bound tables.
template <size_t K>
std::array<QM31, K> bind_rev(const std::array<const std::vector<QM31>*, K>& in, QM31 s,
                             std::array<std::vector<QM31>*, K> out) {
  const size_t half = in[0]->size() / 2, q = half / 2;
  for (size_t k = 0; k < K; ++k) out[k]->resize(half);
  if (half == 1) {
    for (size_t k = 0; k < K; ++k) (*out[k])[0] = fold((*in[k])[0], (*in[k])[1], s);
    return {};
  }
  constexpr size_t kChunk = 512;
  std::array<QM31, K> total{};
  std::mutex m;
  parallel::for_range(q, kChunk, [&](size_t b0, size_t e0) {
    // ext[k][p]: table k at point t_p of the next round (t = 0 is the bound table's low half itself).
    std::vector<QM31> tmp(kChunk), prod(kChunk);
    std::array<std::array<std::vector<QM31>, K>, K> ext;
    std::array<std::vector<QM31>, K> acc;
    for (size_t k = 0; k < K; ++k) {
      acc[k].assign(kChunk, QM31());
      for (size_t p = 1; p < K; ++p) ext[k][p].resize(kChunk);
    }
    for (size_t c = b0; c < e0; c += kChunk) {
      const size_t len = std::min(kChunk, e0 - c);
      std::array<std::array<std::span<const QM31>, K>, K> at;  // at[p][k]
      for (size_t k = 0; k < K; ++k) {
        QM31* dst = out[k]->data();
        bind_packed(in[k]->data() + c, half, len, s, dst + c, tmp);
        bind_packed(in[k]->data() + q + c, half, len, s, dst + q + c, tmp);
        std::span<const QM31> lo(dst + c, len), hi(dst + q + c, len);
        std::span<QM31> e2(ext[k][1].data(), len), d(tmp.data(), len);
        packed::sub(limbs(hi), limbs(lo), limbs(d));           // hi − lo
        packed::add(limbs(hi), limbs(std::span<const QM31>(d)), limbs(e2));  // value at 2
        at[0][k] = lo;
        at[1][k] = e2;
        if constexpr (K == 3) {
          std::span<QM31> e3(ext[k][2].data(), len);
          packed::add(limbs(std::span<const QM31>(e2)), limbs(std::span<const QM31>(d)), limbs(e3));  // value at 3
          at[2][k] = e3;
        }
      }
      for (size_t p = 0; p < K; ++p) {
        std::span<QM31> acc_p(acc[p].data(), len);
        if constexpr (K == 2) {
          packed::mul_add(at[p][0], at[p][1], acc_p);
        } else {
          std::span<QM31> pr(prod.data(), len);
          packed::mul(at[p][0], at[p][1], pr);
          packed::mul_add(std::span<const QM31>(pr), at[p][K - 1], acc_p);
        }
      }
    }
    std::array<QM31, K> local{};
    for (size_t p = 0; p < K; ++p)
      for (const QM31& x : acc[p]) local[p] += x;
    std::lock_guard lock(m);
    for (size_t p = 0; p < K; ++p) total[p] += local[p];
  });
  return total;
}

template <typename T>
std::vector<QM31> bind_one(std::span<const T> v, QM31 s) {
  std::vector<QM31> out(v.size() / 2);
  parallel::for_range(out.size(), kGrain, [&](size_t b, size_t e) __attribute__((flatten)) {
    for (size_t j = b; j < e; ++j) out[j] = fold(v[2 * j], v[2 * j + 1], s);
  });
  return out;
}

std::string where_of(std::string_view label) { return std::string(label); }

}  // namespace

Prover::Prover(std::span<const TableRef> tables, std::vector<Term> terms) : inputs_(tables.begin(), tables.end()), terms_(std::move(terms)) {
  if (tables.empty()) throw BadInput("sumcheck: no tables");
  if (terms_.empty()) throw BadInput("sumcheck: no terms");
  size_t len = std::visit([](auto s) { return s.size(); }, tables[0]);
  for (const auto& t : tables)
    if (std::visit([](auto s) { return s.size(); }, t) != len) throw BadInput("sumcheck: tables of different lengths");
  vars_left_ = poly::log2_exact(len, "sumcheck: table length");
  for (const auto& t : terms_) {
    for (size_t f : t.factors)
      if (f >= tables.size()) throw BadInput("sumcheck: term refers to a missing table");
    degree_ = std::max<unsigned>(degree_, unsigned(t.factors.size()));
  }
  if (degree_ == 0 || degree_ > kMaxDegree)
    throw BadInput("sumcheck: degree " + std::to_string(degree_) + " outside 1.." + std::to_string(kMaxDegree));
  owned_.resize(tables.size());
  auto is = [&](std::vector<size_t> f) {
    return terms_.size() == 1 && terms_[0].coeff == QM31::one() && terms_[0].factors == f && tables.size() == f.size();
  };
  shape_ = is({0, 1}) ? Shape::product2 : is({0, 1, 2}) ? Shape::product3 : Shape::generic;
}

TableRef Prover::current(size_t j) const {
  return bound_once_ ? TableRef(std::span<const QM31>(owned_[j])) : inputs_[j];
}

std::vector<QM31> Prover::generic_round() const {
  // Values at t = 0, 2, …, d (t = 1 is derived by the verifier).
  const size_t n_tables = owned_.size(), pts = degree_;
  std::vector<QM31> total(pts);
  std::mutex m;
  std::vector<TableRef> cur;
  for (size_t j = 0; j < n_tables; ++j) cur.push_back(current(j));
  const size_t pairs = std::visit([](auto s) { return s.size(); }, cur[0]) / 2;
  constexpr size_t kBlock = 64;
  parallel::for_range(pairs, kGrain / 4, [&](size_t b, size_t e) __attribute__((flatten)) {
    // ext[(j·kBlock + p)·pts + k]: table j at pair p of the block, at point t = (k == 0 ? 0 : k + 1).
    std::vector<QM31> ext(n_tables * kBlock * pts), acc(pts);
    for (size_t b0 = b; b0 < e; b0 += kBlock) {
      const size_t len = std::min(kBlock, e - b0);
      for (size_t j = 0; j < n_tables; ++j)
        std::visit([&](auto s) {
          for (size_t p = 0; p < len; ++p) {
            QM31* out = ext.data() + (j * kBlock + p) * pts;
            const QM31 lo = lift(s[2 * (b0 + p)]), hi = lift(s[2 * (b0 + p) + 1]), d = hi - lo;
            out[0] = lo;
            QM31 v = hi;
            for (size_t k = 1; k < pts; ++k) out[k] = v = v + d;
          }
        }, cur[j]);
      for (const auto& term : terms_)
        for (size_t p = 0; p < len; ++p)
          for (size_t k = 0; k < pts; ++k) {
            QM31 v = term.coeff;
            for (size_t f : term.factors) v = mul(v, ext[(f * kBlock + p) * pts + k]);
            acc[k] += v;
          }
    }
    std::lock_guard lock(m);
    for (size_t k = 0; k < pts; ++k) total[k] += acc[k];
  });
  return total;
}

RoundPoly Prover::round_poly() {
  if (vars_left_ == 0) throw BadInput("sumcheck: no variable left to prove");
  if (have_next_) return next_;
  auto as_vec = [](auto arr) { return RoundPoly(arr.begin(), arr.end()); };
  switch (shape_) {
    case Shape::product2:
      return std::visit([&](auto a, auto b) { return as_vec(p2_round(a, b)); }, current(0), current(1));
    case Shape::product3:
      return std::visit([&](auto a, auto b, auto c) { return as_vec(p3_round(a, b, c)); }, current(0), current(1),
                        current(2));
    case Shape::generic:
      break;
  }
  return generic_round();
}

void Prover::bind(QM31 s) {
  if (vars_left_ == 0) throw BadInput("sumcheck: no variable left to bind");
  std::vector<std::vector<QM31>> next(owned_.size());
  auto as_vec = [](auto arr) { return RoundPoly(arr.begin(), arr.end()); };
  switch (shape_) {
    case Shape::product2:
      if (reversed_) {
        next_ = as_vec(bind_rev<2>({&owned_[0], &owned_[1]}, s, {&next[0], &next[1]}));
      } else {
        next_ = std::visit([&](auto a, auto b) { return as_vec(p2_bind(a, b, s, next[0], next[1])); }, current(0),
                           current(1));
      }
      break;
    case Shape::product3:
      if (reversed_) {
        next_ = as_vec(bind_rev<3>({&owned_[0], &owned_[1], &owned_[2]}, s, {&next[0], &next[1], &next[2]}));
      } else {
        next_ = std::visit(
            [&](auto a, auto b, auto c) { return as_vec(p3_bind(a, b, c, s, next[0], next[1], next[2])); },
            current(0), current(1), current(2));
      }
      break;
    case Shape::generic:
      for (size_t j = 0; j < owned_.size(); ++j)
        next[j] = std::visit([&](auto v) { return bind_one(v, s); }, current(j));
      break;
  }
  owned_ = std::move(next);
  bound_once_ = true;
  --vars_left_;
  // From here on a product of two or three tables is kept bit-reversed, so that every later round
  // works on contiguous halves with packed lanes.
  if (shape_ != Shape::generic && !reversed_ && vars_left_ >= 2) {
    for (auto& t : owned_) t = poly::bitrev_permute<QM31>(t);
    reversed_ = true;
  }
  have_next_ = shape_ != Shape::generic && vars_left_ > 0;
}

std::vector<QM31> Prover::bound_table(size_t j) const {
  if (!bound_once_) throw BadInput("sumcheck: no table bound yet");
  return reversed_ ? poly::bitrev_permute<QM31>(owned_.at(j)) : owned_.at(j);
}

std::vector<QM31> Prover::final_evals() const {
  if (vars_left_ != 0) throw BadInput("sumcheck: final evaluations before the last round");
  std::vector<QM31> out;
  for (size_t j = 0; j < owned_.size(); ++j) out.push_back(std::visit([](auto s) { return lift(s[0]); }, current(j)));
  return out;
}

void absorb_header(Channel& channel, std::string_view label, unsigned n_vars, unsigned degree, QM31 claim) {
  channel.absorb_u64(label, (uint64_t(n_vars) << 32) | degree);
  channel.absorb_qm31(label, claim);
}

QM31 next_claim(QM31 claim, const RoundPoly& h, QM31 s) {
  std::vector<QM31> vals;
  vals.reserve(h.size() + 1);
  vals.push_back(h[0]);
  vals.push_back(claim - h[0]);
  vals.insert(vals.end(), h.begin() + 1, h.end());
  return poly::eval_from_values(vals, s);
}

ProverOutput run_rounds(QM31 claim, unsigned n, unsigned degree, const std::function<RoundPoly()>& round,
                        const std::function<void(QM31)>& bind, Channel& channel, std::string_view label,
                        const RoundHook& hook) {
  absorb_header(channel, label, n, degree, claim);
  ProverOutput out;
  for (unsigned i = 0; i < n; ++i) {
    RoundPoly h = round();
    channel.absorb_qm31s(label, h);
    QM31 s = channel.draw_qm31(label);
    bind(s);
    if (hook) hook(i, s);
    out.proof.push_back(std::move(h));
    out.challenges.push_back(s);
  }
  return out;
}

ProverOutput prove(QM31 claim, std::span<const TableRef> tables, std::vector<Term> terms, Channel& channel,
                   std::string_view label, const RoundHook& hook) {
  Prover p(tables, std::move(terms));
  ProverOutput out = run_rounds(claim, p.vars_left(), p.degree(), [&] { return p.round_poly(); },
                                [&](QM31 s) { p.bind(s); }, channel, label, hook);
  out.final_evals = p.final_evals();
  return out;
}

ProverOutput prove_product(QM31 claim, std::span<const TableRef> tables, Channel& channel, std::string_view label,
                           const RoundHook& hook) {
  Term t{QM31::one(), {}};
  for (size_t j = 0; j < tables.size(); ++j) t.factors.push_back(j);
  return prove(claim, tables, {t}, channel, label, hook);
}

ProverOutput prove_eq_product(QM31 claim, std::span<const QM31> r, TableRef a, TableRef b, Channel& channel,
                              std::string_view label, const RoundHook& hook) {
  std::vector<QM31> eq = poly::eq_table(r);
  TableRef tables[3] = {std::span<const QM31>(eq), a, b};
  return prove(claim, tables, {Term{QM31::one(), {0, 1, 2}}}, channel, label, hook);
}

VerifierOutput verify(QM31 claim, unsigned n_vars, unsigned degree, const Proof& proof, Channel& channel,
                      std::string_view label, const RoundHook& hook) {
  const std::string where = where_of(label);
  require(degree >= 1 && degree <= kMaxDegree, where, "unsupported degree " + std::to_string(degree));
  require(proof.size() == n_vars, where,
          "proof has " + std::to_string(proof.size()) + " rounds, expected " + std::to_string(n_vars));
  absorb_header(channel, label, n_vars, degree, claim);
  VerifierOutput out;
  for (unsigned i = 0; i < n_vars; ++i) {
    const RoundPoly& h = proof[i];
    require(h.size() == degree, where,
            "round " + std::to_string(i) + " has " + std::to_string(h.size()) + " values, expected " +
                std::to_string(degree));
    channel.absorb_qm31s(label, h);
    QM31 s = channel.draw_qm31(label);
    claim = next_claim(claim, h, s);
    if (hook) hook(i, s);
    out.challenges.push_back(s);
  }
  out.final_claim = claim;
  return out;
}

void check_final(const VerifierOutput& out, QM31 expected, std::string_view label) {
  require(out.final_claim == expected, where_of(label), "final claim does not match the evaluations");
}

std::vector<M31> to_limbs(const Proof& proof) {
  std::vector<M31> out;
  for (const auto& h : proof)
    for (const QM31& x : h)
      for (M31 l : x.limbs()) out.push_back(l);
  return out;
}

Proof from_limbs(std::span<const M31> limbs, unsigned n_vars, unsigned degree, std::string_view where) {
  const size_t expect = size_t(n_vars) * degree * 4;
  require(limbs.size() == expect, std::string(where),
          "sumcheck proof has " + std::to_string(limbs.size()) + " limbs, expected " + std::to_string(expect));
  Proof p(n_vars, RoundPoly(degree));
  for (size_t i = 0, k = 0; i < n_vars; ++i)
    for (size_t t = 0; t < degree; ++t, k += 4) p[i][t] = QM31(limbs[k], limbs[k + 1], limbs[k + 2], limbs[k + 3]);
  return p;
}

void write(artifact::BodyWriter& w, std::string_view key, const Proof& proof) {
  w.key(key);
  w.m31s(to_limbs(proof));
}

Proof read(const artifact::MapView& m, std::string_view key, unsigned n_vars, unsigned degree) {
  const std::string where = m.where() + "." + std::string(key);
  std::vector<M31> limbs;
  try {
    limbs = m.m31s(key);
  } catch (const BadInput& e) {
    throw Rejected(where, e.what());
  }
  return from_limbs(limbs, n_vars, degree, where);
}

}  // namespace zkm31::sumcheck
