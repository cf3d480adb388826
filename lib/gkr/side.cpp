#include "gkr/side.hpp"

#include "lookup/fraction_gkr.hpp"
#include "lookup/mle.hpp"

namespace zkm31::gkr {

std::vector<QM31> Side::message(const std::string& label, size_t n,
                                const std::function<std::vector<QM31>()>& compute) {
  if (!proving()) return reader->recv(label, n);
  std::vector<QM31> v = compute();
  if (v.size() != n) throw std::logic_error("message " + label + ": wrong length");
  writer->send(label, v);
  return v;
}

SumcheckResult sumcheck_product(Side& side, const std::string& prefix, unsigned n, unsigned degree, QM31 claim,
                                std::vector<std::vector<QM31>> tables) {
  SumcheckResult out;
  if (!side.proving()) {
    for (unsigned i = 0; i < n; ++i) {
      QM31 r;
      claim = lookup::verify_round(*side.reader, prefix, i, claim, degree, r);
      out.point.push_back(r);
    }
    out.claim = claim;
    return out;
  }
  const size_t k = tables.size();
  std::vector<QM31> lo(k), d(k);
  for (unsigned round = 0; round < n; ++round) {
    const size_t half = tables[0].size() / 2;
    std::vector<QM31> h(degree + 1);
    for (size_t j = 0; j < half; ++j) {
      QM31 p0 = QM31::one();
      for (size_t t = 0; t < k; ++t) {
        lo[t] = tables[t][2 * j];
        d[t] = tables[t][2 * j + 1] - lo[t];
        p0 *= lo[t];
      }
      h[0] += p0;
      for (size_t t = 0; t < k; ++t) lo[t] += d[t];  // value at 1
      for (unsigned x = 2; x <= degree; ++x) {
        QM31 p = QM31::one();
        for (size_t t = 0; t < k; ++t) {
          lo[t] += d[t];
          p *= lo[t];
        }
        h[x] += p;
      }
    }
    std::vector<QM31> msg{h[0]};
    msg.insert(msg.end(), h.begin() + 2, h.end());
    side.writer->send(prefix + "/round" + std::to_string(round), msg);
    QM31 r = side.draw(prefix + "/r" + std::to_string(round));
    h[1] = claim - h[0];
    claim = mle::interpolate(h, r);
    out.point.push_back(r);
    for (auto& t : tables) t = mle::fold_low(std::span<const QM31>(t), r);
  }
  out.claim = claim;
  for (auto& t : tables) out.finals.push_back(t[0]);
  return out;
}

}  // namespace zkm31::gkr
