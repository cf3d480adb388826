#pragma once
// Proving and verifying the claim walk alone (no PCS): committed, weight and certificate claims left
// in the verifier's ledger are checked by direct evaluation against an oracle witness.
#include "error/error.hpp"
#include "gkr/walk.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr::test {

struct Proved {
  Circuit c;
  Witness w;
  std::vector<QM31> stream;
};

inline void prove_witness(Proved& p, CheatMode cheat = CheatMode::None) {
  Channel ch("test/walk");
  proof::Writer wr(ch);
  Side side{&wr, nullptr};
  walk(p.c, side, &p.w, p.w.values, cheat);
  p.stream = wr.data();
}

inline Proved prove(const model::Trace& t, CheatMode cheat = CheatMode::None) {
  Proved p{compile(t.graph, Config{}).proof, {}, {}};
  p.w = build_witness(p.c, t);
  prove_witness(p, cheat);
  return p;
}

// Verifies the stream; committed and weight claims are checked against the honest witness `oracle`.
inline Ledger verify(const Proved& p, const std::vector<std::vector<M31>>& oracle) {
  std::vector<std::vector<M31>> pub(p.c.vecs.size());
  for (uint32_t v : p.c.inputs) pub[v] = oracle[v];
  for (uint32_t v : p.c.outputs) pub[v] = oracle[v];
  Channel ch("test/walk");
  proof::Reader rd(ch, p.stream);
  Side side{nullptr, &rd};
  Ledger L = walk(p.c, side, nullptr, pub);
  rd.finish();
  for (size_t i = 0; i < L.claims().size(); ++i) {
    const Claim& cl = L.at(i);
    if (!cl.consumed_by.empty()) continue;
    const VecKind k = p.c.vecs[cl.vec].kind;
    require(k == VecKind::Committed || k == VecKind::Weight || k == VecKind::Certificate, "test",
            "pending claim on " + L.name(cl.vec));
    require(poly::evaluate(std::span<const M31>(oracle[cl.vec]), std::span<const QM31>(cl.point)) == cl.value,
            "pcs-oracle", "false claim on " + L.name(cl.vec));
    L.consume(i, "oracle");
  }
  L.check_all_consumed();
  return L;
}

// The weight certificate's walk; forge: weights outside their intervals are proven as they are.
inline Proved certify(const model::Trace& t, bool forge = false) {
  Proved p{compile(t.graph, Config{}).certificate, {}, {}};
  p.w.values = weight_values(p.c, t.graph);
  add_certificate_values(p.c, p.w, !forge);
  prove_witness(p, forge ? CheatMode::ForgedWitness : CheatMode::None);
  return p;
}

}  // namespace zkm31::gkr::test
