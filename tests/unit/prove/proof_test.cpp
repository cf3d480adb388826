// Whole proofs (prove → artifact → verify) on a small MLP: honest proofs verify and report the
// output; every lie of a dishonest prover, every re-encoded change to the statement (output, input,
// model commitment, graph digest, config) and 1000 random mutations are rejected.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "../gkr/mlp_fixture.hpp"
#include "edit.hpp"
#include "error/error.hpp"
#include "model/tables.hpp"
#include "prove/structure.hpp"

using namespace zkm31;
using test::fast, test::lenient, test::with_field, test::field_bytes, test::expect_rejected;

namespace {

const model::Trace& trace() {
  static const model::Trace t = fixture::forward(fixture::make_mlp(6, 8, 3, 31));
  return t;
}

const std::vector<uint8_t>& honest() {
  static const std::vector<uint8_t> p = prove::prove(trace(), fast());
  return p;
}

}  // namespace

TEST(Proof, HonestProofVerifiesAndReportsTheOutput) {
  prove::Verified v = prove::verify(honest(), lenient());
  const auto& t = trace();
  ASSERT_EQ(v.outputs.size(), 1u);
  for (size_t i = 0; i < v.outputs[0].size(); ++i) EXPECT_EQ(v.outputs[0][i], t.values[9][i].to_signed());
  EXPECT_EQ(v.graph_digest, model::graph_digest(t.graph));
  EXPECT_EQ(v.model_commitment, prove::model_commitment(t.graph, fast()));
  EXPECT_EQ(v.model_commitment, prove::model_commitment(v.graph_digest, v.weight_root));
  prove::VerifyOptions pinned = lenient();
  pinned.model_commitment = v.model_commitment;
  pinned.graph_digest = v.graph_digest;
  EXPECT_NO_THROW(prove::verify(honest(), pinned));
}

// Proving a trace handed over (its weight data dropped once the witness holds it) gives the same bytes.
TEST(Proof, ProvingAMovedTraceGivesTheSameProof) {
  model::Trace copy = trace();
  EXPECT_EQ(prove::prove(std::move(copy), fast()), honest());
}

TEST(Proof, ExpectedModelAndGraphArePinned) {
  prove::VerifyOptions o = lenient();
  o.model_commitment = hash::Digest{};
  EXPECT_THROW(prove::verify(honest(), o), Rejected);
  o = lenient();
  o.graph_digest = hash::Digest{};
  EXPECT_THROW(prove::verify(honest(), o), Rejected);
}

TEST(Proof, LyingProverRejected) {
  for (gkr::CheatMode c : {gkr::CheatMode::SkipLookup, gkr::CheatMode::AlterRound, gkr::CheatMode::ReuseChallenge,
                           gkr::CheatMode::WrongFinal, gkr::CheatMode::WrongRequant}) {
    prove::Options o = fast();
    o.cheat = c;
    expect_rejected(prove::prove(trace(), o), "cheat " + std::to_string(int(c)));
  }
  prove::Options o = fast();
  o.drop_opening = true;
  expect_rejected(prove::prove(trace(), o), "dropped opening");
  o = fast();
  o.commit_different = true;
  expect_rejected(prove::prove(trace(), o), "committed a different trace");
}

TEST(Proof, ChangedStatementRejected) {
  auto bump = [](std::vector<uint8_t> b, size_t at) {
    b.at(at) ^= 1;
    return b;
  };
  auto out = field_bytes(honest(), "public_output");
  expect_rejected(with_field(honest(), "public_output", [&](auto& w) { w.bin(bump(out, 0)); }), "output");
  auto in = field_bytes(honest(), "public_input");
  expect_rejected(with_field(honest(), "public_input", [&](auto& w) { w.bin(bump(in, 4)); }), "input");
  auto mc = field_bytes(honest(), "model_commitment");
  expect_rejected(with_field(honest(), "model_commitment", [&](auto& w) { w.bin(bump(mc, 3)); }), "model");
  auto root = field_bytes(honest(), "weight_root");
  expect_rejected(with_field(honest(), "weight_root", [&](auto& w) { w.bin(bump(root, 3)); }), "weight root");
  auto gd = field_bytes(honest(), "graph_digest");
  expect_rejected(with_field(honest(), "graph_digest", [&](auto& w) { w.bin(bump(gd, 7)); }), "graph digest");
  auto tr = field_bytes(honest(), "trace_commitment");
  expect_rejected(with_field(honest(), "trace_commitment", [&](auto& w) { w.bin(bump(tr, 0)); }), "trace root");
  // A config change (one more query) breaks the transcript; a config below the floor is refused.
  auto config = [&](uint32_t queries, uint32_t pow) {
    return with_field(honest(), "config", [&](artifact::BodyWriter& w) {
      const gkr::Config g;
      w.pk.pack_map(10);
      w.key("log_blowup"), w.pk.pack_uint32(1);
      w.key("queries"), w.pk.pack_uint32(queries);
      w.key("pow_bits"), w.pk.pack_uint32(pow);
      w.key("fold_step"), w.pk.pack_uint32(4);
      w.key("final_log"), w.pk.pack_uint32(6);
      w.key("first_fold"), w.pk.pack_uint32(6);
      w.key("range_bits"), w.pk.pack_uint32(g.range_bits);
      w.key("excess_bits"), w.pk.pack_uint32(g.excess_bits);
      w.key("wide_log"), w.pk.pack_uint32(g.wide_log);
      w.key("commit_log"), w.pk.pack_uint32(prove::kAutoMinCommitLog);  // the default for a small model
    });
  };
  EXPECT_NO_THROW(prove::verify(config(12, 0), lenient()));
  expect_rejected(config(13, 0), "config");
  EXPECT_THROW(prove::verify(honest(), prove::VerifyOptions{}), Rejected);  // 12 queries < 96-bit floor
}

// The model commitment names the architecture: a graph over the same weights with another requant
// multiplier, shift, table or activation has another commitment, and its honest proof is refused
// under the first one's pin alone (the review's hole: the weight root alone let it through).
TEST(Proof, ModelCommitmentPinsTheGraphNotOnlyTheWeights) {
  const model::Graph& g0 = trace().graph;
  prove::VerifyOptions pin = lenient();
  pin.model_commitment = prove::model_commitment(g0, fast());
  auto node_of = [](model::Graph& g, model::Op op) -> model::Node& {
    for (model::Node& n : g.nodes)
      if (n.op == op) return n;
    throw std::logic_error("no such node");
  };
  // ReLU swapped for a SiLU table over the same interval, with the table's input scale as given.
  auto silu = [&](model::Graph& g, int64_t in_shift) {
    for (model::Node& n : g.nodes) {
      if (n.op != model::Op::Relu) continue;
      const model::Tensor &x = g.tensors[n.inputs[0]], &y = g.tensors[n.outputs[0]];
      const std::vector<int64_t> params{1, in_shift, 1, 4};
      n.op = model::Op::Lookup;
      n.table = {"silu", params, x.lo, model::make_table("silu", params, x.lo, x.hi - x.lo + 1, y.lo, y.hi)};
      return;
    }
    throw std::logic_error("no relu");
  };
  std::vector<std::pair<std::string, std::function<void(model::Graph&)>>> edits = {
      {"multiplier", [&](model::Graph& g) { node_of(g, model::Op::Requant).mult.at(1) += 1; }},
      {"shift", [&](model::Graph& g) { node_of(g, model::Op::Requant).shift += 1; }},
      {"activation", [&](model::Graph& g) { silu(g, 4); }},
      {"table", [&](model::Graph& g) { silu(g, 5); }},
  };
  std::set<hash::Digest> seen{*pin.model_commitment};
  for (auto& [what, edit] : edits) {
    model::Graph g = g0;
    edit(g);
    EXPECT_NE(model::graph_digest(g), model::graph_digest(g0)) << what;
    EXPECT_TRUE(seen.insert(prove::model_commitment(g, fast())).second) << what << ": a model commitment seen before";
  }
  // The multiplier edit proven end to end: it verifies on its own, not under the original pin.
  fixture::Mlp m = fixture::make_mlp(6, 8, 3, 31);
  edits[0].second(m.g);
  const std::vector<uint8_t> other = prove::prove(fixture::forward(m), fast());
  const prove::Verified v = prove::verify(other, lenient());
  EXPECT_EQ(field_bytes(other, "weight_root"), field_bytes(honest(), "weight_root"));
  EXPECT_NE(v.model_commitment, *pin.model_commitment);
  try {
    prove::verify(other, pin);
    ADD_FAILURE() << "a proof of another graph over the same weights verified under the pin";
  } catch (const Rejected& e) {
    EXPECT_NE(std::string(e.what()).find("another model commitment"), std::string::npos) << e.what();
  }
}

// A model commitment that is not the hash of the proof's graph digest and weight root is refused even
// when the pin matches it.
TEST(Proof, ModelCommitmentMustBeTheHashOfGraphAndWeights) {
  const std::vector<uint8_t> forged = with_field(honest(), "model_commitment", [&](auto& w) { w.bin(hash::Digest{}); });
  prove::VerifyOptions pin = lenient();
  pin.model_commitment = hash::Digest{};
  EXPECT_THROW(prove::verify(forged, pin), Rejected);
}

// Provable bits: below the conjectured ones, and the floor applies to the bound it names.
TEST(Proof, SecurityReportsProvableAndConjecturedBits) {
  const prove::Verified v = prove::verify(honest(), lenient());
  EXPECT_GT(v.security.provable, 0);
  EXPECT_LT(v.security.provable, v.security.conjectured);
  EXPECT_GT(v.security.iop, 90);  // |QM31| ≈ 2^124 against a few thousand challenges and fractions
  prove::ProveReport rep;
  prove::prove(trace(), fast(), &rep);
  EXPECT_DOUBLE_EQ(rep.security.provable, v.security.provable);  // prover and verifier count alike
  prove::VerifyOptions o = lenient();
  o.floor_kind = prove::FloorKind::Provable;
  o.floor_bits = v.security.provable - 0.5;
  EXPECT_NO_THROW(prove::verify(honest(), o));
  o.floor_bits = v.security.provable + 0.5;
  EXPECT_THROW(prove::verify(honest(), o), Rejected);
  o.floor_kind = prove::FloorKind::Conjectured;  // the same floor on the conjectured bits passes
  EXPECT_NO_THROW(prove::verify(honest(), o));
}

TEST(Proof, OutputOutsideItsIntervalRejected) {
  auto out = field_bytes(honest(), "public_output");
  out[0] = 0x00, out[1] = 0x01, out[2] = 0x00, out[3] = 0x00;  // 256 > hi = 127
  expect_rejected(with_field(honest(), "public_output", [&](auto& w) { w.bin(out); }), "output range");
}

TEST(Proof, RandomMutationsNeverAccepted) {
  auto env = artifact::unwrap(honest(), "proof", prove::kProofVersion);
  std::mt19937 rng(5);
  int accepted = 0;
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint8_t> body = env.body;
    const int flips = 1 + int(rng() % 3);
    for (int f = 0; f < flips; ++f) body[rng() % body.size()] ^= uint8_t(1 + rng() % 255);
    try {
      prove::verify(artifact::wrap("proof", prove::kProofVersion, body), lenient());
      ++accepted;
    } catch (const Rejected&) {
    } catch (const BadInput&) {
    }
  }
  EXPECT_EQ(accepted, 0);
}

TEST(Proof, ShapeOfTheProofChecked) {
  // One weight root per chunk the graph implies (a bin of another length is malformed).
  auto roots = field_bytes(honest(), "weight_roots");
  roots.insert(roots.end(), roots.begin(), roots.end());
  EXPECT_THROW(prove::verify(with_field(honest(), "weight_roots", [&](auto& w) { w.bin(roots); }), lenient()), BadInput);
  // One opening per commitment, as the verifier's own ledger implies.
  auto env = artifact::unwrap(honest(), "proof", prove::kProofVersion);
  auto h = artifact::parse_body(env.body, "proof");
  auto openings = artifact::MapView(h.get(), "proof").array("trace_openings");
  expect_rejected(with_field(honest(), "trace_openings", [&](artifact::BodyWriter& w) {
                    w.pk.pack_array(2);
                    w.pk.pack(openings[0]);
                    w.pk.pack(openings[0]);
                  }),
                  "extra opening");
  expect_rejected(with_field(honest(), "model_openings", [&](artifact::BodyWriter& w) { w.pk.pack_array(0); }),
                  "missing opening");
  // Trailing stream data.
  auto stream = field_bytes(honest(), "stream");
  stream.insert(stream.end(), 16, 0);
  expect_rejected(with_field(honest(), "stream", [&](auto& w) { w.bin(stream); }), "extra stream data");
}

TEST(Proof, EmbeddedGraphCarriesNoWeights) {
  const auto& g = trace().graph;
  auto body = prove::graph_structure(g);
  model::Graph back = prove::parse_graph_structure(body);
  EXPECT_EQ(model::graph_digest(back), model::graph_digest(g));
  EXPECT_THROW(prove::parse_graph_structure(model::encode_graph_body(g)), BadInput);  // weights inside
  EXPECT_THROW(prove::verify(with_field(honest(), "graph", [&](auto& w) { w.bin(model::encode_graph_body(g)); }), lenient()),
               BadInput);
  EXPECT_THROW(prove::verify(with_field(honest(), "protocol", [](auto& w) { w.pk.pack(std::string("other")); }), lenient()),
               BadInput);
}

// The verifier takes a graph of several full chunks (Qwen3-14B's block has 330 M weights) and
// refuses one of more than 2^32 weights before any work.
TEST(Proof, EmbeddedGraphBoundedAtSixteenFullChunks) {
  auto parallel_matmuls = [](int n) {
    model::Graph g;
    const uint32_t x = fixture::add_tensor(g, "x", model::TensorKind::Input, {1, 16384}, -1, 1);
    g.inputs = {x};
    for (int i = 0; i < n; ++i) {
      const std::string k = std::to_string(i);
      const uint32_t w = fixture::add_tensor(g, "W" + k, model::TensorKind::Weight, {16384, 16384}, -1, 1);
      const uint32_t y = fixture::add_tensor(g, "y" + k, model::TensorKind::Activation, {1, 16384}, -16384, 16384);
      g.weights.push_back({w, {}, {}, {1.0}});
      model::Node mm;
      mm.op = model::Op::MatMul, mm.name = "mm" + k, mm.inputs = {x, w}, mm.outputs = {y}, mm.acc_bound = 16384;
      g.nodes.push_back(mm);
      g.outputs.push_back(y);
    }
    return prove::graph_structure(g);
  };
  EXPECT_EQ(prove::parse_graph_structure(parallel_matmuls(3)).weights.size(), 3u);  // 3·2^28 weights
  EXPECT_THROW(prove::parse_graph_structure(parallel_matmuls(17)), NotSupported);
}

// The default commit_log follows the largest vector: 2^26 for a small model, 2^27 with a weight of
// 2^27 entries (compiled only: no values needed), an explicit one as given.
TEST(Proof, DefaultCommitLogFollowsTheLargestVector) {
  auto with_weight = [](int64_t rows) {
    model::Graph g;
    const uint32_t x = fixture::add_tensor(g, "x", model::TensorKind::Input, {1, rows}, -1, 1);
    const uint32_t w = fixture::add_tensor(g, "W", model::TensorKind::Weight, {rows, 8192}, -1, 1);
    const uint32_t y = fixture::add_tensor(g, "y", model::TensorKind::Activation, {1, 8192}, -rows, rows);
    g.inputs = {x}, g.outputs = {y};
    g.weights.push_back({w, {}, {}, {1.0}});
    model::Node mm;
    mm.op = model::Op::MatMul, mm.name = "mm", mm.inputs = {x, w}, mm.outputs = {y}, mm.acc_bound = rows;
    g.nodes.push_back(mm);
    return gkr::compile(g, gkr::Config{});
  };
  EXPECT_EQ(prove::resolve_commit_log(with_weight(64), prove::kAutoCommitLog), 26u);
  EXPECT_EQ(prove::resolve_commit_log(with_weight(16384), prove::kAutoCommitLog), 27u);
  EXPECT_EQ(prove::resolve_commit_log(with_weight(16384), 28), 28u);
}

TEST(Proof, WeightAboveOneCommitmentRefusedBeforeTheWitness) {
  // A 16384×16385 weight pads to 2^29 entries, above the 2^28 one commitment (one chunk) holds:
  // refused as not supported before anything is allocated (its values are not even present).
  model::Trace t;
  model::Graph& g = t.graph;
  const uint32_t x = fixture::add_tensor(g, "x", model::TensorKind::Input, {1, 16384}, -1, 1);
  const uint32_t w = fixture::add_tensor(g, "W", model::TensorKind::Weight, {16384, 16385}, -1, 1);
  const uint32_t y = fixture::add_tensor(g, "y", model::TensorKind::Activation, {1, 16385}, -16384, 16384);
  g.weights = {{w, {}, {}, {1.0}}};
  model::Node mm;
  mm.op = model::Op::MatMul, mm.name = "mm", mm.inputs = {x, w}, mm.outputs = {y}, mm.acc_bound = 16384;
  g.nodes = {mm};
  g.inputs = {x}, g.outputs = {y};
  try {
    prove::prove(t, fast());
    FAIL() << "proved";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("weights: W pads to 2^29 entries"), std::string::npos) << e.what();
  }
}
