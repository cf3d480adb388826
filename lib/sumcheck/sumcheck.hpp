#pragma once
// Transcript-bound sumcheck for  claim = Σ_{x ∈ {0,1}^n} Σ_t coeff_t · Π_{j ∈ t} f_j(x)
// over multilinear tables f_j of length 2^n (M31 or QM31), degree ≤ kMaxDegree.
//
// Conventions (shared with lib/poly and the PCS, DESIGN.md §5):
// - Round i binds variable i, LOWEST index bit first: pairs (2j, 2j+1), f'[j] = f[2j] + s·(f[2j+1] − f[2j]).
//   The challenges s_0, s_1, … are therefore the point coordinates LSB first.
// - A round polynomial h of degree d is sent as its values [h(0), h(2), h(3), …, h(d)] (d values);
//   h(1) is NOT sent: the verifier derives h(1) = claim − h(0), so Σ_{X∈{0,1}} h(X) = claim holds by
//   construction and the next claim is h(s).
// - Transcript: at the start the prover and verifier absorb (label, n_vars, degree, claim); each round
//   absorbs the d values under `label`, then draws the challenge under `label`. After each draw an
//   optional RoundHook runs on both sides (the PCS folds and commits a codeword layer there).
// - The verifier returns the challenges and the final claim; the CALLER must check
//   final_claim == Σ_t coeff_t Π_j f_j(challenges) against evaluations it trusts.
#include <functional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "artifact/body.hpp"
#include "channel/channel.hpp"
#include "field/field.hpp"

namespace zkm31::sumcheck {

inline constexpr unsigned kMaxDegree = 8;

using RoundPoly = std::vector<QM31>;  // [h(0), h(2), …, h(d)]
using Proof = std::vector<RoundPoly>;

// A table the prover reads, borrowed for the call (it is never modified).
using TableRef = std::variant<std::span<const M31>, std::span<const QM31>>;

// coeff · Π_{j ∈ factors} tables[j]; a table may appear in several terms and more than once.
struct Term {
  QM31 coeff;
  std::vector<size_t> factors;
};

struct ProverOutput {
  Proof proof;
  std::vector<QM31> challenges;   // s_0 … s_{n−1}, LSB first
  std::vector<QM31> final_evals;  // f_j(challenges) for each table j, in input order
};

struct VerifierOutput {
  std::vector<QM31> challenges;
  QM31 final_claim;  // what Σ_t coeff_t Π f_j(challenges) must equal
};

using RoundHook = std::function<void(size_t round, QM31 challenge)>;

// Incremental prover: the round message of the current variable, then bind it. The two hot shapes
// (a·b of degree 2, a·b·c of degree 3 — e.g. eq(r,·)·a·b) run fused, parallel kernels that bind and
// compute the next round's message in one pass; any other sum of products runs a generic kernel.
class Prover {
 public:
  Prover(std::span<const TableRef> tables, std::vector<Term> terms);
  unsigned degree() const { return degree_; }
  unsigned vars_left() const { return vars_left_; }
  // The message [h(0), h(2), …, h(d)] of the current round (vars_left() ≥ 1).
  RoundPoly round_poly();
  // Binds the current lowest variable to s.
  void bind(QM31 s);
  // Table j after the binds so far, natural order (only after at least one bind).
  std::vector<QM31> bound_table(size_t j) const;
  // f_j at the bound point (vars_left() == 0).
  std::vector<QM31> final_evals() const;

 private:
  enum class Shape { product2, product3, generic };
  TableRef current(size_t j) const;
  std::vector<QM31> generic_round() const;
  std::vector<TableRef> inputs_;
  std::vector<std::vector<QM31>> owned_;
  std::vector<Term> terms_;
  Shape shape_;
  unsigned degree_ = 0, vars_left_ = 0;
  bool bound_once_ = false, have_next_ = false;
  bool reversed_ = false;  // product tables stored bit-reversed (after the first bind)
  RoundPoly next_;
};

// Runs n rounds of an incremental prover (round(): the current message of `degree` values; bind(s))
// against the channel: the header, then per round the message absorbed under `label`, the challenge
// drawn, bind, hook. final_evals is left empty (the prover knows its own).
ProverOutput run_rounds(QM31 claim, unsigned n, unsigned degree, const std::function<RoundPoly()>& round,
                        const std::function<void(QM31)>& bind, Channel& channel, std::string_view label,
                        const RoundHook& hook = {});
// Runs all rounds against the channel. Throws BadInput on tables of unequal / non power-of-two
// length, an empty term list, or degree > kMaxDegree. `claim` is not checked by the prover.
ProverOutput prove(QM31 claim, std::span<const TableRef> tables, std::vector<Term> terms, Channel& channel,
                   std::string_view label, const RoundHook& hook = {});
// claim = Σ_x Π_j tables[j](x)  (degree = tables.size()).
ProverOutput prove_product(QM31 claim, std::span<const TableRef> tables, Channel& channel, std::string_view label,
                           const RoundHook& hook = {});
// claim = Σ_x eq(r, x)·a(x)·b(x)  (degree 3). final_evals = {eq(r, s), a(s), b(s)}.
ProverOutput prove_eq_product(QM31 claim, std::span<const QM31> r, TableRef a, TableRef b, Channel& channel,
                              std::string_view label, const RoundHook& hook = {});

// Checks the shape of the proof (n_vars rounds of `degree` values each) and each round against the
// running claim; throws Rejected(label, …) naming the round. Returns the challenges and final claim.
VerifierOutput verify(QM31 claim, unsigned n_vars, unsigned degree, const Proof& proof, Channel& channel,
                      std::string_view label, const RoundHook& hook = {});

// The caller's last step: throws Rejected(label, "final claim …") unless final_claim == expected.
void check_final(const VerifierOutput& out, QM31 expected, std::string_view label);

// Absorbs the statement header (label, n_vars, degree, claim): the first step of prove and verify.
void absorb_header(Channel& channel, std::string_view label, unsigned n_vars, unsigned degree, QM31 claim);
// h(s) for a round message and the running claim (h(1) = claim − h(0)).
QM31 next_claim(QM31 claim, const RoundPoly& h, QM31 s);

// Serialization: one map field `key` holding a bin of u32 limbs, rounds concatenated, each round
// [h(0), h(2), …] with each QM31 as [a, b, c, d]. read() throws Rejected(where, …) on a wrong length
// and on limbs ≥ p.
void write(artifact::BodyWriter& w, std::string_view key, const Proof& proof);
Proof read(const artifact::MapView& m, std::string_view key, unsigned n_vars, unsigned degree);
std::vector<M31> to_limbs(const Proof& proof);
Proof from_limbs(std::span<const M31> limbs, unsigned n_vars, unsigned degree, std::string_view where);

}  // namespace zkm31::sumcheck
