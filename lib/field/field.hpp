#pragma once
// The M31 field tower: M31 ⊂ CM31 ⊂ QM31, plus batch inversion.
#include <span>
#include <vector>
#include "field/m31.hpp"
#include "field/cm31.hpp"
#include "field/qm31.hpp"

namespace zkm31 {

// Montgomery's trick: one inversion for the whole span. Zeros are an error (checked by the caller).
template <typename F>
void batch_inverse(std::span<const F> in, std::span<F> out) {
  if (in.empty()) return;
  std::vector<F> prefix(in.size());
  F acc = F::one();
  for (size_t i = 0; i < in.size(); ++i) {
    prefix[i] = acc;
    acc *= in[i];
  }
  F inv = acc.inverse();
  for (size_t i = in.size(); i-- > 0;) {
    F x = in[i];  // read before writing: in and out may alias
    out[i] = inv * prefix[i];
    inv *= x;
  }
}

}  // namespace zkm31
