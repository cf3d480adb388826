// Whole proofs (prove → artifact → verify) on a small MLP: honest proofs verify and report the
// output; every lie of a dishonest prover, every re-encoded change to the statement (output, input,
// model commitment, graph digest, config) and 1000 random mutations are rejected.
#include <gtest/gtest.h>

#include <random>

#include "../gkr/mlp_fixture.hpp"
#include "edit.hpp"
#include "error/error.hpp"
#include "prove/structure.hpp"

using namespace zkm31;
using test::fast, test::lenient, test::with_field, test::field_bytes;

namespace {

const model::Trace& trace() {
  static const model::Trace t = fixture::forward(fixture::make_mlp(6, 8, 3, 31));
  return t;
}

const std::vector<uint8_t>& honest() {
  static const std::vector<uint8_t> p = prove::prove(trace(), fast());
  return p;
}

void expect_rejected(const std::vector<uint8_t>& proof, const std::string& what) {
  try {
    prove::verify(proof, lenient());
    ADD_FAILURE() << what << ": accepted";
  } catch (const Rejected&) {
  }
}

}  // namespace

TEST(Proof, HonestProofVerifiesAndReportsTheOutput) {
  prove::Verified v = prove::verify(honest(), lenient());
  const auto& t = trace();
  ASSERT_EQ(v.outputs.size(), 1u);
  for (size_t i = 0; i < v.outputs[0].size(); ++i) EXPECT_EQ(v.outputs[0][i], t.values[9][i].to_signed());
  EXPECT_EQ(v.graph_digest, model::graph_digest(t.graph));
  EXPECT_EQ(v.model_root, prove::model_commitment(t.graph, fast()));
  prove::VerifyOptions pinned = lenient();
  pinned.model_root = v.model_root;
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
  o.model_root = hash::Digest{};
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
  auto root = field_bytes(honest(), "model_commitment");
  expect_rejected(with_field(honest(), "model_commitment", [&](auto& w) { w.bin(bump(root, 3)); }), "model");
  auto gd = field_bytes(honest(), "graph_digest");
  expect_rejected(with_field(honest(), "graph_digest", [&](auto& w) { w.bin(bump(gd, 7)); }), "graph digest");
  auto tr = field_bytes(honest(), "trace_commitment");
  expect_rejected(with_field(honest(), "trace_commitment", [&](auto& w) { w.bin(bump(tr, 0)); }), "trace root");
  // A config change (one more query) breaks the transcript; a config below the floor is refused.
  auto config = [&](uint32_t queries, uint32_t pow) {
    return with_field(honest(), "config", [&](artifact::BodyWriter& w) {
      const gkr::Config g;
      w.pk.pack_map(9);
      w.key("log_blowup"), w.pk.pack_uint32(1);
      w.key("queries"), w.pk.pack_uint32(queries);
      w.key("pow_bits"), w.pk.pack_uint32(pow);
      w.key("fold_step"), w.pk.pack_uint32(4);
      w.key("final_log"), w.pk.pack_uint32(6);
      w.key("first_fold"), w.pk.pack_uint32(6);
      w.key("range_bits"), w.pk.pack_uint32(g.range_bits);
      w.key("excess_bits"), w.pk.pack_uint32(g.excess_bits);
      w.key("wide_log"), w.pk.pack_uint32(g.wide_log);
    });
  };
  EXPECT_NO_THROW(prove::verify(config(12, 0), lenient()));
  expect_rejected(config(13, 0), "config");
  EXPECT_THROW(prove::verify(honest(), prove::VerifyOptions{}), Rejected);  // 12 queries < 96-bit floor
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
  // The model commitment's size must be the one the graph implies.
  expect_rejected(with_field(honest(), "model_log_size", [](auto& w) { w.pk.pack_uint32(3); }), "model size");
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
