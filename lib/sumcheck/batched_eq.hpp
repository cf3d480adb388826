#pragma once
// The prover of Σ_x W(x)·e(x), W = Σ_i λ_i eq(r_i, ·), over a long M31 vector e (a PCS opening, a
// merge of claims on a packed vector), without materialising W or a QM31 copy of e: with
// r_i = (lo_i, hi_i) split at k,
//   Σ_x W(x)·e(x) = Σ_i λ_i Σ_{t < 2^k} eq(lo_i, t)·A_i(t),   A_i(t) = Σ_j eq(hi_i, j)·e(t + j·2^k),
// so the first k rounds are small sumchecks of eq(lo_i, ·)·A_i combined with the λ_i, and A_i sums
// only the rows where eq(hi_i, ·) can be non-zero (a claim lifted from a packed member has boolean
// top coordinates: its slot). After k binds, e and W bound at those challenges (2^(n−k) entries each)
// continue as one product sumcheck. The messages are those of the plain product sumcheck of W and e;
// memory is 2^(n−k) QM31 pairs plus 2^k per claim, not 2^n.
#include <memory>
#include <span>
#include <vector>

#include "sumcheck/sumcheck.hpp"

namespace zkm31::sumcheck {

class BatchedEqProver {
 public:
  // e has 2^n entries and outlives the prover; every point has n coordinates; k ≤ n.
  BatchedEqProver(std::span<const M31> e, std::span<const std::vector<QM31>> points, std::span<const QM31> lambda,
                  unsigned k);
  ~BatchedEqProver();
  unsigned vars_left() const { return vars_left_; }
  RoundPoly round_poly();  // [h(0), h(2)]
  void bind(QM31 s);
  // e bound at the challenges so far (at least k binds).
  std::vector<QM31> bound_e() const;

 private:
  struct Part;
  void bind_rest();
  std::span<const M31> e_;
  unsigned k_, vars_left_, binds_ = 0;
  std::vector<QM31> chals_;
  std::vector<Part> parts_;
  std::vector<QM31> e1_, w1_;          // after k binds
  std::unique_ptr<Prover> rest_;       // the rounds after the first k
};

}  // namespace zkm31::sumcheck
