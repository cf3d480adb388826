// Index maps (transpose, im2col, reshapes across padded layouts): Y(ρ) = Σ_x X(x)·w(x) with
// w(x) = Σ_{y → x} eq(ρ, y); a degree-2 sumcheck over X ends at one claim on X, and the verifier
// evaluates w at the final point from the map in O(|Y|). Concat: one such map per input, each with
// its share of Y(ρ).
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

namespace {

// Σ_x X(x)·w(x) = value for the map's X, w(x) = Σ_{y → x} eq_y[y]: one claim on X.
void wiring(WalkState& st, const IndexMapStep& s, const std::vector<QM31>& eq_y, QM31 value, const std::string& where) {
  const Vec& xv = st.c.vecs[s.x];
  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    std::vector<QM31> w(xv.size()), x(xv.size());
    for (const auto& [y, xi] : s.pairs) w[xi] += eq_y[y];
    const auto& xs = st.values(s.x);
    for (size_t i = 0; i < xs.size(); ++i) x[i] = QM31() + xs[i];
    tables = {std::move(x), std::move(w)};
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/wiring", xv.n_vars, 2, value, std::move(tables));
  QM31 xv_at = st.side.message(s.name + "/wiring/x", 1, [&] {
    return std::vector<QM31>{sc.finals[0] + (st.cheat == CheatMode::WrongWiring ? QM31::one() : QM31())};
  })[0];
  if (!st.side.proving()) {
    const std::vector<QM31> eq_x = poly::eq_table(sc.point);
    QM31 w;
    for (const auto& [y, xi] : s.pairs) w += eq_y[y] * eq_x[xi];
    st.check(xv_at * w == sc.claim, where, "final wiring claim != X(.)·w(.)");
  }
  st.claim(s.x, sc.point, xv_at, where);
}

}  // namespace

void reduce_index_map(WalkState& st, const IndexMapStep& s) {
  const std::string where = "index map " + s.name;
  const Claim cl = st.take(s.y, where);
  wiring(st, s, poly::eq_table(cl.point), cl.value, where);
}

void reduce_concat(WalkState& st, const ConcatStep& s) {
  const std::string where = "concat " + s.name;
  const Claim cl = st.take(s.y, where);
  const std::vector<QM31> eq_y = poly::eq_table(cl.point);
  const std::vector<QM31> shares = st.side.message(s.name + "/shares", s.parts.size(), [&] {
    std::vector<QM31> out;
    for (const IndexMapStep& p : s.parts) {
      QM31 acc;
      for (const auto& [y, xi] : p.pairs) acc += eq_y[y] * st.values(p.x)[xi];
      out.push_back(acc);
    }
    return out;
  });
  QM31 total;
  for (const QM31& v : shares) total += v;
  st.check(total == cl.value, where, "the parts' shares do not add up to Y(ρ)");
  for (size_t i = 0; i < s.parts.size(); ++i) wiring(st, s.parts[i], eq_y, shares[i], where);
}

}  // namespace zkm31::gkr
