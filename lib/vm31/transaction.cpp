#include "vm31/transaction.hpp"

#include <algorithm>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "starknet/felt.hpp"
#include "vm31/sodium.hpp"

namespace zkm31::vm31 {
namespace {

constexpr std::string_view kKind = "vm31-tx";

// A Starknet address as 9 limbs of 28 bits (252 bits ≥ the felt prime's 252).
std::array<M31, 9> felt_limbs(const std::string& text, const std::string& what) {
  starknet::U256 v = starknet::Felt::parse(text, what).value();
  std::array<M31, 9> limbs;
  for (size_t i = 0; i < limbs.size(); ++i) limbs[i] = M31(uint32_t(starknet::shr(v, unsigned(28 * i)).w[0] & 0xfffffff));
  return limbs;
}

void append(std::vector<M31>& out, std::span<const M31> x) { out.insert(out.end(), x.begin(), x.end()); }

struct Shape {
  size_t min_inputs, max_inputs, outputs;
  bool counterparty;
};

Shape shape_of(TxKind k) {
  switch (k) {
    case TxKind::deposit: return {0, 0, 1, false};
    case TxKind::transfer: return {1, 2, 2, true};
    case TxKind::withdraw: return {1, 2, 1, true};
  }
  throw BadInput("unknown transaction kind");
}

// The sender's unspent notes of one asset that pay `need`: the smallest single note that covers it,
// else the two largest notes.
std::vector<OwnedNote> select_notes(const Key& spending, const PoolState& pool, uint64_t asset, uint64_t need) {
  std::vector<OwnedNote> mine;
  for (auto& n : scan(pool, viewing_keys(spending)))
    if (!n.spent && n.note.asset.v == asset) mine.push_back(n);
  std::sort(mine.begin(), mine.end(), [](const OwnedNote& a, const OwnedNote& b) { return a.note.amount() < b.note.amount(); });
  for (const auto& n : mine)
    if (n.note.amount() >= need) return {n};
  if (mine.size() >= 2 && mine[mine.size() - 1].note.amount() + mine[mine.size() - 2].note.amount() >= need)
    return {mine[mine.size() - 2], mine[mine.size() - 1]};
  uint64_t total = 0;
  for (const auto& n : mine) total += n.note.amount();
  throw BadInput("insufficient funds: " + std::to_string(mine.size()) + " unspent notes of asset " + std::to_string(asset) +
                 " hold " + std::to_string(total) + ", need " + std::to_string(need) +
                 (mine.size() > 2 ? " from at most two notes (a transaction spends at most two)" : ""));
}

// Fills inputs, paths, nullifiers and root from the selected notes.
void spend(Transaction& tx, const Key& spending, const PoolState& pool, const std::vector<OwnedNote>& notes) {
  tx.spending_key = spending;
  tx.root = pool.tree().root();
  for (const auto& n : notes) {
    tx.inputs.push_back(n.note);
    tx.paths.push_back(pool.tree().path(n.leaf));
    tx.nullifiers.push_back(n.nullifier);
  }
}

void add_output(Transaction& tx, const Address& to, uint64_t asset, uint64_t amount) {
  Note note = make_note(to.owner, asset, amount);
  Digest cm = commitment(note);
  tx.output_notes.push_back(note);
  tx.outputs.push_back({cm, encrypt_memo(note, to.encryption, cm)});
}

uint64_t input_total(const std::vector<OwnedNote>& notes) {
  uint64_t total = 0;
  for (const auto& n : notes) total += n.note.amount();
  return total;
}

// A transfer or a withdrawal: notes that pay sent + public_amount, a note of `sent` to `to` (if
// any), the change back to the sender.
Transaction spend_notes(TxKind kind, const Key& spending, const PoolState& pool, uint64_t asset, const Address* to,
                        uint64_t sent, uint64_t public_amount, const std::string& counterparty) {
  amount_limbs(sent), amount_limbs(public_amount);
  Transaction tx;
  tx.kind = kind;
  auto notes = select_notes(spending, pool, asset, sent + public_amount);
  spend(tx, spending, pool, notes);
  if (to) add_output(tx, *to, asset, sent);
  add_output(tx, address_of(spending), asset, input_total(notes) - sent - public_amount);
  tx.public_asset = M31(uint32_t(asset));
  tx.public_amount = public_amount;
  tx.counterparty = counterparty;
  check_statement(tx);
  check_pool_rules(tx, pool);
  return tx;
}


template <size_t N>
std::vector<M31> flat(const std::vector<std::array<M31, N>>& xs) {
  std::vector<M31> out;
  for (const auto& x : xs) append(out, x);
  return out;
}

// n digests (or keys) of N elements from a flat list, BadInput unless the length fits.
template <size_t N>
std::vector<std::array<M31, N>> chunks(const std::vector<M31>& flat, size_t n, const std::string& what) {
  if (flat.size() != n * N) throw BadInput(what + " has " + std::to_string(flat.size()) + " elements, expected " + std::to_string(n * N));
  std::vector<std::array<M31, N>> out(n);
  for (size_t i = 0; i < n; ++i) std::copy(flat.begin() + i * N, flat.begin() + (i + 1) * N, out[i].begin());
  return out;
}

std::vector<Note> notes_from(std::span<const uint8_t> bytes, const std::string& what) {
  if (bytes.size() % kNoteBytes) throw BadInput("vm31-tx: " + what + " is not a whole number of notes");
  std::vector<Note> out;
  for (size_t at = 0; at < bytes.size(); at += kNoteBytes) out.push_back(note_from_bytes(bytes.data() + at));
  return out;
}

}  // namespace

const char* kind_name(TxKind k) { return k == TxKind::deposit ? "deposit" : k == TxKind::transfer ? "transfer" : "withdraw"; }

std::vector<M31> public_inputs(const Transaction& tx) {
  std::vector<M31> out = {M31(uint32_t(tx.kind))};
  if (tx.kind != TxKind::deposit) append(out, tx.root);
  for (const auto& nf : tx.nullifiers) append(out, nf);
  for (const auto& o : tx.outputs) append(out, o.commitment);
  for (const auto& o : tx.outputs) append(out, memo_hash(o.memo));
  out.push_back(tx.public_asset);
  append(out, amount_limbs(tx.public_amount));
  if (!tx.counterparty.empty()) append(out, felt_limbs(tx.counterparty, "counterparty"));
  return out;
}

void check_statement(const Transaction& tx) {
  const Shape shape = shape_of(tx.kind);
  const std::string kind = kind_name(tx.kind);
  if (tx.inputs.size() < shape.min_inputs || tx.inputs.size() > shape.max_inputs || tx.paths.size() != tx.inputs.size() ||
      tx.nullifiers.size() != tx.inputs.size())
    throw BadInput(kind + ": wrong number of inputs, paths or nullifiers");
  if (tx.outputs.size() != shape.outputs || tx.output_notes.size() != shape.outputs)
    throw BadInput(kind + ": wrong number of outputs");
  if (shape.counterparty != !tx.counterparty.empty()) throw BadInput(kind + ": counterparty address missing or unexpected");
  if (!tx.counterparty.empty()) felt_limbs(tx.counterparty, kind + " counterparty address");
  amount_limbs(tx.public_amount);
  if (tx.kind != TxKind::transfer && tx.public_amount == 0) throw BadInput(kind + ": the public amount is zero");

  // One asset per transaction (the public one): the circuit checks every note against it.
  __int128 net = tx.kind == TxKind::deposit ? __int128(tx.public_amount) : -__int128(tx.public_amount);
  const Key owner = public_key(tx.spending_key), nk = nullifier_key(tx.spending_key);
  for (size_t i = 0; i < tx.inputs.size(); ++i) {
    const Note& in = tx.inputs[i];
    check_limbs(in);
    std::string which = kind + ": input " + std::to_string(i);
    if (in.asset != tx.public_asset) throw BadInput(which + " is not of the transaction's asset");
    if (in.owner != owner) throw BadInput(which + " is not owned by the spending key");
    Digest cm = commitment(in);
    if (root_from_path(cm, tx.paths[i]) != tx.root) throw BadInput(which + " is not in the tree under the stated root (membership)");
    if (nullifier(nk, cm, tx.paths[i].index) != tx.nullifiers[i]) throw BadInput(which + ": nullifier does not match its note");
    for (size_t j = 0; j < i; ++j)
      if (tx.nullifiers[j] == tx.nullifiers[i]) throw BadInput(kind + ": one note spent twice");
    net += in.amount();
  }
  for (size_t k = 0; k < tx.outputs.size(); ++k) {
    const Note& out = tx.output_notes[k];
    std::string which = kind + ": output " + std::to_string(k);
    check_limbs(out);
    if (out.asset != tx.public_asset) throw BadInput(which + " is not of the transaction's asset");
    if (commitment(out) != tx.outputs[k].commitment) throw BadInput(which + " commitment does not match its note");
    net -= out.amount();
  }
  if (net != 0) throw BadInput(kind + ": unbalanced: inputs and outputs differ by " + std::to_string(int64_t(net)));
}

void check_pool_rules(const Transaction& tx, const PoolState& pool) {
  if (tx.kind != TxKind::deposit && !pool.is_recent_root(tx.root))
    throw BadInput(std::string(kind_name(tx.kind)) + ": the root is not among the pool's " + std::to_string(kRootWindow) +
                   " recent roots (stale root)");
  for (size_t i = 0; i < tx.nullifiers.size(); ++i) {
    if (pool.is_spent(tx.nullifiers[i])) throw BadInput(std::string(kind_name(tx.kind)) + ": nullifier already spent (double spend)");
    for (size_t j = 0; j < i; ++j)
      if (tx.nullifiers[j] == tx.nullifiers[i]) throw BadInput(std::string(kind_name(tx.kind)) + ": one nullifier twice (double spend)");
  }
}

PoolEntry pool_entry(const Transaction& tx) { return {tx.kind, tx.nullifiers, tx.outputs}; }

Transaction build_deposit(const Address& to, uint64_t asset, uint64_t amount) {
  Transaction tx;
  tx.kind = TxKind::deposit;
  if (amount == 0) throw BadInput("deposit: the amount is zero");
  add_output(tx, to, asset, amount);
  tx.public_asset = M31(uint32_t(asset));
  tx.public_amount = amount;
  check_statement(tx);
  return tx;
}

Transaction build_transfer(const Key& spending, const PoolState& pool, const Address& to, uint64_t asset, uint64_t amount,
                           uint64_t fee, const std::string& relayer) {
  if (amount == 0) throw BadInput("transfer: the amount is zero");
  return spend_notes(TxKind::transfer, spending, pool, asset, &to, amount, fee, relayer);
}

Transaction build_withdraw(const Key& spending, const PoolState& pool, uint64_t asset, uint64_t amount,
                           const std::string& recipient) {
  return spend_notes(TxKind::withdraw, spending, pool, asset, nullptr, 0, amount, recipient);
}

void write_public(artifact::BodyWriter& b, const Transaction& tx) {
  std::vector<Digest> commitments;
  std::vector<uint8_t> memos;
  for (const auto& o : tx.outputs) {
    commitments.push_back(o.commitment);
    memos.insert(memos.end(), o.memo.begin(), o.memo.end());
  }
  b.key("kind"), b.pk.pack(uint64_t(tx.kind));
  b.key("root"), b.m31s(tx.root);
  b.key("nullifiers"), b.m31s(flat(tx.nullifiers));
  b.key("commitments"), b.m31s(flat(commitments));
  b.key("memos"), b.bin(memos);
  b.key("public_asset"), b.pk.pack(uint64_t(tx.public_asset.v));
  b.key("public_amount"), b.pk.pack(tx.public_amount);
  b.key("counterparty"), b.pk.pack(tx.counterparty);
}

Transaction read_public(const artifact::MapView& m) {
  const std::string& what = m.where();
  Transaction tx;
  uint64_t kind = m.u64("kind");
  if (kind < 1 || kind > 3) throw BadInput(what + ": unknown transaction kind " + std::to_string(kind));
  tx.kind = TxKind(kind);
  tx.root = chunks<8>(m.m31s("root"), 1, what + " root")[0];
  // A deposit proves no membership: its root field is not a public input of its proof, so it must be
  // empty (zeros) rather than bytes the proof does not bind.
  if (tx.kind == TxKind::deposit && tx.root != Digest{}) throw BadInput(what + ": a deposit's root must be zero");
  const std::vector<M31> nullifiers = m.m31s("nullifiers");
  if (nullifiers.size() % 8 || nullifiers.size() > 16) throw BadInput(what + ": nullifiers are not 0–2 digests");
  tx.nullifiers = chunks<8>(nullifiers, nullifiers.size() / 8, what + " nullifiers");
  std::span<const uint8_t> memos = m.bin("memos");
  if (memos.size() % kMemoBytes || memos.size() / kMemoBytes > 2) throw BadInput(what + ": memos are not 0–2 whole memos");
  const size_t n_out = memos.size() / kMemoBytes;
  auto commitments = chunks<8>(m.m31s("commitments"), n_out, what + " commitments");
  for (size_t k = 0; k < n_out; ++k) {
    PoolOutput o{commitments[k], {}};
    std::copy(memos.begin() + k * kMemoBytes, memos.begin() + (k + 1) * kMemoBytes, o.memo.begin());
    tx.outputs.push_back(o);
  }
  uint64_t asset = m.u64("public_asset");
  if (asset >= kP) throw BadInput(what + ": public asset is not below p");
  tx.public_asset = M31(uint32_t(asset));
  tx.public_amount = m.u64("public_amount");
  tx.counterparty = m.str("counterparty");
  return tx;
}

std::vector<uint8_t> encode_transaction(const Transaction& tx) {
  std::vector<uint8_t> inputs, outputs;
  for (const auto& n : tx.inputs) {
    auto b = note_bytes(n);
    inputs.insert(inputs.end(), b.begin(), b.end());
  }
  for (const auto& n : tx.output_notes) {
    auto b = note_bytes(n);
    outputs.insert(outputs.end(), b.begin(), b.end());
  }
  std::vector<uint32_t> indices;
  std::vector<M31> siblings;
  for (const auto& p : tx.paths) {
    indices.push_back(uint32_t(p.index));
    for (const auto& s : p.siblings) append(siblings, s);
  }
  artifact::BodyWriter b(kPublicFields + 5);
  write_public(b, tx);
  b.key("spending_key"), b.m31s(tx.spending_key);
  b.key("inputs"), b.bin(inputs);
  b.key("path_indices"), b.u32s(indices);
  b.key("path_siblings"), b.m31s(siblings);
  b.key("output_notes"), b.bin(outputs);
  sodium_memzero(inputs.data(), inputs.size());
  sodium_memzero(outputs.data(), outputs.size());
  return artifact::wrap(kKind, kTxVersion, b.bytes());
}

Transaction decode_transaction(std::span<const uint8_t> bytes) {
  artifact::EnvelopeView env = artifact::unwrap_view(bytes, kKind, kTxVersion);
  auto handle = artifact::parse_body(env.body, "vm31-tx");
  artifact::MapView m(handle.get(), "vm31-tx");
  Transaction tx = read_public(m);
  tx.spending_key = chunks<4>(m.m31s("spending_key"), 1, "vm31-tx spending key")[0];
  tx.inputs = notes_from(m.bin("inputs"), "inputs");
  if (tx.inputs.size() != tx.nullifiers.size()) throw BadInput("vm31-tx: one nullifier per input expected");
  std::vector<uint32_t> indices = m.u32s("path_indices");
  if (indices.size() != tx.inputs.size()) throw BadInput("vm31-tx: one membership path per input expected");
  auto siblings = chunks<8>(m.m31s("path_siblings"), kTreeDepth * indices.size(), "vm31-tx path siblings");
  for (size_t i = 0; i < indices.size(); ++i) {
    MembershipPath p;
    p.index = indices[i];
    std::copy(siblings.begin() + i * kTreeDepth, siblings.begin() + (i + 1) * kTreeDepth, p.siblings.begin());
    tx.paths.push_back(p);
  }
  tx.output_notes = notes_from(m.bin("output_notes"), "output notes");
  if (tx.output_notes.size() != tx.outputs.size()) throw BadInput("vm31-tx: one note per output expected");
  return tx;
}

}  // namespace zkm31::vm31
