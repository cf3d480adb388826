#pragma once
// The Poseidon2-M31 permutation (width 16, x^5, 4 + 14 + 4 rounds, lib/poseidon2) as an AIR: one
// permutation per row. Columns (159):
//   in[16]                   the input state
//   full[r][16], r = 0..3    the state after each initial full round
//   partial[k], k = 0..13    the S-box output of partial round k, (s[0] + c_k)^5
//   full[r][16], r = 4..7    the state after each final full round (the last is the output)
//   multiplicity             how often other components look this (input, output) pair up
// Constraints (142, degree 5): every full-round column equals M_E(pow5(previous state + constants)) and
// every partial column equals pow5(s[0] + c_k), where the state between is the linear image of the
// columns before (the initial M_E, M_I). The pair (in, out) is put into relation kPoseidon2Relation with
// −multiplicity: a component that needs a hash takes it with +1, and the LogUp sum binds it to a row here.
#include <span>

#include "air/eval.hpp"
#include "poseidon2/generic.hpp"
#include "poseidon2/permutation.hpp"

namespace zkm31::air {

inline constexpr uint32_t kPoseidon2Relation = 2;

class Poseidon2 final : public Evaluated<Poseidon2> {
 public:
  static constexpr size_t kW = poseidon2::kWidth, kFull = 2 * poseidon2::kHalfFullRounds,
                          kPartial = poseidon2::kPartialRounds;
  static constexpr size_t kColumns = kW + kFull * kW + kPartial + 1;

  explicit Poseidon2(unsigned log_size) : log_size_(log_size) {}
  std::string name() const override { return "poseidon2"; }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return log_size_; }
  size_t main_columns() const override { return kColumns; }
  size_t lookups() const override { return 1; }
  size_t constraints() const override { return kFull * kW + kPartial; }
  unsigned degree() const override { return 5; }
  std::vector<M31> public_inputs() const override { return {}; }

  template <class E>
  void eval(E& e) const {
    using F = typename E::F;
    namespace p2 = poseidon2;
    p2::generic::State<F> s, in;
    for (size_t i = 0; i < kW; ++i) in[i] = s[i] = e.main(i, Row::Cur);
    p2::generic::external_layer(s);
    size_t col = kW;
    auto full_round = [&](const uint32_t* rc) {
      for (size_t i = 0; i < kW; ++i) s[i] = p2::generic::pow5(s[i] + e.constant(M31(rc[i])));
      p2::generic::external_layer(s);
      for (size_t i = 0; i < kW; ++i) {
        const F v = e.main(col++, Row::Cur);
        e.constrain(v - s[i]);
        s[i] = v;
      }
    };
    for (size_t r = 0; r < p2::kHalfFullRounds; ++r) full_round(p2::kExternalInitial[r]);
    for (size_t k = 0; k < kPartial; ++k) {
      const F y = e.main(col++, Row::Cur);
      e.constrain(y - p2::generic::pow5(s[0] + e.constant(M31(p2::kInternal[k]))));
      s[0] = y;
      p2::generic::internal_layer(s);
    }
    for (size_t r = 0; r < p2::kHalfFullRounds; ++r) full_round(p2::kExternalFinal[r]);
    std::array<F, 2 * kW> io;
    for (size_t i = 0; i < kW; ++i) io[i] = in[i], io[kW + i] = s[i];
    e.lookup_all(kPoseidon2Relation, -e.main(col, Row::Cur), io);
  }

  // The rows for these inputs (2^log_size of them), each looked up `multiplicity[i]` times (empty: 0).
  static Columns trace(unsigned log_size, std::span<const poseidon2::State> inputs,
                       std::span<const uint32_t> multiplicity = {});

 private:
  unsigned log_size_;
};

}  // namespace zkm31::air
