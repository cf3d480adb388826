#include "gkr/walk.hpp"

#include <algorithm>

#include "error/error.hpp"
#include "gkr/merge.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::gkr {

namespace {

// Steps that reduce a claim on their output `y` (requant, lookups and reduce_max, whose outputs are
// committed, start from their lookup).
template <class T>
constexpr bool reduces_output =
    !std::is_same_v<T, RequantStep> && !std::is_same_v<T, LookupStep> && !std::is_same_v<T, ReduceMaxStep>;

}  // namespace

void WalkState::claim(uint32_t vec, std::vector<QM31> point, QM31 value, const std::string& origin) {
  const Vec& v = c.vecs[vec];
  if (v.kind == VecKind::Padding) {
    check(QM31::one() - real_indicator(v, point, 0) == value, origin, "claimed MLE of " + v.name + " is wrong");
    ledger.consume(ledger.add(vec, std::move(point), value, origin), "verifier: MLE of " + v.name);
    return;
  }
  if (v.kind != VecKind::Public) {
    ledger.add(vec, std::move(point), value, origin);
    return;
  }
  check(poly::evaluate(std::span<const M31>(pub[vec]), std::span<const QM31>(point)) == value, origin,
        "claimed MLE of public " + v.name + " is wrong");
  ledger.consume(ledger.add(vec, std::move(point), value, origin), "verifier: MLE of public " + v.name);
}

Claim WalkState::take(uint32_t vec, const std::string& where) {
  const size_t id = ledger.only_pending(vec, where);
  ledger.consume(id, where);
  return ledger.at(id);
}

void merge_pending(WalkState& st, uint32_t vec) {
  std::vector<size_t> ids = st.ledger.pending(vec);
  if (ids.size() < 2) return;
  const Vec& v = st.c.vecs[vec];
  const std::string where = "merge " + v.name;
  std::vector<MergeClaim> claims;
  for (size_t id : ids) {
    const Claim& cl = st.ledger.at(id);
    claims.push_back({cl.point, cl.value, 0, v.n_vars});
  }
  for (size_t id : ids) st.ledger.consume(id, where);
  const bool lie = st.side.proving() && !st.lied && (st.cheat == CheatMode::MergeDrop || st.cheat == CheatMode::MergeWrongValue);
  if (lie && st.cheat == CheatMode::MergeDrop) claims.pop_back();
  Merged m = merge_claims(st.side, where, claims, v.n_vars,
                          st.side.proving() ? std::span<const M31>(st.values(vec)) : std::span<const M31>());
  if (lie && st.cheat == CheatMode::MergeWrongValue) {
    // the stated value was already sent: change it in the stream, as a lying prover would have sent it
    const_cast<std::vector<QM31>&>(st.side.writer->data()).back() += QM31::one();
    m.value += QM31::one();
  }
  st.lied |= lie;
  st.ledger.add(vec, std::move(m.point), m.value, where);
}

void WalkState::check(bool cond, const std::string& where, const std::string& what) const {
  if (!side.proving()) return require(cond, where, what);
  if (!cond && cheat == CheatMode::None) throw BadInput("trace is inconsistent: " + where + ": " + what);
}

lookup::LeafClaims WalkState::run_instance(uint32_t k) {
  const lookup::Instance& inst = c.instances[k];
  if (instance_walked[k]) throw std::logic_error("walk: instance " + inst.name + " reached twice");
  instance_walked[k] = true;
  const lookup::LeafClaims& leaf = lookups.instances[k];
  for (size_t s = 0; s < inst.sources.size(); ++s) {
    const auto& pt = leaf.row_point;
    claim(c.instance_vecs[k][s], std::vector<QM31>(pt.begin(), pt.begin() + inst.sources[s].log_len),
          leaf.values[s], "lookup " + inst.name);
  }
  return leaf;
}

namespace {

// Every instance and table of the circuit, batched (lookup/logup.hpp); done() after each tree.
void prove_lookups(WalkState& st, const std::function<void(const std::string&)>& done) {
  const Circuit& c = st.c;
  if (!st.side.proving()) {
    st.lookups = lookup::verify_lookups(*st.side.reader, c.tables, c.instances, st.ch);
    return;
  }
  std::vector<std::vector<std::span<const M31>>> sources(c.instances.size());
  for (size_t k = 0; k < c.instances.size(); ++k)
    for (uint32_t v : c.instance_vecs[k]) sources[k].emplace_back(st.values(v));
  std::vector<std::span<const M31>> mults;
  for (uint32_t v : c.mult_vecs) mults.emplace_back(st.values(v));
  int64_t omit = -1;
  if (st.cheat == CheatMode::SkipLookup)
    for (const Step& s : c.steps)
      if (const auto* l = std::get_if<LookupStep>(&s)) omit = l->instance;
  st.lookups = lookup::prove_lookups(*st.side.writer, c.tables, c.instances, sources, mults, st.ch, lookup::kBatchLog, omit,
                                     [&](size_t i, size_t n) {
                                       done(std::string(kLookupTreePart) + " " + std::to_string(i + 1) + "/" + std::to_string(n));
                                     });
}

}  // namespace

void WalkState::check_bound_limbs(const std::string& where, const lookup::LeafClaims& leaf, uint32_t k, uint32_t x,
                                  int64_t lo, int64_t hi, const std::vector<uint32_t>& dlo,
                                  const std::vector<uint32_t>& dhi, QM31 real) {
  const auto& srcs = c.instance_vecs[k];
  auto val = [&](uint32_t vec) { return leaf.values[size_t(std::find(srcs.begin(), srcs.end(), vec) - srcs.begin())]; };
  auto combine = [&](const std::vector<uint32_t>& limbs) {
    QM31 acc;
    for (size_t j = 0; j < limbs.size(); ++j) acc += val(limbs[j]) * M31::from_u64(uint64_t(1) << (c.config.range_bits * j));
    return acc;
  };
  const QM31 v = val(x);
  check(v - real * M31::from_signed(lo) == combine(dlo) && (dhi.empty() || real * M31::from_signed(hi) - v == combine(dhi)),
        where, "x − lo or hi − x does not match its range limbs");
}

Ledger walk(const Circuit& c, Side& side, const Witness* wit, const std::vector<std::vector<M31>>& pub,
            CheatMode cheat, const StepHook& hook) {
  auto done = [&](const std::string& name) {
    if (hook) hook(name);
  };
  WalkState st(c, side, wit, pub, cheat);
  st.ch = lookup::Challenges::draw(side.channel());
  st.instance_walked.assign(c.instances.size(), false);
  prove_lookups(st, done);
  // An output produced by a linear node starts the walk at a random point; the verifier
  // evaluates the public output there itself.
  for (uint32_t o : c.outputs) {
    bool linear = false;
    for (const Step& s : c.steps)
      std::visit(
          [&](const auto& x) {
            if constexpr (reduces_output<std::decay_t<decltype(x)>>) linear |= x.y == o;
          },
          s);
    if (!linear) continue;
    std::vector<QM31> rho = side.draws("output/" + c.vecs[o].name, c.vecs[o].n_vars);
    QM31 v = poly::evaluate(std::span<const M31>(pub[o]), std::span<const QM31>(rho));
    st.ledger.add(o, std::move(rho), v, "verifier: MLE of public output");
  }
  for (size_t i = c.steps.size(); i-- > 0;) {
    std::visit(
        [&](const auto& s) {
          using T = std::decay_t<decltype(s)>;
          if constexpr (reduces_output<T>)
            if (c.vecs[s.y].kind == VecKind::Virtual) merge_pending(st, s.y);
          if constexpr (std::is_same_v<T, MatMulStep>) reduce_matmul(st, s);
          if constexpr (std::is_same_v<T, RequantStep>) reduce_requant(st, s);
          if constexpr (std::is_same_v<T, LookupStep>) reduce_relu(st, s);
          if constexpr (std::is_same_v<T, ReshapeStep>) reduce_reshape(st, s);
          if constexpr (std::is_same_v<T, IndexMapStep>) reduce_index_map(st, s);
          if constexpr (std::is_same_v<T, AddStep>) reduce_add(st, s);
          if constexpr (std::is_same_v<T, MulStep>) reduce_mul(st, s);
          if constexpr (std::is_same_v<T, ScaleStep>) reduce_scale(st, s);
          if constexpr (std::is_same_v<T, ReduceSumStep>) reduce_sum(st, s);
          if constexpr (std::is_same_v<T, ReduceMaxStep>) reduce_max(st, s);
          if constexpr (std::is_same_v<T, ConcatStep>) reduce_concat(st, s);
          if constexpr (std::is_same_v<T, EmbeddingStep>) reduce_embedding(st, s);
        },
        c.steps[i]);
    std::visit([&](const auto& s) { done(s.name); }, c.steps[i]);
  }
  for (const auto& wb : c.weight_bounds) {
    lookup::LeafClaims leaf = st.run_instance(wb.instance);
    if (!wb.dlo.empty())
      st.check_bound_limbs("weights " + c.vecs[wb.w].name, leaf, wb.instance, wb.w, wb.lo, wb.hi, wb.dlo, wb.dhi);
  }
  if (!c.weight_bounds.empty()) done("weights");
  for (uint32_t t = 0; t < c.tables.size(); ++t)
    st.ledger.add(c.mult_vecs[t], st.lookups.tables[t].point, st.lookups.tables[t].value, "table " + c.tables[t].name());
  if (std::find(st.instance_walked.begin(), st.instance_walked.end(), false) != st.instance_walked.end())
    throw std::logic_error("walk: a lookup instance no step reached");
  if (!side.proving()) lookup::check_roots(st.lookups.roots);
  return std::move(st.ledger);
}

}  // namespace zkm31::gkr
