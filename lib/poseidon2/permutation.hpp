#pragma once
// The Poseidon2 permutation over M31, width 16, exactly as Plonky3's default_mersenne31_poseidon2_16
// (order of operations and test vectors in ../shared/reference/poseidon2_m31_w16.json):
//   state = M_E·state; 4 full rounds; 14 partial rounds; 4 full rounds
// full round: add 16 constants, x^5 on every element, M_E; partial round: add one constant to
// state[0], x^5 on state[0], M_I.
#include <array>
#include <span>

#include "field/field.hpp"
#include "poseidon2/constants.hpp"

namespace zkm31::poseidon2 {

using State = std::array<M31, kWidth>;

void permute(State& state);
State permuted(State state);

// Many independent permutations, 16 at a time on packed lanes (AVX-512 / AVX2 clones of one loop
// nest, picked at load time); identical results to permute() on each state.
void permute_many(std::span<State> states);

// The state after the initial linear layer (index 0) and after every round r = 0..21 (index r + 1):
// what a trace generator lays out row by row. The last entry is the permutation's output.
using RoundStates = std::array<State, kRounds + 1>;
RoundStates round_states(const State& input);

// The two linear layers and the S-box on their own, for AIR constraint code.
void external_linear(State& state);  // M_E = circ(2·M4, M4, M4, M4), M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]
void internal_linear(State& state);  // M_I = J + diag(−2, 1, 2, 4, …, 2^16)
inline M31 sbox(M31 x) {
  M31 x2 = x * x;
  return x2 * x2 * x;
}

}  // namespace zkm31::poseidon2
