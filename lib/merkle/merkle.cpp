#include "merkle/merkle.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "error/error.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::merkle {
namespace {

static_assert(sizeof(M31) == 4 && sizeof(QM31) == 16, "M31 rows are hashed as packed u32 words");
static_assert(sizeof(Digest) == 32);

const hash::State& leaf_state() {
  static const hash::State s = hash::blake2s_initial_state({'z', 'k', 'm', '3', '1', '/', 'l', 'f'});
  return s;
}
const hash::State& node_state() {
  static const hash::State s = hash::blake2s_initial_state({'z', 'k', 'm', '3', '1', '/', 'n', 'd'});
  return s;
}

const uint32_t* words_of(std::span<const M31> xs) { return reinterpret_cast<const uint32_t*>(xs.data()); }
const uint32_t* words_of(const Digest* d) { return reinterpret_cast<const uint32_t*>(d); }

std::span<const M31> limbs_of(std::span<const QM31> xs) {
  return {reinterpret_cast<const M31*>(xs.data()), xs.size() * 4};
}

// Hashes done in chunks of at least this many messages per thread.
constexpr size_t kGrain = 1024;
// The bottom layers are hashed in blocks of at most kBlockRows rows, and only layers from
// kUnstoredLayers up are kept: a sibling below is recomputed from at most 2^kUnstoredLayers rows.
constexpr size_t kBlockRows = 1024;
constexpr unsigned kUnstoredLayers = 3;

std::vector<size_t> sorted_unique(std::span<const size_t> indices) {
  std::vector<size_t> s(indices.begin(), indices.end());
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

}  // namespace

Digest hash_leaf(std::span<const M31> row) {
  Digest d;
  hash::blake2s_many(leaf_state(), words_of(row), row.size(), row.size(), 1, &d, simd::Backend::scalar);
  return d;
}

Digest hash_node(const Digest& left, const Digest& right) {
  Digest pair[2] = {left, right};
  Digest d;
  hash::blake2s_many(node_state(), words_of(pair), 16, 16, 1, &d, simd::Backend::scalar);
  return d;
}

Tree::Tree(std::span<const M31> rows, size_t row_len) { build(rows, row_len, true); }

Tree::Tree(std::vector<M31>&& rows, size_t row_len) : owned_rows_(std::move(rows)) {
  build(owned_rows_, row_len, false);
}

Tree Tree::of_cosets(std::vector<M31>&& values, size_t row_len) {
  Tree t;
  t.owned_rows_ = std::move(values);
  t.cosets_ = true;
  t.build(t.owned_rows_, row_len, false);
  return t;
}

Tree Tree::of_cosets(std::span<const M31> values, size_t row_len, std::shared_ptr<const void> owner) {
  Tree t;
  t.borrowed_ = std::move(owner);
  t.cosets_ = true;
  t.build(values, row_len, false);
  return t;
}

Tree Tree::of_cosets(std::span<const M31> values, size_t row_len, std::shared_ptr<const void> owner,
                     std::span<const Digest> kept) {
  Tree t;
  t.borrowed_ = std::move(owner);
  t.cosets_ = true;
  t.set_shape(values.size(), row_len);
  t.rows_ = values.data();
  size_t at = 0;
  for (unsigned l = t.stored_from_; l <= t.log_rows_; ++l) {
    const size_t count = t.n_rows() >> l;
    if (at + count > kept.size()) throw BadInput("merkle: too few kept digests for the tree's shape");
    t.layers_.emplace_back(new Digest[count]);
    std::copy_n(kept.begin() + at, count, t.layers_.back().get());
    at += count;
  }
  if (at != kept.size()) throw BadInput("merkle: too many kept digests for the tree's shape");
  return t;
}

std::vector<Digest> Tree::kept_layers() const {
  std::vector<Digest> out;
  for (unsigned l = stored_from_; l <= log_rows_; ++l) {
    const Digest* layer = layers_[l - stored_from_].get();
    out.insert(out.end(), layer, layer + (n_rows() >> l));
  }
  return out;
}

void Tree::gather(size_t first, size_t count, uint32_t* out) const {
  const uint32_t* v = reinterpret_cast<const uint32_t*>(rows_);
  if (!cosets_) {
    std::memcpy(out, v + first * row_len_, 4 * count * row_len_);
    return;
  }
  const size_t n = n_rows();
  for (size_t t = 0; t < row_len_; ++t)
    for (size_t j = 0; j < count; ++j) out[j * row_len_ + t] = v[first + j + t * n];
}

void Tree::set_shape(size_t n_values, size_t row_len) {
  row_len_ = row_len;
  if (row_len == 0) throw BadInput("merkle: row length must be at least 1");
  if (n_values % row_len != 0) throw BadInput("merkle: value count is not a multiple of the row length");
  const size_t n = n_values / row_len;
  if (n == 0 || (n & (n - 1)) != 0)
    throw BadInput("merkle: row count " + std::to_string(n) + " is not a power of two");
  log_rows_ = unsigned(__builtin_ctzll(n));
  stored_from_ = std::min(kUnstoredLayers, log_rows_);
}

void Tree::build(std::span<const M31> rows, size_t row_len, bool copy) {
  set_shape(rows.size(), row_len);
  const size_t n = n_rows();

  // The copy is not zeroed first: the threads below first-touch every byte in parallel as they copy.
  if (copy) copied_rows_.reset(new uint32_t[rows.size()]);
  rows_ = copy ? reinterpret_cast<const M31*>(copied_rows_.get()) : rows.data();
  for (unsigned l = stored_from_; l <= log_rows_; ++l) layers_.emplace_back(new Digest[n >> l]);

  // Bottom part, block by block in two small scratch buffers that stay in cache: copy the rows,
  // hash them, and hash up to the lowest stored layer.
  const simd::Backend backend = simd::active();
  // Blocks (powers of two, at least 2^stored_from_ rows) small enough that every thread gets some.
  const size_t block = std::clamp<size_t>(n / 16, size_t(1) << stored_from_, kBlockRows);
  parallel::for_range(n / block, 1, [&](size_t b, size_t e) {
    std::vector<Digest> cur(block), next(block);
    std::vector<uint32_t> gathered(cosets_ ? block * row_len : 0);
    for (size_t blk = b; blk < e; ++blk) {
      const size_t first = blk * block;
      if (copy) std::memcpy(copied_rows_.get() + first * row_len, rows.data() + first * row_len, 4 * block * row_len);
      if (cosets_) gather(first, block, gathered.data());
      const uint32_t* leaves = cosets_ ? gathered.data() : words_of(rows.subspan(first * row_len));
      hash::blake2s_many(leaf_state(), leaves, row_len, row_len, block, cur.data(), backend);
      size_t count = block;
      for (unsigned l = 1; l <= stored_from_; ++l) {
        count /= 2;
        hash::blake2s_many(node_state(), words_of(cur.data()), 16, 16, count, next.data(), backend);
        std::swap(cur, next);
      }
      std::copy_n(cur.data(), count, layers_[0].get() + (first >> stored_from_));
    }
  });
  // Top part: whole stored layers.
  for (unsigned l = stored_from_ + 1; l <= log_rows_; ++l) {
    const Digest* below = layers_[l - 1 - stored_from_].get();
    Digest* above = layers_[l - stored_from_].get();
    parallel::for_range(n >> l, kGrain, [&](size_t b, size_t e) {
      hash::blake2s_many(node_state(), words_of(below + 2 * b), 16, 16, e - b, above + b, backend);
    });
  }
}

Tree::Tree(std::span<const QM31> rows, size_t qm31_per_row) : Tree(limbs_of(rows), 4 * qm31_per_row) {}

std::vector<M31> Tree::row(size_t i) const {
  if (i >= n_rows()) throw BadInput("merkle: row " + std::to_string(i) + " out of range");
  std::vector<M31> out(row_len_);
  gather(i, 1, reinterpret_cast<uint32_t*>(out.data()));
  return out;
}

Digest Tree::node(unsigned layer, size_t k) const {
  if (layer >= stored_from_) return layers_[layer - stored_from_][k];
  if (layer == 0) return hash_leaf(row(k));
  return hash_node(node(layer - 1, 2 * k), node(layer - 1, 2 * k + 1));
}

Decommitment Tree::open(std::span<const size_t> indices) const {
  std::vector<size_t> known = sorted_unique(indices);
  if (known.empty()) throw BadInput("merkle: nothing to open");
  if (known.back() >= n_rows())
    throw BadInput("merkle: index " + std::to_string(known.back()) + " out of range for " +
                   std::to_string(n_rows()) + " rows");
  Decommitment proof;
  for (unsigned l = 0; l < log_rows_; ++l) {
    std::vector<size_t> parents;
    for (size_t i = 0; i < known.size(); ++i) {
      size_t k = known[i];
      if (k % 2 == 0 && i + 1 < known.size() && known[i + 1] == k + 1) ++i;  // both children known
      else proof.siblings.push_back(node(l, k ^ 1));
      parents.push_back(k / 2);
    }
    known = std::move(parents);
  }
  return proof;
}

void verify(const Digest& root, unsigned log_rows, size_t row_len, std::span<const size_t> indices,
            std::span<const M31> rows, const Decommitment& proof) {
  const char* where = "merkle";
  require(log_rows < 64, where, "tree height " + std::to_string(log_rows) + " too large");
  require(row_len > 0, where, "row length is zero");
  std::vector<size_t> known = sorted_unique(indices);
  require(!known.empty(), where, "no index opened");
  require(known.back() >> log_rows == 0, where, "index " + std::to_string(known.back()) + " out of range");
  require(rows.size() == known.size() * row_len, where,
          "expected " + std::to_string(known.size() * row_len) + " row values, got " + std::to_string(rows.size()));

  std::vector<Digest> hashes(known.size());
  for (size_t i = 0; i < known.size(); ++i) hashes[i] = hash_leaf(rows.subspan(i * row_len, row_len));
  size_t next_sibling = 0;
  for (unsigned l = 0; l < log_rows; ++l) {
    std::vector<size_t> parents;
    std::vector<Digest> parent_hashes;
    for (size_t i = 0; i < known.size(); ++i) {
      size_t k = known[i];
      Digest left, right;
      if (k % 2 == 0 && i + 1 < known.size() && known[i + 1] == k + 1) {
        left = hashes[i];
        right = hashes[++i];
      } else {
        require(next_sibling < proof.siblings.size(), where, "too few sibling hashes");
        const Digest& s = proof.siblings[next_sibling++];
        left = k % 2 == 0 ? hashes[i] : s;
        right = k % 2 == 0 ? s : hashes[i];
      }
      parents.push_back(k / 2);
      parent_hashes.push_back(hash_node(left, right));
    }
    known = std::move(parents);
    hashes = std::move(parent_hashes);
  }
  require(next_sibling == proof.siblings.size(), where,
          std::to_string(proof.siblings.size() - next_sibling) + " unused sibling hashes");
  require(hashes[0] == root, where, "root mismatch");
}

void verify(const Digest& root, unsigned log_rows, size_t qm31_per_row, std::span<const size_t> indices,
            std::span<const QM31> rows, const Decommitment& proof) {
  verify(root, log_rows, 4 * qm31_per_row, indices, limbs_of(rows), proof);
}

}  // namespace zkm31::merkle
