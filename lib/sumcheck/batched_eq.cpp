#include "sumcheck/batched_eq.hpp"

#include "error/error.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::sumcheck {

struct BatchedEqProver::Part {
  size_t first_row, rows;     // the support of eq(hi_i, ·)
  std::vector<QM31> hi_free;  // hi_i without its boolean suffix
  QM31 scale;                 // λ_i
  std::vector<QM31> lo_eq, a;
  std::unique_ptr<Prover> small;
};

BatchedEqProver::BatchedEqProver(std::span<const M31> e, std::span<const std::vector<QM31>> points,
                                 std::span<const QM31> lambda, unsigned k)
    : e_(e), k_(k), vars_left_(poly::log2_exact(e.size(), "batched eq sumcheck: vector length")) {
  const unsigned n = vars_left_;
  if (k > n || points.size() != lambda.size()) throw std::logic_error("batched eq sumcheck: bad shape");
  parts_.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const std::vector<QM31>& r = points[i];
    if (r.size() != n) throw std::logic_error("batched eq sumcheck: point of the wrong size");
    size_t free = n;
    while (free > k && (r[free - 1] == QM31() || r[free - 1] == QM31::one())) --free;
    size_t block = 0;
    for (size_t c = n; c-- > free;) block = 2 * block + (r[c] == QM31::one() ? 1 : 0);
    Part& p = parts_[i];
    p.hi_free.assign(r.begin() + k, r.begin() + free);
    p.rows = size_t(1) << (free - k);
    p.first_row = block * p.rows;
    p.scale = lambda[i];
    if (k == 0) continue;
    p.lo_eq = poly::eq_table(std::span<const QM31>(r).first(k));
    p.a = poly::weighted_columns(e.subspan(p.first_row << k, p.rows << k), poly::eq_table(p.hi_free));
    const TableRef t[2] = {std::span<const QM31>(p.lo_eq), std::span<const QM31>(p.a)};
    p.small = std::make_unique<Prover>(t, std::vector<Term>{{QM31::one(), {0, 1}}});
  }
  if (k == 0) bind_rest();
}

BatchedEqProver::~BatchedEqProver() = default;

RoundPoly BatchedEqProver::round_poly() {
  if (rest_) return rest_->round_poly();
  RoundPoly h(2);
  for (Part& p : parts_) {
    const RoundPoly hp = p.small->round_poly();
    for (size_t d = 0; d < h.size(); ++d) h[d] += p.scale * hp[d];
  }
  return h;
}

void BatchedEqProver::bind(QM31 s) {
  --vars_left_, ++binds_;
  if (rest_) return rest_->bind(s);
  chals_.push_back(s);
  for (Part& p : parts_) p.small->bind(s);
  if (chals_.size() == k_) bind_rest();
}

// The tables after k binds: e bound at s_0..s_{k−1}, and W's rows scaled by eq(lo_i, s).
void BatchedEqProver::bind_rest() {
  e1_ = poly::weighted_rows(e_, poly::eq_table(chals_));
  w1_.assign(e1_.size(), QM31());
  for (const Part& p : parts_)
    poly::add_eq_table(p.hi_free, k_ ? p.scale * p.small->final_evals()[0] : p.scale,
                       std::span<QM31>(w1_).subspan(p.first_row, p.rows));
  parts_.clear();
  if (vars_left_ == 0) return;
  const TableRef tables[2] = {std::span<const QM31>(e1_), std::span<const QM31>(w1_)};
  rest_ = std::make_unique<Prover>(tables, std::vector<Term>{{QM31::one(), {0, 1}}});
}

std::vector<QM31> BatchedEqProver::bound_e() const {
  if (binds_ < k_) throw std::logic_error("batched eq sumcheck: e is bound only after the first k rounds");
  return binds_ == k_ ? e1_ : rest_->bound_table(0);
}

}  // namespace zkm31::sumcheck
