#include "lookup/fraction_gkr.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "error/error.hpp"
#include "parallel/parallel.hpp"
#include "poly/fastmul.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::lookup {

namespace {

struct Layer {
  std::vector<QM31> p, q;
};

struct LayerResult {
  std::vector<QM31> rho;
  QM31 children[4];  // P0, P1, Q0, Q1 at ρ
};

// The layer sumcheck's tables: eq(r, ·), P0, P1, Q0, Q1.
constexpr size_t kTables = 5;
using Tables = std::array<std::vector<QM31>, kTables>;
using Entry = std::array<QM31, kTables>;
using RoundSums = std::array<QM31, 3>;  // h(0), h(2), h(3)

// eq·(P0·Q1 + P1·Q0 + μ·Q0·Q1) = eq·(P0·Q1 + Q0·(P1 + μ·Q1)) at one point.
inline QM31 summand(const Entry& v, QM31 mu) {
  return poly::mul(v[0], poly::mul(v[1], v[4]) + poly::mul(v[3], v[2] + poly::mul(mu, v[4])));
}

// Adds the pair (lo, hi)'s summand at X = 0, 2, 3 to acc.
inline void add_pair(const Entry& lo, const Entry& hi, QM31 mu, RoundSums& acc) {
  Entry d, at2, at3;
  for (size_t k = 0; k < kTables; ++k) {
    d[k] = hi[k] - lo[k];
    at2[k] = hi[k] + d[k];
    at3[k] = at2[k] + d[k];
  }
  acc[0] += summand(lo, mu);
  acc[1] += summand(at2, mu);
  acc[2] += summand(at3, mu);
}

constexpr size_t kGrain = size_t(1) << 11;

// Sums of the first round over pairs (2j, 2j+1).
RoundSums round_sums(const Tables& t, QM31 mu) {
  RoundSums total{};
  std::mutex m;
  parallel::for_range(t[0].size() / 2, kGrain, [&](size_t b, size_t e) {
    RoundSums acc{};
    for (size_t j = b; j < e; ++j) {
      Entry lo, hi;
      for (size_t k = 0; k < kTables; ++k) lo[k] = t[k][2 * j], hi[k] = t[k][2 * j + 1];
      add_pair(lo, hi, mu, acc);
    }
    std::lock_guard lock(m);
    for (size_t i = 0; i < 3; ++i) total[i] += acc[i];
  });
  return total;
}

// Binds the lowest variable to r and, in the same pass, sums the next round (≥ 2 entries left).
RoundSums bind_and_sum(Tables& t, QM31 r, QM31 mu) {
  const size_t half = t[0].size() / 2;
  Tables next;
  for (auto& v : next) v.resize(half);
  RoundSums total{};
  std::mutex m;
  auto fold = [&](size_t k, size_t i) { return t[k][2 * i] + poly::mul(r, t[k][2 * i + 1] - t[k][2 * i]); };
  parallel::for_range(half / 2, kGrain, [&](size_t b, size_t e) {
    RoundSums acc{};
    for (size_t j = b; j < e; ++j) {
      Entry lo, hi;
      for (size_t k = 0; k < kTables; ++k) {
        lo[k] = next[k][2 * j] = fold(k, 2 * j);
        hi[k] = next[k][2 * j + 1] = fold(k, 2 * j + 1);
      }
      add_pair(lo, hi, mu, acc);
    }
    std::lock_guard lock(m);
    for (size_t i = 0; i < 3; ++i) total[i] += acc[i];
  });
  t = std::move(next);
  return total;
}

// One layer's sumcheck: Σ_x eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1]; returns ρ and the children at ρ.
LayerResult prove_layer(proof::Writer& w, const std::string& label, Tables t, QM31 mu, QM31 claim) {
  LayerResult out;
  RoundSums sums = round_sums(t, mu);
  for (size_t round = 0; t[0].size() > 1; ++round) {
    const QM31 msg[3] = {sums[0], sums[1], sums[2]};
    w.send(label + "/round" + std::to_string(round), msg);
    const QM31 r = w.draw(label + "/r" + std::to_string(round));
    const QM31 evals[4] = {sums[0], claim - sums[0], sums[1], sums[2]};
    claim = poly::eval_from_values(evals, r);
    out.rho.push_back(r);
    if (t[0].size() > 2) {
      sums = bind_and_sum(t, r, mu);
    } else {
      for (auto& v : t) v = {v[0] + poly::mul(r, v[1] - v[0])};
    }
  }
  out.children[0] = t[1][0], out.children[1] = t[2][0], out.children[2] = t[3][0], out.children[3] = t[4][0];
  w.send(label + "/children", out.children);
  return out;
}

}  // namespace

std::vector<QM31> gkr_prove(proof::Writer& w, const std::string& label, std::vector<QM31> P, std::vector<QM31> Q) {
  std::vector<Layer> layers;  // layers[k] has 2^(k+1) entries, from layer 1 up to the leaves
  layers.push_back({std::move(P), std::move(Q)});
  while (layers.back().p.size() > 2) {
    const Layer& c = layers.back();
    const size_t h = c.p.size() / 2;
    Layer up{std::vector<QM31>(h), std::vector<QM31>(h)};
    parallel::for_range(h, kGrain, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        up.p[i] = poly::mul(c.p[i], c.q[i + h]) + poly::mul(c.p[i + h], c.q[i]);
        up.q[i] = poly::mul(c.q[i], c.q[i + h]);
      }
    });
    layers.push_back(std::move(up));
  }
  std::reverse(layers.begin(), layers.end());
  const Layer& l1 = layers[0];
  const QM31 first[4] = {l1.p[0], l1.p[1], l1.q[0], l1.q[1]};
  w.send(label + "/layer1", first);
  QM31 lam = w.draw(label + "/layer1/lambda");
  std::vector<QM31> r{lam};
  QM31 cp = l1.p[0] + lam * (l1.p[1] - l1.p[0]), cq = l1.q[0] + lam * (l1.q[1] - l1.q[0]);
  for (size_t k = 1; k < layers.size(); ++k) {
    const Layer& next = layers[k];
    const size_t h = next.p.size() / 2;
    const std::string ll = label + "/layer" + std::to_string(k + 1);
    QM31 mu = w.draw(ll + "/mu");
    Tables t{poly::eq_table(r), std::vector<QM31>(next.p.begin(), next.p.begin() + h),
             std::vector<QM31>(next.p.begin() + h, next.p.end()), std::vector<QM31>(next.q.begin(), next.q.begin() + h),
             std::vector<QM31>(next.q.begin() + h, next.q.end())};
    LayerResult res = prove_layer(w, ll + "/sumcheck", std::move(t), mu, cp + mu * cq);
    const QM31* c = res.children;
    lam = w.draw(ll + "/lambda");
    res.rho.push_back(lam);
    r = std::move(res.rho);
    cp = c[0] + lam * (c[1] - c[0]);
    cq = c[2] + lam * (c[3] - c[2]);
  }
  return r;
}

QM31 verify_round(proof::Reader& rd, const std::string& prefix, size_t round, QM31 claim, unsigned degree,
                  QM31& challenge) {
  std::vector<QM31> msg = rd.recv(prefix + "/round" + std::to_string(round), degree);
  std::vector<QM31> evals(degree + 1);
  evals[0] = msg[0];
  evals[1] = claim - msg[0];
  for (unsigned i = 2; i <= degree; ++i) evals[i] = msg[i - 1];
  challenge = rd.draw(prefix + "/r" + std::to_string(round));
  return poly::eval_from_values(evals, challenge);
}

GkrClaim gkr_verify(proof::Reader& rd, const std::string& label, unsigned n) {
  if (n < 1) throw std::logic_error("gkr_verify: at least one variable");
  std::vector<QM31> first = rd.recv(label + "/layer1", 4);
  GkrClaim out;
  out.root = {first[0] * first[3] + first[1] * first[2], first[2] * first[3]};
  QM31 lam = rd.draw(label + "/layer1/lambda");
  std::vector<QM31> r{lam};
  QM31 cp = first[0] + lam * (first[1] - first[0]), cq = first[2] + lam * (first[3] - first[2]);
  for (unsigned k = 1; k < n; ++k) {
    const std::string ll = label + "/layer" + std::to_string(k + 1);
    QM31 mu = rd.draw(ll + "/mu");
    QM31 claim = cp + mu * cq;
    std::vector<QM31> rho;
    for (unsigned i = 0; i < k; ++i) {
      QM31 ch;
      claim = verify_round(rd, ll + "/sumcheck", i, claim, 3, ch);
      rho.push_back(ch);
    }
    std::vector<QM31> c = rd.recv(ll + "/sumcheck/children", 4);
    require(poly::eq_eval(r, rho) * (c[0] * c[3] + c[1] * c[2] + mu * (c[2] * c[3])) == claim, label,
            "GKR layer " + std::to_string(k + 1) + ": final sumcheck claim mismatch");
    lam = rd.draw(ll + "/lambda");
    rho.push_back(lam);
    r = std::move(rho);
    cp = c[0] + lam * (c[1] - c[0]);
    cq = c[2] + lam * (c[3] - c[2]);
  }
  out.point = std::move(r);
  out.p = cp;
  out.q = cq;
  return out;
}

}  // namespace zkm31::lookup
