#include "merkle/merkle.hpp"

#include <algorithm>
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

Tree::Tree(std::span<const M31> rows, size_t row_len) : row_len_(row_len) {
  if (row_len == 0) throw BadInput("merkle: row length must be at least 1");
  if (rows.size() % row_len != 0) throw BadInput("merkle: value count is not a multiple of the row length");
  const size_t n = rows.size() / row_len;
  if (n == 0 || (n & (n - 1)) != 0)
    throw BadInput("merkle: row count " + std::to_string(n) + " is not a power of two");
  log_rows_ = unsigned(__builtin_ctzll(n));

  const simd::Backend backend = simd::active();
  layers_.reserve(log_rows_ + 1);
  layers_.emplace_back(n);
  const uint32_t* words = words_of(rows);
  parallel::for_range(n, kGrain, [&](size_t b, size_t e) {
    hash::blake2s_many(leaf_state(), words + b * row_len, row_len, row_len, e - b, layers_[0].data() + b, backend);
  });
  for (unsigned l = 0; l < log_rows_; ++l) {
    const std::vector<Digest>& below = layers_.back();
    std::vector<Digest> above(below.size() / 2);
    parallel::for_range(above.size(), kGrain, [&](size_t b, size_t e) {
      hash::blake2s_many(node_state(), words_of(below.data() + 2 * b), 16, 16, e - b, above.data() + b, backend);
    });
    layers_.push_back(std::move(above));
  }
}

Tree::Tree(std::span<const QM31> rows, size_t qm31_per_row) : Tree(limbs_of(rows), 4 * qm31_per_row) {}

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
      else proof.siblings.push_back(layers_[l][k ^ 1]);
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
