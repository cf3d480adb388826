#include "poseidon2/permutation.hpp"

#include <algorithm>
#include <cstring>

#include "field/simd.hpp"

namespace zkm31::poseidon2 {
namespace {

// One implementation for every lane count: the state is stored element-major (x[i][lane]) so that
// each step is a loop over lanes that the compiler vectorises; L = 1 is the scalar permutation.
template <size_t L>
struct Lanes {
  uint32_t x[kWidth][L];
};

#define ZKM31_INLINE inline __attribute__((always_inline))

// Canonical residue arithmetic on plain words (as M31, written branch-free for vectorisation):
// t − p wraps above t exactly when t < p.
ZKM31_INLINE uint32_t add(uint32_t a, uint32_t b) {
  uint32_t t = a + b;
  return std::min(t, t - kP);
}
ZKM31_INLINE uint32_t sub(uint32_t a, uint32_t b) {
  uint32_t t = a - b;
  return std::min(t, t + kP);
}
ZKM31_INLINE uint32_t mul(uint32_t a, uint32_t b) {
  uint64_t prod = uint64_t(a) * b;
  uint32_t t = uint32_t(prod & kP) + uint32_t(prod >> 31);
  return std::min(t, t - kP);
}
// x·2^k mod p is a rotation of x's 31 bits.
ZKM31_INLINE uint32_t mul_pow2(uint32_t x, int k) { return ((x << k) & kP) | (x >> (31 - k)); }
ZKM31_INLINE uint32_t pow5(uint32_t x) {
  uint32_t x2 = mul(x, x);
  return mul(mul(x2, x2), x);
}

template <size_t L>
ZKM31_INLINE void external_layer(Lanes<L>& s) {
  // M4 on each chunk of four (Plonky3's apply_mat4 addition chain).
  for (size_t c = 0; c < kWidth; c += 4) {
    uint32_t(&x0)[L] = s.x[c];
    uint32_t(&x1)[L] = s.x[c + 1];
    uint32_t(&x2)[L] = s.x[c + 2];
    uint32_t(&x3)[L] = s.x[c + 3];
    for (size_t j = 0; j < L; ++j) {
      uint32_t t01 = add(x0[j], x1[j]), t23 = add(x2[j], x3[j]), t0123 = add(t01, t23);
      uint32_t t01123 = add(t0123, x1[j]), t01233 = add(t0123, x3[j]);
      uint32_t y0 = add(t01123, t01), y1 = add(t01123, add(x2[j], x2[j]));
      uint32_t y2 = add(t01233, t23), y3 = add(t01233, add(x0[j], x0[j]));
      x0[j] = y0, x1[j] = y1, x2[j] = y2, x3[j] = y3;
    }
  }
  // circ(2, 1, 1, 1) over the chunks: add the column sums.
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < L; ++j) {
      uint32_t col = add(add(s.x[i][j], s.x[4 + i][j]), add(s.x[8 + i][j], s.x[12 + i][j]));
      for (size_t c = 0; c < kWidth; c += 4) s.x[c + i][j] = add(s.x[c + i][j], col);
    }
}

template <size_t L>
ZKM31_INLINE void internal_layer(Lanes<L>& s) {
  for (size_t j = 0; j < L; ++j) {
    uint64_t wide = 0;
    for (size_t i = 0; i < kWidth; ++i) wide += s.x[i][j];  // < 2^35
    uint32_t sum = M31::from_u64(wide).v;
    s.x[0][j] = sub(sum, add(s.x[0][j], s.x[0][j]));
    for (size_t i = 1; i < kWidth; ++i) s.x[i][j] = add(mul_pow2(s.x[i][j], kInternalShifts[i - 1]), sum);
  }
}

template <size_t L>
ZKM31_INLINE void full_round(Lanes<L>& s, const uint32_t (&rc)[kWidth]) {
  for (size_t i = 0; i < kWidth; ++i)
    for (size_t j = 0; j < L; ++j) s.x[i][j] = pow5(add(s.x[i][j], rc[i]));
  external_layer(s);
}

template <size_t L>
ZKM31_INLINE void partial_round(Lanes<L>& s, uint32_t rc) {
  for (size_t j = 0; j < L; ++j) s.x[0][j] = pow5(add(s.x[0][j], rc));
  internal_layer(s);
}

// on_state(k, s) sees the state after the initial layer (k = 0) and after round k − 1.
template <size_t L, typename OnState>
ZKM31_INLINE void permute_lanes(Lanes<L>& s, OnState&& on_state) {
  external_layer(s);
  on_state(0, s);
  size_t k = 1;
  for (size_t r = 0; r < kHalfFullRounds; ++r, ++k) full_round(s, kExternalInitial[r]), on_state(k, s);
  for (size_t r = 0; r < kPartialRounds; ++r, ++k) partial_round(s, kInternal[r]), on_state(k, s);
  for (size_t r = 0; r < kHalfFullRounds; ++r, ++k) full_round(s, kExternalFinal[r]), on_state(k, s);
}

constexpr auto kNoObserver = [](size_t, const auto&) {};

Lanes<1> lanes_of(const State& state) {
  Lanes<1> s;
  for (size_t i = 0; i < kWidth; ++i) s.x[i][0] = state[i].v;
  return s;
}
State state_of(const Lanes<1>& s) {
  State state;
  for (size_t i = 0; i < kWidth; ++i) state[i] = M31(s.x[i][0]);
  return state;
}

constexpr size_t kBatch = 16;

ZKM31_VECTOR_CLONES void permute_batch(State* states) {
  Lanes<kBatch> s;
  for (size_t j = 0; j < kBatch; ++j)
    for (size_t i = 0; i < kWidth; ++i) s.x[i][j] = states[j][i].v;
  permute_lanes(s, kNoObserver);
  for (size_t j = 0; j < kBatch; ++j)
    for (size_t i = 0; i < kWidth; ++i) states[j][i] = M31(s.x[i][j]);
}

}  // namespace

void permute(State& state) {
  Lanes<1> s = lanes_of(state);
  permute_lanes(s, kNoObserver);
  state = state_of(s);
}

State permuted(State state) {
  permute(state);
  return state;
}

void permute_many(std::span<State> states) {
  size_t done = 0;
  for (; done + kBatch <= states.size(); done += kBatch) permute_batch(states.data() + done);
  for (; done < states.size(); ++done) permute(states[done]);
}

RoundStates round_states(const State& input) {
  RoundStates out;
  Lanes<1> s = lanes_of(input);
  permute_lanes(s, [&](size_t k, const Lanes<1>& now) { out[k] = state_of(now); });
  return out;
}

void external_linear(State& state) {
  Lanes<1> s = lanes_of(state);
  external_layer(s);
  state = state_of(s);
}

void internal_linear(State& state) {
  Lanes<1> s = lanes_of(state);
  internal_layer(s);
  state = state_of(s);
}

}  // namespace zkm31::poseidon2
