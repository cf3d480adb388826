#include "vm31/circuit.hpp"

#include <string>

#include "error/error.hpp"
#include "air/registry.hpp"
#include "poseidon2/generic.hpp"
#include "vm31/tags.hpp"

namespace zkm31::vm31 {
namespace {

using air::Row;
using poseidon2::kRounds;
using poseidon2::kWidth;

// ---- the program: one Poseidon2 permutation per step ----

enum class Op : uint8_t { public_key, nullifier_key, commit1, commit2, path, nullify1, nullify2 };
struct Step {
  Op op;
  size_t slot = 0;  // note slot (0, 1 inputs; 2, 3 outputs) or input index
  size_t level = 0;
};

std::vector<Step> program(const TxShape& s) {
  std::vector<Step> p;
  if (s.kind != TxKind::deposit) p.push_back({Op::public_key}), p.push_back({Op::nullifier_key});
  for (size_t i = 0; i < s.inputs; ++i) {
    p.push_back({Op::commit1, i}), p.push_back({Op::commit2, i});
    for (size_t d = 0; d < kTreeDepth; ++d) p.push_back({Op::path, i, d});
    p.push_back({Op::nullify1, i}), p.push_back({Op::nullify2, i});
  }
  for (size_t k = 0; k < s.outputs(); ++k) p.push_back({Op::commit1, 2 + k}), p.push_back({Op::commit2, 2 + k});
  return p;
}

// ---- registers (columns constant over all rows) ----

constexpr size_t kSk = 0, kPk = 4, kNk = 8;
// Per note slot: owner[4] (outputs only: an input's owner is the public key), asset, lo, hi, blinding[4].
constexpr size_t kOwner = 0, kAsset = 4, kLo = 5, kHi = 6, kBlind = 7;
constexpr size_t kSlot0 = 12, kInputSlot = 7, kOutputSlot = 11;
constexpr size_t slot_reg(size_t slot, size_t field) {
  return slot < 2 ? kSlot0 + kInputSlot * slot + field - kAsset : kSlot0 + 2 * kInputSlot + kOutputSlot * (slot - 2) + field;
}
constexpr size_t kCmIn = kSlot0 + 2 * kInputSlot + 2 * kOutputSlot;  // the two input commitments
constexpr size_t kBits = kCmIn + 16;              // the two inputs' path index bits
constexpr size_t kSumLo = kBits + 2 * kTreeDepth, kCarryIn = kSumLo + 1, kCarryOut = kSumLo + 2;
constexpr size_t kWLo = kSumLo + 3, kWHi = kSumLo + 4, kCarryW = kSumLo + 5;  // W = second output + fee, or the amount out
constexpr size_t kRegisters = kSumLo + 6;

constexpr size_t kRangeBits = 30;

// Where each value sits in public_inputs(tx).
struct PublicLayout {
  size_t root = 0, nullifiers = 0, commitments = 0, asset = 0, size = 0;
  explicit PublicLayout(const TxShape& s) {
    size_t at = 1;
    if (s.kind != TxKind::deposit) root = at, at += 8;
    nullifiers = at, at += 8 * s.inputs;
    commitments = at, at += 8 * s.outputs();
    at += 8 * s.outputs();  // memo hashes: bound by the transcript, not constrained
    asset = at, at += 3;    // asset, amount lo, amount hi
    if (s.kind != TxKind::deposit) at += 9;  // counterparty
    size = at;
  }
};

// Main columns.
struct Layout {
  // A full round keeps its 16 output elements; a partial round only its S-box output (the other
  // elements are linear in earlier columns, so the constraints carry them as expressions).
  static constexpr size_t kHalf = poseidon2::kHalfFullRounds, kPartial = poseidon2::kPartialRounds;
  static constexpr bool is_full(size_t r) { return r < kHalf || r >= kHalf + kPartial; }
  static constexpr size_t round_col(size_t r, size_t i = 0) {
    return kWidth + (r < kHalf ? kWidth * r + i : r < kHalf + kPartial ? kWidth * kHalf + (r - kHalf) : kWidth * (r - kPartial) + kPartial + i);
  }
  static constexpr size_t kIn = 0, kOut = kWidth * (kRounds - kPartial) + kPartial;  // kOut: the last round's columns
  size_t steps, flag0, regs0, sib0, bits0, columns;
  unsigned log_size;
  std::vector<std::pair<size_t, size_t>> ranges;  // (register, bits) decomposed on program rows 0, 1, …

  explicit Layout(const TxShape& s) : steps(program(s).size()) {
    flag0 = kOut + kWidth;
    regs0 = flag0 + steps;
    sib0 = regs0 + kRegisters;
    bits0 = sib0 + 8;
    columns = bits0 + kRangeBits;
    log_size = 3;
    while ((size_t(1) << log_size) < steps) ++log_size;
    std::vector<size_t> slots;
    for (size_t i = 0; i < s.inputs; ++i) slots.push_back(i);
    if (s.kind != TxKind::deposit)  // a deposit's limbs are public: the verifier checks their range
      for (size_t k = 0; k < s.outputs(); ++k) slots.push_back(2 + k);
    for (size_t slot : slots) ranges.push_back({slot_reg(slot, kLo), kLimbBits}), ranges.push_back({slot_reg(slot, kHi), kHighLimbBits});
    if (s.kind != TxKind::deposit) ranges.push_back({kSumLo, kLimbBits});
    if (s.kind == TxKind::transfer) ranges.push_back({kWLo, kLimbBits});
  }
};

const Digest& node_offset() {
  static const Digest offset = poseidon2::Compression(tag::kMerkleNode).offset();
  return offset;
}

// The input state of a step from a row's view: V::F values, reg(r), prev(i) (the previous row's
// output), sib(m) (the row's sibling digest), k(v) (a constant).
template <class V>
std::array<typename V::F, kWidth> step_input(const Step& st, const V& v) {
  using F = typename V::F;
  std::array<F, kWidth> s{};
  auto sponge_head = [&](M31 tag, uint32_t length) { s[8] = v.k(tag.v), s[9] = v.k(length); };
  switch (st.op) {
    case Op::public_key:
    case Op::nullifier_key:
      for (size_t m = 0; m < 4; ++m) s[m] = v.reg(kSk + m);
      sponge_head(st.op == Op::public_key ? tag::kPublicKey : tag::kNullifierKey, 4);
      break;
    case Op::commit1:
      for (size_t m = 0; m < 4; ++m) s[m] = v.reg(st.slot < 2 ? kPk + m : slot_reg(st.slot, kOwner + m));
      s[4] = v.reg(slot_reg(st.slot, kAsset)), s[5] = v.reg(slot_reg(st.slot, kLo)), s[6] = v.reg(slot_reg(st.slot, kHi));
      s[7] = v.reg(slot_reg(st.slot, kBlind));
      sponge_head(tag::kCommitment, 11);
      break;
    case Op::commit2:
      for (size_t m = 0; m < 3; ++m) s[m] = v.reg(slot_reg(st.slot, kBlind + 1 + m));
      for (size_t m = 8; m < kWidth; ++m) s[m] = v.prev(m);
      break;
    case Op::path: {
      const auto& offset = v.node_offset();
      const F bit = v.reg(kBits + kTreeDepth * st.slot + st.level);
      for (size_t m = 0; m < 8; ++m) {
        F acc = st.level == 0 ? v.prev(m) : v.prev(m) + v.k(offset[m].v), sib = v.sib(m);
        s[m] = acc + bit * (sib - acc);
        s[8 + m] = sib + bit * (acc - sib);
      }
      break;
    }
    case Op::nullify1:
      for (size_t m = 0; m < 4; ++m) s[m] = v.reg(kNk + m), s[4 + m] = v.reg(kCmIn + 8 * st.slot + m);
      sponge_head(tag::kNullifier, 13);
      break;
    case Op::nullify2: {
      for (size_t m = 0; m < 4; ++m) s[m] = v.reg(kCmIn + 8 * st.slot + 4 + m);
      F index{};
      for (size_t d = 0; d < kTreeDepth; ++d) index = index + v.reg(kBits + kTreeDepth * st.slot + d) * v.k(1u << d);
      s[4] = index;
      for (size_t m = 8; m < kWidth; ++m) s[m] = v.prev(m);
      break;
    }
  }
  return s;
}

// A row of the circuit as step_input() reads it, seen from the row before it (prev = that row's
// output, sib = the next row's siblings), on any evaluator.
template <class E>
struct EvalView {
  using F = typename E::F;
  const E& e;
  size_t regs0, sib0;
  F reg(size_t r) const { return e.main(regs0 + r, Row::Cur); }
  F prev(size_t i) const { return e.main(Layout::kOut + i, Row::Cur); }
  F sib(size_t m) const { return e.main(sib0 + m, Row::Next); }
  F k(uint32_t v) const { return e.constant(M31(v)); }
  const Digest& node_offset() const { return vm31::node_offset(); }
};

// The permutation of a row, from its input columns: initial M_E, then each round's columns from the
// previous ones.
template <class E>
void constrain_permutation(E& e) {
  using F = typename E::F;
  auto cur = [&](size_t c) { return e.main(c, Row::Cur); };
  poseidon2::generic::State<F> s;
  for (size_t i = 0; i < kWidth; ++i) s[i] = cur(Layout::kIn + i);
  poseidon2::generic::external_layer(s);
  for (size_t r = 0; r < kRounds; ++r) {
    if (Layout::is_full(r)) {
      const auto next = poseidon2::generic::round(r, s);
      for (size_t i = 0; i < kWidth; ++i) e.constrain(cur(Layout::round_col(r, i)) - next[i]), s[i] = cur(Layout::round_col(r, i));
    } else {
      const F x = cur(Layout::round_col(r));
      e.constrain(x - poseidon2::generic::pow5(s[0] + e.constant(M31(poseidon2::kInternal[r - Layout::kHalf]))));
      s[0] = x;
      poseidon2::generic::internal_layer(s);
    }
  }
}

// Writes row `row` of the permutation columns for input `in`; returns the output state.
poseidon2::State fill_permutation(air::Columns& cols, size_t row, const poseidon2::State& in) {
  const poseidon2::RoundStates rs = poseidon2::round_states(in);
  for (size_t i = 0; i < kWidth; ++i) {
    cols[Layout::kIn + i][row] = in[i];
    for (size_t r = 0; r < kRounds; ++r)
      if (Layout::is_full(r)) cols[Layout::round_col(r, i)][row] = rs[r + 1][i];
  }
  for (size_t r = Layout::kHalf; r < Layout::kHalf + Layout::kPartial; ++r)
    cols[Layout::round_col(r)][row] = poseidon2::sbox(rs[r][0] + M31(poseidon2::kInternal[r - Layout::kHalf]));
  return rs[kRounds];
}

// Counts constrain() calls (for Component::constraints()).
struct CountEval {
  using F = M31;
  using EF = QM31;
  size_t count = 0;
  F main(size_t, Row) const { return F(); }
  F first() const { return F(); }
  F last() const { return F(); }
  F not_last() const { return F(); }
  F constant(M31 v) const { return v; }
  void constrain(F) { ++count; }
  template <typename... V>
  void lookup(uint32_t, F, V...) {}
};

class TxCircuit final : public air::Evaluated<TxCircuit> {
 public:
  TxCircuit(const TxShape& shape, const std::vector<M31>& pub)
      : shape_(shape), layout_(shape), program_(program(shape)), pub_(pub), at_(shape) {
    if (pub.size() != at_.size || pub[0] != M31(uint32_t(shape.kind)))
      throw BadInput("vm31 circuit: " + std::to_string(pub.size()) + " public inputs do not fit the transaction shape");
    // The public amount's limbs enter limb sums taken as integers: their range is part of the statement.
    if (pub[at_.asset + 1].v >> kLimbBits || pub[at_.asset + 2].v >> kHighLimbBits)
      throw BadInput("vm31 circuit: the public amount's limbs are out of range");
    CountEval c;
    eval(c);
    constraints_ = c.count;
  }
  std::string name() const override {
    return std::string("vm31_") + kind_name(shape_.kind) + "_" + std::to_string(shape_.inputs) + "in";
  }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return layout_.log_size; }
  size_t main_columns() const override { return layout_.columns; }
  size_t lookups() const override { return 0; }
  size_t constraints() const override { return constraints_; }
  unsigned degree() const override { return 5; }
  std::vector<M31> public_inputs() const override { return pub_; }

  template <class E>
  void eval(E& e) const {
    using F = typename E::F;
    const Layout& L = layout_;
    auto cur = [&](size_t c) { return e.main(c, Row::Cur); };
    auto nxt = [&](size_t c) { return e.main(c, Row::Next); };
    auto k = [&](uint32_t v) { return e.constant(M31(v)); };
    auto pub = [&](size_t i) { return e.constant(pub_[i]); };
    auto reg = [&](size_t r) { return cur(L.regs0 + r); };
    auto flag = [&](size_t j) { return cur(L.flag0 + j); };
    auto out = [&](size_t i) { return cur(Layout::kOut + i); };

    constrain_permutation(e);

    // The program counter: flag 0 on row 0, shifted one row down per row.
    e.constrain((flag(0) - k(1)) * e.first());
    for (size_t j = 1; j < L.steps; ++j) e.constrain(flag(j) * e.first());
    e.constrain(nxt(L.flag0) * e.not_last());
    for (size_t j = 1; j < L.steps; ++j) e.constrain((nxt(L.flag0 + j) - flag(j - 1)) * e.not_last());
    for (size_t r = 0; r < kRegisters; ++r) e.constrain((nxt(L.regs0 + r) - reg(r)) * e.not_last());

    // Each row's input is its step's, zero after the program: row j sets row j + 1's input from its
    // own output; the first step reads registers only.
    const EvalView<E> view{e, L.regs0, L.sib0};
    std::array<F, kWidth> expected{};
    for (size_t j = 0; j + 1 < L.steps; ++j) {
      const auto x = step_input(program_[j + 1], view);
      for (size_t i = 0; i < kWidth; ++i) expected[i] = expected[i] + flag(j) * x[i];
    }
    const auto start = step_input(program_[0], view);
    for (size_t i = 0; i < kWidth; ++i) {
      e.constrain((nxt(Layout::kIn + i) - expected[i]) * e.not_last());
      e.constrain((cur(Layout::kIn + i) - start[i]) * e.first());
    }

    // Sibling columns are zero off the Merkle rows.
    F on_path{};
    for (size_t j = 0; j < L.steps; ++j)
      if (program_[j].op == Op::path) on_path = on_path + flag(j);
    for (size_t m = 0; m < 8; ++m) e.constrain(cur(L.sib0 + m) * (k(1) - on_path));

    // What each step's output must be.
    for (size_t j = 0; j < L.steps; ++j) {
      const Step& st = program_[j];
      const F f = flag(j);
      if (st.op == Op::public_key || st.op == Op::nullifier_key)
        for (size_t m = 0; m < 4; ++m) e.constrain(f * (reg((st.op == Op::public_key ? kPk : kNk) + m) - out(m)));
      if (st.op == Op::commit2 && st.slot < 2)
        for (size_t m = 0; m < 8; ++m) e.constrain(f * (reg(kCmIn + 8 * st.slot + m) - out(m)));
      if (st.op == Op::commit2 && st.slot >= 2)
        for (size_t m = 0; m < 8; ++m) e.constrain(f * (out(m) - pub(at_.commitments + 8 * (st.slot - 2) + m)));
      if (st.op == Op::path && st.level == kTreeDepth - 1)
        for (size_t m = 0; m < 8; ++m) e.constrain(f * (out(m) + k(node_offset()[m].v) - pub(at_.root + m)));
      if (st.op == Op::nullify2)
        for (size_t m = 0; m < 8; ++m) e.constrain(f * (out(m) - pub(at_.nullifiers + 8 * st.slot + m)));
    }

    // Range checks: program row j decomposes register ranges[j] into bits.
    F sum{}, value{};
    for (size_t b = 0; b < kRangeBits; ++b) {
      const F bit = cur(L.bits0 + b);
      e.constrain(bit * (bit - k(1)));
      sum = sum + bit * k(1u << b);
    }
    for (size_t j = 0; j < L.ranges.size(); ++j) value = value + flag(j) * reg(L.ranges[j].first);
    e.constrain(sum - value);
    for (size_t j = 0; j < L.ranges.size(); ++j)
      for (size_t b = L.ranges[j].second; b < kRangeBits; ++b) e.constrain(flag(j) * cur(L.bits0 + b));

    // The statement: path bits, one asset, and the balance.
    for (size_t i = 0; i < shape_.inputs; ++i)
      for (size_t d = 0; d < kTreeDepth; ++d) {
        const F b = reg(kBits + kTreeDepth * i + d);
        e.constrain(b * (b - k(1)));
      }
    const F asset = pub(at_.asset), pub_lo = pub(at_.asset + 1), pub_hi = pub(at_.asset + 2);
    for (size_t i = 0; i < shape_.inputs; ++i) e.constrain(reg(slot_reg(i, kAsset)) - asset);
    for (size_t o = 0; o < shape_.outputs(); ++o) e.constrain(reg(slot_reg(2 + o, kAsset)) - asset);
    if (shape_.kind == TxKind::deposit) {
      e.constrain(reg(slot_reg(2, kLo)) - pub_lo);
      e.constrain(reg(slot_reg(2, kHi)) - pub_hi);
      return;
    }
    const F two30 = k(1u << kLimbBits);
    F in_lo{}, in_hi{};
    for (size_t i = 0; i < shape_.inputs; ++i) in_lo = in_lo + reg(slot_reg(i, kLo)), in_hi = in_hi + reg(slot_reg(i, kHi));
    for (size_t c : {kCarryIn, kCarryOut, kCarryW}) e.constrain(reg(c) * (reg(c) - k(1)));
    // Σ in = S (lo limb S_lo, carry c); out0 + W = S (carry d); W = out1 + fee (carry e) or W = amount out.
    e.constrain(in_lo - reg(kSumLo) - reg(kCarryIn) * two30);
    e.constrain(reg(slot_reg(2, kLo)) + reg(kWLo) - reg(kSumLo) - reg(kCarryOut) * two30);
    e.constrain(in_hi + reg(kCarryIn) - reg(slot_reg(2, kHi)) - reg(kWHi) - reg(kCarryOut));
    if (shape_.kind == TxKind::transfer) {
      e.constrain(reg(slot_reg(3, kLo)) + pub_lo - reg(kWLo) - reg(kCarryW) * two30);
      e.constrain(reg(kWHi) - reg(slot_reg(3, kHi)) - pub_hi - reg(kCarryW));
    } else {
      e.constrain(reg(kWLo) - pub_lo);
      e.constrain(reg(kWHi) - pub_hi);
    }
  }

  const Layout& layout() const { return layout_; }
  const std::vector<Step>& steps() const { return program_; }

 private:
  TxShape shape_;
  Layout layout_;
  std::vector<Step> program_;
  std::vector<M31> pub_;
  PublicLayout at_;
  size_t constraints_ = 0;
};

// The registers of a transaction.
std::vector<M31> registers(const Transaction& tx) {
  std::vector<M31> r(kRegisters);
  auto put = [&](size_t at, std::span<const M31> x) { std::copy(x.begin(), x.end(), r.begin() + at); };
  put(kSk, tx.spending_key);
  if (tx.kind != TxKind::deposit) put(kPk, public_key(tx.spending_key)), put(kNk, nullifier_key(tx.spending_key));
  auto put_note = [&](size_t slot, const Note& n) {
    if (slot >= 2) put(slot_reg(slot, kOwner), n.owner);
    r[slot_reg(slot, kAsset)] = n.asset, r[slot_reg(slot, kLo)] = n.amount_lo, r[slot_reg(slot, kHi)] = n.amount_hi;
    put(slot_reg(slot, kBlind), n.blinding);
  };
  for (size_t i = 0; i < tx.inputs.size(); ++i) {
    put_note(i, tx.inputs[i]);
    put(kCmIn + 8 * i, commitment(tx.inputs[i]));
    for (size_t d = 0; d < kTreeDepth; ++d) r[kBits + kTreeDepth * i + d] = M31(uint32_t(tx.paths[i].index >> d) & 1);
  }
  for (size_t k = 0; k < tx.output_notes.size(); ++k) put_note(2 + k, tx.output_notes[k]);
  if (tx.kind == TxKind::deposit) return r;
  const uint32_t mask = (1u << kLimbBits) - 1;
  const auto pub = amount_limbs(tx.public_amount);
  uint32_t in_lo = 0;
  for (const auto& n : tx.inputs) in_lo += n.amount_lo.v;
  r[kSumLo] = M31(in_lo & mask), r[kCarryIn] = M31(in_lo >> kLimbBits);
  uint32_t w_lo = pub[0].v, w_hi = pub[1].v;
  if (tx.kind == TxKind::transfer) {
    const Note& second = tx.output_notes[1];
    w_lo = second.amount_lo.v + pub[0].v;
    r[kCarryW] = M31(w_lo >> kLimbBits);
    w_lo &= mask;
    w_hi = second.amount_hi.v + pub[1].v + r[kCarryW].v;
  }
  r[kWLo] = M31(w_lo), r[kWHi] = M31(w_hi);
  r[kCarryOut] = M31((tx.output_notes[0].amount_lo.v + w_lo) >> kLimbBits);
  return r;
}

struct TraceView {
  using F = M31;
  const std::vector<M31>& regs;
  const poseidon2::State& prev_out;
  const Digest& sibling;
  F reg(size_t r) const { return regs[r]; }
  F prev(size_t i) const { return prev_out[i]; }
  F sib(size_t m) const { return sibling[m]; }
  F k(uint32_t v) const { return M31(v); }
  const Digest& node_offset() const { return vm31::node_offset(); }
};

// ---- a batch of deposits ----

// Columns after the permutation's: the phase flags, the deposit's note, the batch sponge's capacity.
struct BatchLayout {
  static constexpr size_t kPhases = 4;
  static constexpr size_t kFlag0 = Layout::kOut + kWidth, kNote0 = kFlag0 + kPhases, kCap0 = kNote0 + 11;
  static constexpr size_t kColumns = kCap0 + 8;
  // Note columns: owner[4], asset, lo, hi, blinding[4] (the commitment's message order).
  static constexpr size_t kAsset = 4, kLo = 5, kHi = 6, kBlind = 7;
};

// The public values a batch absorbs per deposit: commitment, asset, amount limbs, zero padding.
std::array<M31, 16> batch_block(const Digest& commitment, M31 asset, M31 lo, M31 hi) {
  std::array<M31, 16> b{};
  std::copy(commitment.begin(), commitment.end(), b.begin());
  b[8] = asset, b[9] = lo, b[10] = hi;
  return b;
}

unsigned batch_log_size(size_t deposits) {
  unsigned n = 3;
  while ((size_t(1) << n) < BatchLayout::kPhases * deposits) ++n;
  return n;
}

// A deposit's public_inputs(): kind, commitment (8), memo hash (8), asset, amount lo, hi.
constexpr size_t kDepositInputs = 20;

class DepositBatchCircuit final : public air::Evaluated<DepositBatchCircuit> {
 public:
  // From the public inputs: the count, then each deposit's public_inputs() (kind, commitment, memo
  // hash, asset, amount limbs: kDepositInputs elements).
  explicit DepositBatchCircuit(std::vector<M31> pub) : pub_(std::move(pub)) {
    if (pub_.empty() || pub_[0].v == 0 || (pub_.size() - 1) % kDepositInputs != 0 ||
        (pub_.size() - 1) / kDepositInputs != pub_[0].v)
      throw BadInput("vm31 deposit batch: " + std::to_string(pub_.size()) + " public inputs are not a count and that many deposits");
    const size_t count = pub_[0].v;
    log_size_ = batch_log_size(count);
    std::vector<M31> message;
    const Digest padding = commitment(Note{});
    const size_t slots = (size_t(1) << log_size_) / BatchLayout::kPhases;
    for (size_t d = 0; d < slots; ++d) {
      std::array<M31, 16> block = batch_block(padding, M31(), M31(), M31());
      if (d < count) {
        const M31* p = pub_.data() + 1 + kDepositInputs * d;
        if (p[0] != M31(uint32_t(TxKind::deposit))) throw BadInput("vm31 deposit batch: entry " + std::to_string(d) + " is not a deposit");
        // The circuit takes the limbs as given: their range is checked here.
        if (p[18].v >> kLimbBits || p[19].v >> kHighLimbBits)
          throw BadInput("vm31 deposit batch: the amount of deposit " + std::to_string(d) + " is out of range");
        Digest cm;
        std::copy(p + 1, p + 9, cm.begin());
        block = batch_block(cm, p[17], p[18], p[19]);
      }
      message.insert(message.end(), block.begin(), block.end());
    }
    digest_ = poseidon2::hash(tag::kDepositBatch, message);
    capacity0_ = {tag::kDepositBatch, M31(uint32_t(message.size()))};
    CountEval c;
    eval(c);
    constraints_ = c.count;
  }
  std::string name() const override { return "vm31_deposit_batch"; }
  uint32_t version() const override { return 1; }
  unsigned log_size() const override { return log_size_; }
  size_t main_columns() const override { return BatchLayout::kColumns; }
  size_t lookups() const override { return 0; }
  size_t constraints() const override { return constraints_; }
  unsigned degree() const override { return 5; }
  std::vector<M31> public_inputs() const override { return pub_; }
  const std::array<M31, 8>& initial_capacity() const { return capacity0_; }

  template <class E>
  void eval(E& e) const {
    using F = typename E::F;
    using B = BatchLayout;
    auto cur = [&](size_t c) { return e.main(c, Row::Cur); };
    auto nxt = [&](size_t c) { return e.main(c, Row::Next); };
    auto k = [&](M31 v) { return e.constant(v); };
    auto flag = [&](size_t j) { return cur(B::kFlag0 + j); };
    auto note = [&](size_t j) { return cur(B::kNote0 + j); };
    auto cap = [&](size_t j) { return cur(B::kCap0 + j); };
    auto out = [&](size_t i) { return cur(Layout::kOut + i); };
    auto in = [&](size_t i) { return cur(Layout::kIn + i); };
    auto next_in = [&](size_t i) { return nxt(Layout::kIn + i); };
    const F one = k(M31::one()), last_phase = flag(B::kPhases - 1), within = one - last_phase;

    constrain_permutation(e);
    // Phases 0, 1, 2, 3 in turn from row 0 (the row count is a multiple of 4: the last row is a phase 3).
    e.constrain((flag(0) - one) * e.first());
    for (size_t j = 1; j < B::kPhases; ++j) e.constrain(flag(j) * e.first());
    for (size_t j = 0; j < B::kPhases; ++j) e.constrain((nxt(B::kFlag0 + (j + 1) % B::kPhases) - flag(j)) * e.not_last());
    // The note and the sponge's capacity hold over a deposit's rows; after phase 3 the capacity is its output's.
    for (size_t j = 0; j < 11; ++j) e.constrain((nxt(B::kNote0 + j) - note(j)) * within * e.not_last());
    for (size_t j = 0; j < 8; ++j) {
      e.constrain((cap(j) - k(capacity0_[j])) * e.first());
      e.constrain((nxt(B::kCap0 + j) - cap(j)) * within * e.not_last());
      e.constrain((nxt(B::kCap0 + j) - out(8 + j)) * last_phase * e.not_last());
    }
    // Phase 0: the commitment's first block (owner, asset, lo, hi, blinding[0]; tag, length 11).
    for (size_t i = 0; i < kWidth; ++i) {
      const F x = i < 8 ? note(i) : i == 8 ? k(tag::kCommitment) : i == 9 ? k(M31(11)) : F{};
      e.constrain(flag(0) * (in(i) - x));
    }
    // The next row's input: phase 1 the commitment's second block, phase 2 the commitment into the
    // batch sponge, phase 3 the public (asset, lo, hi).
    for (size_t i = 0; i < kWidth; ++i) {
      const F second = i < 3 ? note(B::kBlind + 1 + i) : i < 8 ? F{} : out(i);
      const F absorb_commitment = i < 8 ? out(i) : cap(i - 8);
      const F absorb_amount = i < 3 ? note(B::kAsset + i) : i < 8 ? F{} : out(i);
      e.constrain(flag(0) * (next_in(i) - second));
      e.constrain(flag(1) * (next_in(i) - absorb_commitment));
      e.constrain(flag(2) * (next_in(i) - absorb_amount));
    }
    // The batch's digest on the last row.
    for (size_t i = 0; i < 8; ++i) e.constrain((out(i) - k(digest_[i])) * e.last());
  }

 private:
  unsigned log_size_;
  std::vector<M31> pub_;
  Digest digest_{};
  std::array<M31, 8> capacity0_{};
  size_t constraints_ = 0;
};

}  // namespace

TxShape shape_of(const Transaction& tx) { return {tx.kind, tx.nullifiers.size()}; }

std::shared_ptr<const air::Component> tx_circuit(const TxShape& shape, const std::vector<M31>& public_inputs) {
  if (shape.kind == TxKind::deposit ? shape.inputs != 0 : shape.inputs < 1 || shape.inputs > 2)
    throw BadInput("vm31 circuit: a transaction shape with " + std::to_string(shape.inputs) + " inputs");
  return std::make_shared<TxCircuit>(shape, public_inputs);
}

air::Columns tx_trace(const Transaction& tx) {
  check_statement(tx);
  const auto circuit = std::static_pointer_cast<const TxCircuit>(tx_circuit(shape_of(tx), public_inputs(tx)));
  const Layout& L = circuit->layout();
  const auto& prog = circuit->steps();
  const std::vector<M31> regs = registers(tx);
  const size_t rows = size_t(1) << L.log_size;
  air::Columns cols(L.columns, std::vector<M31>(rows));
  poseidon2::State prev{};
  for (size_t row = 0; row < rows; ++row) {
    Digest sib{};
    if (row < L.steps && prog[row].op == Op::path) sib = tx.paths[prog[row].slot].siblings[prog[row].level];
    poseidon2::State in{};
    if (row < L.steps) {
      const auto x = step_input(prog[row], TraceView{regs, prev, sib});
      std::copy(x.begin(), x.end(), in.begin());
    }
    const poseidon2::State out = fill_permutation(cols, row, in);
    if (row < L.steps) cols[L.flag0 + row][row] = M31::one();
    for (size_t r = 0; r < kRegisters; ++r) cols[L.regs0 + r][row] = regs[r];
    for (size_t m = 0; m < 8; ++m) cols[L.sib0 + m][row] = sib[m];
    if (row < L.ranges.size())
      for (size_t b = 0; b < kRangeBits; ++b) cols[L.bits0 + b][row] = M31((regs[L.ranges[row].first].v >> b) & 1);
    prev = out;
  }
  return cols;
}

std::shared_ptr<const air::Component> deposit_batch_circuit(const std::vector<Transaction>& deposits) {
  if (deposits.empty()) throw BadInput("vm31 deposit batch: no deposits");
  std::vector<M31> pub{M31(uint32_t(deposits.size()))};
  for (size_t d = 0; d < deposits.size(); ++d) {
    const Transaction& tx = deposits[d];
    if (tx.kind != TxKind::deposit || tx.outputs.size() != 1)
      throw BadInput("vm31 deposit batch: transaction " + std::to_string(d) + " is not a deposit");
    const auto p = public_inputs(tx);  // amount limbs range-checked
    if (p.size() != kDepositInputs) throw BadInput("vm31 deposit batch: a deposit with " + std::to_string(p.size()) + " public inputs");
    pub.insert(pub.end(), p.begin(), p.end());
  }
  return std::make_shared<DepositBatchCircuit>(std::move(pub));
}

void register_circuits() {
  for (const TxKind kind : {TxKind::deposit, TxKind::transfer, TxKind::withdraw})
    for (size_t inputs = kind == TxKind::deposit ? 0 : 1; inputs <= (kind == TxKind::deposit ? 0 : 2); ++inputs) {
      const TxShape shape{kind, inputs};
      air::register_component(std::string("vm31_") + kind_name(kind) + "_" + std::to_string(inputs) + "in",
                              [shape](unsigned log_size, std::span<const M31> pub) {
                                auto c = tx_circuit(shape, {pub.begin(), pub.end()});
                                if (c->log_size() != log_size)
                                  throw BadInput(c->name() + " has 2^" + std::to_string(c->log_size()) + " rows, not 2^" +
                                                 std::to_string(log_size));
                                return c;
                              });
    }
  air::register_component("vm31_deposit_batch", [](unsigned log_size, std::span<const M31> pub) {
    auto c = std::make_shared<const DepositBatchCircuit>(std::vector<M31>(pub.begin(), pub.end()));
    if (c->log_size() != log_size)
      throw BadInput("vm31_deposit_batch of " + std::to_string(pub.empty() ? 0 : pub[0].v) + " deposits has 2^" +
                     std::to_string(c->log_size()) + " rows, not 2^" + std::to_string(log_size));
    return std::shared_ptr<const air::Component>(c);
  });
}

air::Columns deposit_batch_trace(const std::vector<Transaction>& deposits) {
  using B = BatchLayout;
  for (const Transaction& tx : deposits) check_statement(tx);
  const auto circuit = std::static_pointer_cast<const DepositBatchCircuit>(deposit_batch_circuit(deposits));
  const size_t rows = size_t(1) << circuit->log_size();
  air::Columns cols(B::kColumns, std::vector<M31>(rows));
  std::array<M31, 8> capacity = circuit->initial_capacity();
  const Note padding{};
  for (size_t d = 0; d < rows / B::kPhases; ++d) {
    const Note& n = d < deposits.size() ? deposits[d].output_notes[0] : padding;
    const std::array<M31, 11> message{n.owner[0], n.owner[1], n.owner[2], n.owner[3], n.asset, n.amount_lo, n.amount_hi,
                                      n.blinding[0], n.blinding[1], n.blinding[2], n.blinding[3]};
    poseidon2::State in{};
    std::copy(message.begin(), message.begin() + 8, in.begin());
    in[8] = tag::kCommitment, in[9] = M31(11);
    poseidon2::State out{};
    for (size_t phase = 0; phase < B::kPhases; ++phase) {
      const size_t row = B::kPhases * d + phase;
      if (phase == 1) {  // the commitment's second block (overwrite mode: the capacity carries on)
        in = out;
        for (size_t i = 0; i < 8; ++i) in[i] = i < 3 ? message[8 + i] : M31();
      } else if (phase == 2) {  // the commitment into the batch sponge
        in = out;
        std::copy(capacity.begin(), capacity.end(), in.begin() + 8);
      } else if (phase == 3) {
        in = out;
        for (size_t i = 0; i < 8; ++i) in[i] = i < 3 ? message[B::kAsset + i] : M31();
      }
      out = fill_permutation(cols, row, in);
      cols[B::kFlag0 + phase][row] = M31::one();
      for (size_t j = 0; j < 11; ++j) cols[B::kNote0 + j][row] = message[j];
      for (size_t j = 0; j < 8; ++j) cols[B::kCap0 + j][row] = capacity[j];
    }
    std::copy(out.begin() + 8, out.end(), capacity.begin());
  }
  return cols;
}

}  // namespace zkm31::vm31
