#include "merkle/merkle.hpp"

#include <blake2.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "error/error.hpp"

using namespace zkm31;
using merkle::Decommitment;
using merkle::Tree;

namespace {

std::vector<M31> random_rows(size_t n, size_t row_len, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<M31> v(n * row_len);
  for (auto& x : v) x = M31::reduce_u32(rng());
  return v;
}

// The values of the sorted unique indices, as verify expects them.
std::vector<M31> rows_at(const std::vector<M31>& all, size_t row_len, std::vector<size_t> idx) {
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<M31> out;
  for (size_t i : idx) out.insert(out.end(), all.begin() + i * row_len, all.begin() + (i + 1) * row_len);
  return out;
}

// Expects verify to throw Rejected("merkle", ...).
template <typename F>
void expect_rejected(F&& f) {
  try {
    f();
    ADD_FAILURE() << "verify accepted";
  } catch (const Rejected& e) {
    EXPECT_EQ(e.where(), "merkle");
  }
}

struct Fixture {
  size_t row_len = 3;
  unsigned log_rows = 6;
  std::vector<M31> values = random_rows(size_t(1) << log_rows, row_len, 1);
  Tree tree{values, row_len};
  std::vector<size_t> idx = {5, 9, 40, 41, 63};
  Decommitment proof = tree.open(idx);
  std::vector<M31> rows = rows_at(values, row_len, idx);
  void verify() const { merkle::verify(tree.root(), log_rows, row_len, idx, rows, proof); }
};

}  // namespace

TEST(Merkle, RootIsTheHashOfTheLayersByDefinition) {
  std::vector<M31> v = random_rows(4, 2, 3);
  Tree t(v, 2);
  auto leaf = [&](size_t i) { return merkle::hash_leaf(std::span<const M31>(v).subspan(2 * i, 2)); };
  auto want = merkle::hash_node(merkle::hash_node(leaf(0), leaf(1)), merkle::hash_node(leaf(2), leaf(3)));
  EXPECT_EQ(t.root(), want);
  EXPECT_EQ(t.n_rows(), 4u);
  EXPECT_EQ(t.log_rows(), 2u);
  EXPECT_EQ(t.row_len(), 2u);
}

TEST(Merkle, LeafAndNodeHashesArePersonalizedBlake2s) {
  // A node over two digests and a leaf over the same 16 words differ only by the domain tag.
  merkle::Digest a{}, b{};
  a[0] = 1;
  b[31] = 2;
  std::vector<M31> words(16);
  for (int i = 0; i < 8; ++i) {
    words[i] = M31(uint32_t(a[4 * i]) | a[4 * i + 1] << 8 | a[4 * i + 2] << 16 | uint32_t(a[4 * i + 3]) << 24);
    words[8 + i] = M31(uint32_t(b[4 * i]) | b[4 * i + 1] << 8 | b[4 * i + 2] << 16 | uint32_t(b[4 * i + 3]) << 24);
  }
  EXPECT_NE(merkle::hash_leaf(words), merkle::hash_node(a, b));
  EXPECT_NE(merkle::hash_leaf(words), hash::blake2s({reinterpret_cast<const uint8_t*>(words.data()), 64}));
}

// The hash definitions spelled out with libb2, for anyone re-implementing the verifier.
static merkle::Digest libb2_personal(const void* data, size_t len, const char (&personal)[9]) {
  blake2s_param p{};
  p.digest_length = 32;
  p.fanout = 1;
  p.depth = 1;
  std::memcpy(p.personal, personal, 8);
  blake2s_state s;
  blake2s_init_param(&s, &p);
  blake2s_update(&s, static_cast<const uint8_t*>(data), len);
  merkle::Digest d;
  blake2s_final(&s, d.data(), d.size());
  return d;
}

TEST(Merkle, HashDefinitions) {
  std::vector<M31> row = {M31(1), M31(kP - 1), M31(0x12345678)};
  uint8_t bytes[12];
  for (size_t i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) bytes[4 * i + k] = uint8_t(row[i].v >> (8 * k));
  EXPECT_EQ(merkle::hash_leaf(row), libb2_personal(bytes, 12, "zkm31/lf"));
  merkle::Digest l = merkle::hash_leaf(row), r{};
  r[5] = 9;
  uint8_t pair[64];
  std::memcpy(pair, l.data(), 32);
  std::memcpy(pair + 32, r.data(), 32);
  EXPECT_EQ(merkle::hash_node(l, r), libb2_personal(pair, 64, "zkm31/nd"));
}

TEST(Merkle, WideRowsFewRows) {
  // Few rows of many values each: blocks shrink so that the rows are still split across threads.
  for (unsigned log_rows : {3u, 4u, 6u}) {
    std::vector<M31> v = random_rows(size_t(1) << log_rows, 300, log_rows);
    Tree t(v, 300);
    std::vector<size_t> idx = {0, (size_t(1) << log_rows) - 1};
    merkle::verify(t.root(), log_rows, 300, idx, rows_at(v, 300, idx), t.open(idx));
  }
}

TEST(Merkle, SingleRowTree) {
  std::vector<M31> v = random_rows(1, 5, 4);
  Tree t(v, 5);
  EXPECT_EQ(t.root(), merkle::hash_leaf(v));
  std::vector<size_t> idx = {0, 0};
  Decommitment p = t.open(idx);
  EXPECT_TRUE(p.siblings.empty());
  merkle::verify(t.root(), 0, 5, idx, v, p);
}

TEST(Merkle, BuildIsIndependentOfThreadsAndSimd) {
  // Large enough that every layer below the top runs the multi-lane kernel in several chunks.
  std::vector<M31> v = random_rows(size_t(1) << 13, 4, 5);
  Tree reference(v, 4);
  for (auto b : {simd::Backend::scalar, simd::Backend::avx2, simd::Backend::avx512}) {
    if (!simd::supported(b)) continue;
    simd::Backend saved = simd::active();
    simd::set_backend(b);
    Tree t(v, 4);
    simd::set_backend(saved);
    EXPECT_EQ(t.root(), reference.root()) << simd::name(b);
  }
}

TEST(Merkle, RandomOpeningsVerify) {
  std::mt19937 rng(11);
  for (unsigned log_rows : {1u, 2u, 5u, 8u}) {
    for (size_t row_len : {1u, 4u, 7u, 16u, 20u}) {
      size_t n = size_t(1) << log_rows;
      std::vector<M31> v = random_rows(n, row_len, log_rows * 100 + unsigned(row_len));
      Tree t(v, row_len);
      for (int trial = 0; trial < 10; ++trial) {
        std::vector<size_t> idx(1 + rng() % 12);
        for (auto& i : idx) i = rng() % n;
        idx.push_back(idx[0]);  // a duplicate
        Decommitment p = t.open(idx);
        merkle::verify(t.root(), log_rows, row_len, idx, rows_at(v, row_len, idx), p);
      }
    }
  }
}

TEST(Merkle, FirstLastAndAllLeaves) {
  std::vector<M31> v = random_rows(32, 2, 9);
  Tree t(v, 2);
  std::vector<size_t> ends = {31, 0};
  merkle::verify(t.root(), 5, 2, ends, rows_at(v, 2, ends), t.open(ends));
  std::vector<size_t> all(32);
  for (size_t i = 0; i < 32; ++i) all[i] = 31 - i;
  Decommitment p = t.open(all);
  EXPECT_TRUE(p.siblings.empty());  // the verifier recomputes every node
  merkle::verify(t.root(), 5, 2, all, v, p);
}

TEST(Merkle, SharedSiblingsAreSentOnce) {
  std::vector<M31> v = random_rows(16, 1, 2);
  Tree t(v, 1);
  std::vector<size_t> one = {4};
  EXPECT_EQ(t.open(one).siblings.size(), 4u);
  std::vector<size_t> pair = {4, 5};  // siblings of each other: 3 hashes
  EXPECT_EQ(t.open(pair).siblings.size(), 3u);
  std::vector<size_t> cousins = {4, 6};  // share everything from layer 2 up
  EXPECT_EQ(t.open(cousins).siblings.size(), 4u);
}

TEST(Merkle, QM31Rows) {
  std::vector<QM31> q(8);
  for (size_t i = 0; i < q.size(); ++i) q[i] = QM31(M31(uint32_t(i)), M31(7), M31(uint32_t(3 * i)), M31(kP - 1));
  Tree t(q, 2);  // 4 rows of 2 QM31
  EXPECT_EQ(t.row_len(), 8u);
  std::vector<M31> limbs;
  for (auto& x : q)
    for (M31 l : x.limbs()) limbs.push_back(l);
  EXPECT_EQ(Tree(limbs, 8).root(), t.root());
  std::vector<size_t> idx = {3, 1};
  std::vector<QM31> opened = {q[2], q[3], q[6], q[7]};
  merkle::verify(t.root(), 2, 2, idx, std::span<const QM31>(opened), t.open(idx));
}

TEST(Merkle, BadShapesAreBadInput) {
  std::vector<M31> v = random_rows(6, 1, 1);
  EXPECT_THROW(Tree(v, 1), BadInput);                          // 6 rows
  EXPECT_THROW(Tree(std::span<const M31>(v).first(5), 2), BadInput);  // not a multiple
  EXPECT_THROW(Tree(v, 0), BadInput);
  EXPECT_THROW(Tree(std::span<const M31>(), 1), BadInput);
  Tree t(std::span<const M31>(v).first(4), 1);
  std::vector<size_t> out_of_range = {4};
  EXPECT_THROW(t.open(out_of_range), BadInput);
  EXPECT_THROW(t.open({}), BadInput);
}

TEST(MerkleReject, HonestBaseline) { Fixture().verify(); }

TEST(MerkleReject, IndexOutOfRange) {
  // Index 5 + 2^6 walks the same path bits as 5: only the range check tells them apart.
  Fixture f;
  std::vector<size_t> idx = {5};
  Decommitment p = f.tree.open(idx);
  std::vector<M31> row = rows_at(f.values, f.row_len, idx);
  merkle::verify(f.tree.root(), f.log_rows, f.row_len, idx, row, p);
  std::vector<size_t> beyond = {5 + 64};
  expect_rejected([&] { merkle::verify(f.tree.root(), f.log_rows, f.row_len, beyond, row, p); });
}

TEST(MerkleReject, NoIndex) {
  Fixture f;
  f.idx.clear();
  f.rows.clear();
  f.proof.siblings.clear();
  expect_rejected([&] { f.verify(); });
}

TEST(MerkleReject, WrongRowLength) {
  Fixture f;
  f.rows.pop_back();
  expect_rejected([&] { f.verify(); });
  Fixture g;
  expect_rejected([&] { merkle::verify(g.tree.root(), g.log_rows, g.row_len - 1, g.idx, g.rows, g.proof); });
}

TEST(MerkleReject, TooFewSiblings) {
  Fixture f;
  f.proof.siblings.pop_back();
  expect_rejected([&] { f.verify(); });
}

TEST(MerkleReject, TooManySiblings) {
  Fixture f;
  f.proof.siblings.push_back(f.proof.siblings[0]);
  expect_rejected([&] { f.verify(); });
}

TEST(MerkleReject, TamperedLeafValue) {
  for (size_t pos : {0u, 7u, 14u}) {
    Fixture f;
    f.rows[pos] += M31::one();
    expect_rejected([&] { f.verify(); });
  }
}

TEST(MerkleReject, TamperedSibling) {
  Fixture f;
  for (size_t s = 0; s < f.proof.siblings.size(); ++s) {
    Fixture g;
    g.proof.siblings[s][s % 32] ^= 1;
    expect_rejected([&] { g.verify(); });
  }
}

TEST(MerkleReject, WrongRoot) {
  Fixture f;
  merkle::Digest root = f.tree.root();
  root[0] ^= 0x80;
  expect_rejected([&] { merkle::verify(root, f.log_rows, f.row_len, f.idx, f.rows, f.proof); });
}

TEST(MerkleReject, WrongHeight) {
  Fixture f;
  expect_rejected([&] { merkle::verify(f.tree.root(), f.log_rows + 1, f.row_len, f.idx, f.rows, f.proof); });
  expect_rejected([&] { merkle::verify(f.tree.root(), 64, f.row_len, f.idx, f.rows, f.proof); });
}

TEST(MerkleReject, RowsInWrongOrder) {
  Fixture f;
  std::swap_ranges(f.rows.begin(), f.rows.begin() + 3, f.rows.begin() + 3);
  expect_rejected([&] { f.verify(); });
}

TEST(Merkle, KeepsACopyOfItsRows) {
  std::vector<M31> v = random_rows(16, 3, 8);
  Tree t(v, 3);
  std::vector<M31> original = v;
  v.assign(v.size(), M31());  // the caller's buffer may change or go away after building
  for (size_t i = 0; i < 16; ++i) {
    auto r = t.row(i);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_TRUE(std::equal(r.begin(), r.end(), original.begin() + 3 * i));
  }
  EXPECT_THROW(t.row(16), BadInput);
  std::vector<size_t> idx = {2, 3, 9};
  merkle::verify(t.root(), 4, 3, idx, rows_at(original, 3, idx), t.open(idx));
}

// Rows given as the cosets of a natural-order vector commit like the same rows laid out row-major.
TEST(Merkle, CosetRowsCommitLikeTheirRowMajorCopy) {
  const size_t n_rows = 32, w = 4;
  std::vector<M31> natural = random_rows(n_rows, w, 21), rows(natural.size());
  for (size_t j = 0; j < n_rows; ++j)
    for (size_t t = 0; t < w; ++t) rows[j * w + t] = natural[j + t * n_rows];
  const M31* storage = natural.data();
  Tree row_major(rows, w), cosets = Tree::of_cosets(std::move(natural), w);
  EXPECT_EQ(cosets.root(), row_major.root());
  EXPECT_EQ(cosets.values().data(), storage);  // taken over, not copied
  for (size_t j : {size_t(0), size_t(9), n_rows - 1}) EXPECT_EQ(cosets.row(j), row_major.row(j));
  std::vector<size_t> idx = {1, 2, 30};
  EXPECT_EQ(cosets.open(idx).siblings, row_major.open(idx).siblings);
  merkle::verify(cosets.root(), 5, w, idx, rows_at(rows, w, idx), cosets.open(idx));
  EXPECT_THROW(Tree::of_cosets(std::vector<M31>(12), 8), BadInput);
}

// A tree rebuilt from another's kept layers (the model cache's reload) hashes nothing and opens like the
// original, paths through the recomputed lowest layers included; digests that do not fit are refused.
TEST(Merkle, TreeFromKeptLayersOpensLikeTheHashedOne) {
  for (size_t n_rows : {size_t(1), size_t(4), size_t(64)}) {
    const size_t w = 4;
    const auto natural = std::make_shared<const std::vector<M31>>(random_rows(n_rows, w, 31));
    const Tree hashed = Tree::of_cosets(*natural, w, natural);
    const std::vector<merkle::Digest> kept = hashed.kept_layers();
    const Tree loaded = Tree::of_cosets(*natural, w, natural, kept);
    EXPECT_EQ(loaded.root(), hashed.root()) << n_rows << " rows";
    const std::vector<size_t> idx = {0, n_rows / 3, n_rows - 1};
    EXPECT_EQ(loaded.open(idx).siblings, hashed.open(idx).siblings) << n_rows << " rows";
    EXPECT_EQ(loaded.row(n_rows - 1), hashed.row(n_rows - 1));
    auto fewer = kept;
    fewer.pop_back();
    EXPECT_THROW(Tree::of_cosets(*natural, w, natural, fewer), BadInput);
    auto more = kept;
    more.push_back(kept.back());
    EXPECT_THROW(Tree::of_cosets(*natural, w, natural, more), BadInput);
  }
}

TEST(Merkle, MovedRowsGiveTheSameCommitment) {
  std::vector<M31> v = random_rows(64, 5, 12);
  std::vector<M31> moved = v;
  const M31* storage = moved.data();
  Tree copied(v, 5), owner(std::move(moved), 5);
  EXPECT_EQ(owner.root(), copied.root());
  EXPECT_EQ(owner.values().data(), storage);  // no copy was made
  std::vector<size_t> idx = {7, 8, 63};
  EXPECT_EQ(owner.open(idx).siblings, copied.open(idx).siblings);
  Tree relocated = std::move(owner);  // moving the tree keeps its rows valid
  merkle::verify(relocated.root(), 6, 5, idx, rows_at(v, 5, idx), relocated.open(idx));
  EXPECT_THROW(Tree(std::vector<M31>(6), 1), BadInput);
}

TEST(MerkleReject, ZeroRowLength) {
  Fixture f;
  try {
    merkle::verify(f.tree.root(), f.log_rows, 0, f.idx, std::vector<M31>(), f.proof);
    ADD_FAILURE() << "verify accepted";
  } catch (const Rejected& e) {
    EXPECT_EQ(e.check(), "row length is zero");
  }
}
