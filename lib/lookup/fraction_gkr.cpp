#include "lookup/fraction_gkr.hpp"

#include <algorithm>

#include "error/error.hpp"
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

// One layer's sumcheck: Σ_x eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1]; returns ρ and the children at ρ.
LayerResult prove_layer(proof::Writer& w, const std::string& label, std::vector<QM31> eq,
                              std::vector<QM31> p0, std::vector<QM31> p1, std::vector<QM31> q0,
                              std::vector<QM31> q1, QM31 mu, QM31 claim) {
  LayerResult out;
  for (size_t len = eq.size(), round = 0; len > 1; len /= 2, ++round) {
    QM31 h0, h2, h3;
    const size_t half = len / 2;
    for (size_t j = 0; j < half; ++j) {
      const size_t a = 2 * j, b = a + 1;
      h0 += eq[a] * (p0[a] * q1[a] + p1[a] * q0[a] + mu * (q0[a] * q1[a]));
      QM31 de = eq[b] - eq[a], dp0 = p0[b] - p0[a], dp1 = p1[b] - p1[a], dq0 = q0[b] - q0[a], dq1 = q1[b] - q1[a];
      QM31 e2 = eq[b] + de, a2 = p0[b] + dp0, b2 = p1[b] + dp1, c2 = q0[b] + dq0, d2 = q1[b] + dq1;
      h2 += e2 * (a2 * d2 + b2 * c2 + mu * (c2 * d2));
      QM31 e3 = e2 + de, a3 = a2 + dp0, b3 = b2 + dp1, c3 = c2 + dq0, d3 = d2 + dq1;
      h3 += e3 * (a3 * d3 + b3 * c3 + mu * (c3 * d3));
    }
    const QM31 msg[3] = {h0, h2, h3};
    w.send(label + "/round" + std::to_string(round), msg);
    QM31 r = w.draw(label + "/r" + std::to_string(round));
    QM31 evals[4] = {h0, claim - h0, h2, h3};
    claim = poly::eval_from_values(evals, r);
    out.rho.push_back(r);
    for (auto* v : {&eq, &p0, &p1, &q0, &q1}) *v = poly::fix_low(std::span<const QM31>(*v), r);
  }
  out.children[0] = p0[0], out.children[1] = p1[0], out.children[2] = q0[0], out.children[3] = q1[0];
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
    for (size_t i = 0; i < h; ++i) {
      up.p[i] = c.p[i] * c.q[i + h] + c.p[i + h] * c.q[i];
      up.q[i] = c.q[i] * c.q[i + h];
    }
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
    LayerResult res = prove_layer(
        w, ll + "/sumcheck", poly::eq_table(r), std::vector<QM31>(next.p.begin(), next.p.begin() + h),
        std::vector<QM31>(next.p.begin() + h, next.p.end()), std::vector<QM31>(next.q.begin(), next.q.begin() + h),
        std::vector<QM31>(next.q.begin() + h, next.q.end()), mu, cp + mu * cq);
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
