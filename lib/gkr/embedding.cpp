// Token embeddings with public ids (EmbeddingStep): Y(ρ_j, ρ_t) = Σ_v c(v)·W(ρ_j, v) with
// c(v) = Σ_{real t: ids[t] = v} eq(ρ_t, t): a degree-2 sumcheck over W's row variables, one claim on W
// at (ρ_j, v*). The verifier rebuilds c(v*) from the public ids; a lie about W(ρ_j, v*) or about the
// ids (another public input) breaks the final check.
#include "gkr/walk.hpp"
#include "parallel/parallel.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

namespace {

// eq(point, v) for an integer v (bit k of v ↔ point[k]).
QM31 eq_at_index(std::span<const QM31> point, uint64_t v) {
  QM31 e = QM31::one();
  for (size_t k = 0; k < point.size(); ++k) e *= (v >> k) & 1 ? point[k] : QM31::one() - point[k];
  return e;
}

}  // namespace

void reduce_embedding(WalkState& st, const EmbeddingStep& s) {
  const std::string where = "embedding " + s.name;
  const Claim cl = st.take(s.y, where);
  const std::span<const QM31> rho(cl.point);
  const std::span<const QM31> rho_j = rho.first(s.col_bits), rho_t = rho.subspan(s.col_bits);
  const Vec& ids = st.c.vecs[s.ids];
  const std::vector<QM31> eq_t = poly::eq_table(rho_t);
  // (eq(ρ_t, t), id) of every real token.
  std::vector<std::pair<QM31, uint64_t>> tokens;
  for (size_t i = 0, n = size_t(model::numel(ids.dims)); i < n; ++i) {
    const size_t pi = padded_index(ids, i);
    tokens.push_back({eq_t[pi], uint64_t(st.pub[s.ids][pi].to_signed())});
  }

  std::vector<std::vector<QM31>> tables;
  if (st.side.proving()) {
    const size_t rows = size_t(1) << s.row_bits, cols = size_t(1) << s.col_bits;
    std::vector<QM31> c(rows), w_at_j(rows);
    for (const auto& [e, id] : tokens) c[id] += e;
    const std::vector<QM31> eq_j = poly::eq_table(rho_j);
    const std::span<const M31> w = st.values(s.w);
    parallel::for_range(rows, 64, [&](size_t lo, size_t hi) {
      for (size_t v = lo; v < hi; ++v) {
        QM31 acc;
        for (size_t j = 0; j < cols; ++j) acc += eq_j[j] * w[v * cols + j];
        w_at_j[v] = acc;
      }
    });
    tables = {std::move(c), std::move(w_at_j)};
  }
  SumcheckResult sc = sumcheck_product(st.side, s.name + "/embedding", s.row_bits, 2, cl.value, std::move(tables));
  const QM31 w_value = st.side.message(s.name + "/w", 1, [&] {
    QM31 v = sc.finals[1];
    if (st.cheat == CheatMode::WrongEmbedding && !st.lied) v += QM31::one(), st.lied = true;
    return std::vector<QM31>{v};
  })[0];
  QM31 c_value;
  for (const auto& [e, id] : tokens) c_value += e * eq_at_index(sc.point, id);
  st.check(c_value * w_value == sc.claim, where, "final claim != c(v)·W(ρ_j, v)");
  std::vector<QM31> w_point(rho_j.begin(), rho_j.end());
  w_point.insert(w_point.end(), sc.point.begin(), sc.point.end());
  st.claim(s.w, std::move(w_point), w_value, where);
}

}  // namespace zkm31::gkr
