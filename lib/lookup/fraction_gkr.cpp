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

// The layer sumcheck's tables P0, P1, Q0, Q1, read through spans (the first round reads the layer in
// place) and bound into owned buffers that are reused round after round.
//
// eq(r, ·) is never bound (Gruen): with the point split at the current variable i,
//   h_i(X) = c_i · L_i(X) · g_i(X),  c_i = eq(r_<i, s_<i),  L_i(X) = eq(r_i, X),
//   g_i(X) = Σ_j E_i[j]·F(s_<i, X, j),  E_i = eq(r_>i, ·),  F = P0·Q1 + Q0·(P1 + μ·Q1),
// so each pair costs F at X = 0 and 2 times E_i[j]; g_i(1) follows from the claim (h(1) = claim − h(0))
// and g_i(3) from the three others (g is quadratic). E_{i+1}[k] = E_i[2k] + E_i[2k+1].
constexpr size_t kTables = 4;
using Views = std::array<std::span<const QM31>, kTables>;
using Tables = std::array<std::vector<QM31>, kTables>;
using Entry = std::array<QM31, kTables>;
using PairSums = std::array<QM31, 3>;  // g(0), g(2), and g(1) only when summed directly

// P0·Q1 + Q0·(P1 + μ·Q1) at one point.
inline QM31 inner(const Entry& v, QM31 mu) {
  return poly::mul(v[0], v[3]) + poly::mul(v[2], v[1] + poly::mul(mu, v[3]));
}

// Adds E·F of the pair (lo, hi) at X = 0, 2 (and 1 when `direct`) to acc.
inline void add_pair(const Entry& lo, const Entry& hi, QM31 e, QM31 mu, bool direct, PairSums& acc) {
  Entry at2;
  for (size_t k = 0; k < kTables; ++k) at2[k] = hi[k] + hi[k] - lo[k];
  acc[0] += poly::mul(e, inner(lo, mu));
  acc[1] += poly::mul(e, inner(at2, mu));
  if (direct) acc[2] += poly::mul(e, inner(hi, mu));
}

constexpr size_t kGrain = size_t(1) << 11;

// Runs body(b, e, acc) over [0, n) in parallel and adds up the per-chunk sums.
template <typename Body>
PairSums parallel_sums(size_t n, const Body& body) {
  PairSums total{};
  std::mutex m;
  parallel::for_range(n, kGrain, [&](size_t b, size_t e) {
    PairSums acc{};
    body(b, e, acc);
    std::lock_guard lock(m);
    for (size_t i = 0; i < 3; ++i) total[i] += acc[i];
  });
  return total;
}

// The sums of the current round over pairs (2j, 2j+1).
PairSums round_sums(const Views& t, std::span<const QM31> e, QM31 mu, bool direct) {
  return parallel_sums(t[0].size() / 2, [&](size_t b, size_t end, PairSums& acc) {
    for (size_t j = b; j < end; ++j) {
      Entry lo, hi;
      for (size_t k = 0; k < kTables; ++k) lo[k] = t[k][2 * j], hi[k] = t[k][2 * j + 1];
      add_pair(lo, hi, e[j], mu, direct, acc);
    }
  });
}

// out = t with the lowest variable bound to r and, in the same pass, the next round's sums (≥ 4
// entries in t; e = the next round's E).
PairSums bind_and_sum(const Views& t, QM31 r, std::span<const QM31> e, QM31 mu, bool direct, Tables& out) {
  const size_t half = t[0].size() / 2;
  for (auto& v : out) v.resize(half);
  auto fold = [&](size_t k, size_t i) { return t[k][2 * i] + poly::mul(r, t[k][2 * i + 1] - t[k][2 * i]); };
  return parallel_sums(half / 2, [&](size_t b, size_t end, PairSums& acc) {
    for (size_t j = b; j < end; ++j) {
      Entry lo, hi;
      for (size_t k = 0; k < kTables; ++k) {
        lo[k] = out[k][2 * j] = fold(k, 2 * j);
        hi[k] = out[k][2 * j + 1] = fold(k, 2 * j + 1);
      }
      add_pair(lo, hi, e[j], mu, direct, acc);
    }
  });
}

Views views(const Tables& t) {
  Views v;
  for (size_t k = 0; k < kTables; ++k) v[k] = t[k];
  return v;
}

// One layer's sumcheck: Σ_x eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1] over t (P0, P1, Q0, Q1); returns ρ and the
// children at ρ.
LayerResult prove_layer(proof::Writer& w, const std::string& label, std::span<const QM31> r, Views t, QM31 mu,
                        QM31 claim) {
  LayerResult out;
  Tables bufs[2];  // ping-pong: round i binds into bufs[i % 2]
  std::vector<QM31> e = poly::eq_table(r.subspan(1));
  QM31 c = QM31::one();
  // g(1) is derived as h(1)/(c·r_i) unless that is zero (then it is summed directly).
  auto direct = [&](size_t i) { return c * r[i] == QM31(); };
  PairSums g = round_sums(t, e, mu, direct(0));
  Entry last{};
  for (size_t i = 0;; ++i) {
    const QM31 ri = r[i], one = QM31::one();
    const QM31 l0 = one - ri, l2 = ri + ri + ri - one, l3 = ri + ri + ri + ri + ri - one - one;  // L(0), L(2), L(3)
    const QM31 h0 = c * l0 * g[0];
    const QM31 g1 = direct(i) ? g[2] : (claim - h0) * (c * ri).inverse();
    const QM31 g3 = g[0] - g1 - g1 - g1 + g[1] + g[1] + g[1];
    const QM31 msg[3] = {h0, c * l2 * g[1], c * l3 * g3};
    w.send(label + "/round" + std::to_string(i), msg);
    const QM31 s = w.draw(label + "/r" + std::to_string(i));
    const QM31 evals[4] = {msg[0], claim - msg[0], msg[1], msg[2]};
    claim = poly::eval_from_values(evals, s);
    out.rho.push_back(s);
    c = c * (one - ri - s + (ri + ri) * s);  // · L_i(s)
    if (t[0].size() == 2) {
      for (size_t k = 0; k < kTables; ++k) last[k] = t[k][0] + poly::mul(s, t[k][1] - t[k][0]);
      break;
    }
    for (size_t k = 0; k < e.size() / 2; ++k) e[k] = e[2 * k] + e[2 * k + 1];
    e.resize(e.size() / 2);
    Tables& dst = bufs[i % 2];
    g = bind_and_sum(t, s, e, mu, direct(i + 1), dst);
    t = views(dst);
  }
  std::copy(last.begin(), last.end(), out.children);
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
    const std::span<const QM31> p(next.p), q(next.q);
    LayerResult res = prove_layer(w, ll + "/sumcheck", r, {p.first(h), p.subspan(h), q.first(h), q.subspan(h)}, mu,
                                  cp + mu * cq);
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
