// Chunked commitments: weights and trace split into several commitments (a small commit_log on a
// small MLP) prove and verify, keep the model identity tied to every chunk, and a forger who swaps,
// drops or re-routes chunks or their openings is rejected.
#include <gtest/gtest.h>

#include <algorithm>

#include "../gkr/mlp_fixture.hpp"
#include "edit.hpp"
#include "files.hpp"
#include "error/error.hpp"
#include "prove/opening.hpp"
#include "prove/packing.hpp"

using namespace zkm31;
using test::fast, test::lenient, test::with_field, test::field_bytes, test::expect_rejected;

namespace {

const model::Trace& trace() {
  static const model::Trace t = fixture::forward(fixture::make_mlp(64, 64, 10, 41));
  return t;
}

prove::Options chunked() {
  prove::Options o = fast();
  o.commit_log = 12;  // W1 (64×64) fills one chunk, the rest of the weights another; the trace as many
  return o;
}

const std::vector<uint8_t>& honest() {
  static const std::vector<uint8_t> p = prove::prove(trace(), chunked());
  return p;
}

std::vector<msgpack::object> array_of(const std::vector<uint8_t>& proof, std::string_view key,
                                      msgpack::object_handle& keep) {
  // A view, not a copy: the handle's strings and bins point into `proof`, which outlives it.
  const artifact::EnvelopeView env = artifact::unwrap_view(proof, "proof", prove::kProofVersion);
  keep = artifact::parse_body(env.body, "proof");
  return artifact::MapView(keep.get(), "proof").array(key);
}

std::vector<uint8_t> swap_digests(std::vector<uint8_t> b, size_t i, size_t j) {
  std::swap_ranges(b.begin() + 32 * i, b.begin() + 32 * (i + 1), b.begin() + 32 * j);
  return b;
}

}  // namespace

TEST(Chunks, SplitLargestFirstIntoFullChunks) {
  const gkr::Circuit c = gkr::compile(trace().graph, gkr::Config{}).proof;
  const prove::Chunks ch = prove::Chunks::of(c, c.weights, 12, "weights");
  ASSERT_GE(ch.parts.size(), 2u);
  size_t members = 0;
  for (const prove::Packing& p : ch.parts) {
    EXPECT_LE(p.log_size, 12u);
    members += p.vecs.size();
  }
  EXPECT_EQ(members, c.weights.size());
  EXPECT_EQ(ch.parts[0].log_size, 12u);  // full
  // One chunk when everything fits: the Packing of all members, as before chunking.
  const prove::Chunks one = prove::Chunks::of(c, c.weights, 28, "weights");
  ASSERT_EQ(one.parts.size(), 1u);
  EXPECT_EQ(one.parts[0].offsets, prove::Packing::of(c, c.weights).offsets);
  EXPECT_THROW(prove::Chunks::of(c, c.weights, 11, "weights"), NotSupported);
}

// The trace's chunks keep the circuit's order (its members are built chunk by chunk): every chunk
// within the cap, and a member's chunk never before an earlier member's.
TEST(Chunks, SplitInTheGivenOrder) {
  const gkr::Circuit c = gkr::compile(trace().graph, gkr::Config{}).proof;
  const prove::Chunks ch = prove::Chunks::of(c, c.committed, 12, "trace", prove::ChunkOrder::Given);
  ASSERT_GE(ch.parts.size(), 2u);
  std::vector<uint32_t> seen;
  for (const prove::Packing& p : ch.parts) {
    EXPECT_LE(p.log_size, 12u);
    std::vector<uint32_t> members(p.vecs);
    std::sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) {
      return std::find(c.committed.begin(), c.committed.end(), a) < std::find(c.committed.begin(), c.committed.end(), b);
    });
    seen.insert(seen.end(), members.begin(), members.end());
  }
  EXPECT_EQ(seen, c.committed);
}

// By default a commitment of a small model holds 2^26 entries (Proof.DefaultCommitLogFollowsTheLargestVector):
// every vector fits one chunk, and the proof is the one an explicit 26 gives.
TEST(Chunks, DefaultCommitLogOfASmallModelIs26) {
  const prove::Verified v = prove::verify(prove::prove(trace(), fast()), lenient());
  EXPECT_EQ(v.weight_roots.size(), 1u);
  prove::Options explicit26 = fast();
  explicit26.commit_log = prove::kAutoMinCommitLog;
  EXPECT_EQ(prove::prove(trace(), fast()), prove::prove(trace(), explicit26));
  EXPECT_EQ(prove::model_commitment(trace().graph, fast()), prove::model_commitment(trace().graph, explicit26));
}

TEST(Chunks, ChunkedProofVerifiesUnderItsModelCommitment) {
  prove::Verified v = prove::verify(honest(), lenient());
  ASSERT_GE(v.weight_roots.size(), 2u);
  EXPECT_GE(field_bytes(honest(), "trace_commitment").size(), 2 * 32u);
  EXPECT_EQ(v.model_commitment, prove::model_commitment(trace().graph, chunked()));
  EXPECT_NE(v.model_commitment, prove::model_commitment(trace().graph, fast()));  // one chunk: another root
  const prove::Verified one = prove::verify(prove::prove(trace(), fast()), lenient());
  EXPECT_EQ(one.outputs, v.outputs);
  ASSERT_EQ(one.weight_roots.size(), 1u);
  EXPECT_EQ(one.weight_root, one.weight_roots[0]);  // a model in one commitment keeps its root
}

// A trace handed over is emptied as it is proven (weights chunk by chunk; after the certificate, each
// trace chunk's vectors built just before it is committed) and its committed values are read from files
// in the cache: the same bytes, cold and warm.
TEST(Chunks, MovedTraceWithACacheGivesTheSameProof) {
  test::TempDir dir("chunks-test");
  prove::Options o = chunked();
  o.cache_dir = (dir.path / "zkm31").string();
  for (int run = 0; run < 2; ++run) {
    model::Trace copy = trace();
    EXPECT_EQ(prove::prove(std::move(copy), o), honest()) << (run ? "warm" : "cold");
  }
  bool values_files = false;
  for (const auto& e : std::filesystem::directory_iterator(o.cache_dir)) values_files |= e.path().extension() == ".values";
  EXPECT_TRUE(values_files);
}

TEST(Chunks, LyingProverRejected) {
  prove::Options o = chunked();
  o.drop_opening = true;
  expect_rejected(prove::prove(trace(), o), "dropped opening");
  o = chunked();
  o.commit_different = true;
  expect_rejected(prove::prove(trace(), o), "committed a different trace");
}

// Swapped chunk roots: the weight root no longer matches; re-deriving the weight root and model
// commitment from the swapped list (a forger's move) gets past the statement, not the openings.
TEST(Chunks, SwappedChunkRootsRejected) {
  const auto roots = field_bytes(honest(), "weight_roots");
  const auto swapped = swap_digests(roots, 0, 1);
  expect_rejected(with_field(honest(), "weight_roots", [&](auto& w) { w.bin(swapped); }), "swapped weight roots");
  const prove::Verified v = prove::verify(honest(), lenient());
  std::vector<hash::Digest> rs = v.weight_roots;
  std::swap(rs[0], rs[1]);
  const gkr::Circuit c = gkr::compile(trace().graph, gkr::Config{}).proof;
  const hash::Digest root = prove::chunks_root(rs, prove::Chunks::of(c, c.weights, 12, "weights").log_sizes());
  auto forged = with_field(honest(), "weight_roots", [&](auto& w) { w.bin(swapped); });
  forged = with_field(forged, "weight_root", [&](auto& w) { w.bin(root); });
  forged = with_field(forged, "model_commitment",
                      [&](auto& w) { w.bin(prove::model_commitment(v.graph_digest, root)); });
  expect_rejected(forged, "swapped weight roots, statement re-derived");
  const auto trace_roots = field_bytes(honest(), "trace_commitment");
  expect_rejected(with_field(honest(), "trace_commitment", [&](auto& w) { w.bin(swap_digests(trace_roots, 0, 1)); }),
                  "swapped trace roots");
}

// A dropped chunk: one root fewer is malformed; the openings of a chunk left out are missing.
TEST(Chunks, DroppedChunkRejected) {
  auto roots = field_bytes(honest(), "weight_roots");
  roots.resize(roots.size() - 32);
  EXPECT_THROW(prove::verify(with_field(honest(), "weight_roots", [&](auto& w) { w.bin(roots); }), lenient()), BadInput);
  auto trace_roots = field_bytes(honest(), "trace_commitment");
  trace_roots.resize(trace_roots.size() - 32);
  EXPECT_THROW(prove::verify(with_field(honest(), "trace_commitment", [&](auto& w) { w.bin(trace_roots); }), lenient()),
               BadInput);
  msgpack::object_handle keep;
  const auto openings = array_of(honest(), "model_openings", keep);
  ASSERT_GE(openings.size(), 2u);
  expect_rejected(with_field(honest(), "model_openings",
                             [&](artifact::BodyWriter& w) {
                               w.pk.pack_array(uint32_t(openings.size() - 1));
                               for (size_t i = 1; i < openings.size(); ++i) w.pk.pack(openings[i]);
                             }),
                  "first chunk's opening dropped");
}

// Claims routed to the wrong chunk: every chunk's openings presented in another order (chunk 0's
// opening checked against chunk 1's root and claims), for the weights and the trace.
TEST(Chunks, OpeningsOfAnotherChunkRejected) {
  for (std::string_view key : {"model_openings", "trace_openings"}) {
    msgpack::object_handle keep;
    const auto openings = array_of(honest(), key, keep);
    ASSERT_GE(openings.size(), 2u) << key;
    expect_rejected(with_field(honest(), key,
                               [&](artifact::BodyWriter& w) {
                                 w.pk.pack_array(uint32_t(openings.size()));
                                 w.pk.pack(openings[1]);
                                 w.pk.pack(openings[0]);
                                 for (size_t i = 2; i < openings.size(); ++i) w.pk.pack(openings[i]);
                               }),
                    std::string(key) + " swapped");
  }
}

TEST(Chunks, CommitLogOutsideItsRangeRefused) {
  prove::Options o = fast();
  o.commit_log = 3;
  EXPECT_THROW(prove::prove(trace(), o), BadInput);
  o.commit_log = 29;
  EXPECT_THROW(prove::prove(trace(), o), BadInput);
}
