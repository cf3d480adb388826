#include "pcs/pcs.hpp"
#include "pcs/testing.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "circle/circle.hpp"
#include "circle/fft.hpp"
#include "artifact/artifact.hpp"
#include "error/error.hpp"
#include "fri/fold.hpp"
#include "parallel/parallel.hpp"
#include "poly/fastmul.hpp"
#include "poly/multilinear.hpp"
#include "sumcheck/batched_eq.hpp"

namespace zkm31::pcs {
namespace {

constexpr const char* kWhere = "pcs";
constexpr const char* kSumcheckLabel = "pcs/sumcheck";
constexpr double kFieldCap = 117;  // see security_bits
constexpr unsigned kMaxLogDomain = 30;
constexpr size_t kMaxClaims = 64;
constexpr const char* kCommitmentKind = "pcs-commitment";
// 4: a codeword checksum and the tree's kept layers in the header (3: the tree re-hashed on load;
// 2: the codeword inside the header)
constexpr uint32_t kCommitmentVersion = 4;

// The layers a proof commits: tree g holds layer start[g] as rows of 2^k[g] positions
// {j + t·rows : t < 2^k[g]}; k0 = 0 (one value per row) when nothing is folded.
struct Shape {
  unsigned n, m, folds;
  std::vector<unsigned> start, k;
  size_t trees() const { return start.size(); }
  unsigned log_rows(size_t g) const { return m - start[g] - k[g]; }
  size_t width(size_t g) const { return size_t(1) << k[g]; }
};

Shape shape_of(unsigned n, const Config& c) {
  Shape s{n, n + c.log_blowup, n - std::min(n, c.final_log), {}, {}};
  for (unsigned a = 0; a < s.folds; a += s.k.back()) {
    s.start.push_back(a);
    s.k.push_back(std::min(a == 0 && c.first_fold ? c.first_fold : c.fold_step, s.folds - a));
  }
  if (s.start.empty()) s.start = {0}, s.k = {0};
  return s;
}

void check_ranges(const Config& c) {
  auto in = [](uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi; };
  require(in(c.log_blowup, 1, 8), kWhere, "log_blowup " + std::to_string(c.log_blowup) + " outside 1..8");
  require(in(c.queries, 1, 1024), kWhere, "queries " + std::to_string(c.queries) + " outside 1..1024");
  require(c.pow_bits <= 40, kWhere, "pow_bits " + std::to_string(c.pow_bits) + " above 40");
  require(in(c.fold_step, 1, 8), kWhere, "fold_step " + std::to_string(c.fold_step) + " outside 1..8");
  require(c.final_log <= 16, kWhere, "final_log " + std::to_string(c.final_log) + " above 16");
  require(c.first_fold <= 10, kWhere, "first_fold " + std::to_string(c.first_fold) + " above 10");
}

void absorb_statement(Channel& ch, const hash::Digest& root, unsigned n, const Config& c, std::span<const Claim> claims) {
  ch.absorb_digest("pcs/root", root);
  ch.absorb_u64("pcs/log_size", n);
  const M31 cfg[6] = {M31(c.log_blowup), M31(c.queries),   M31(c.pow_bits),
                      M31(c.fold_step),  M31(c.final_log), M31(c.first_fold)};
  ch.absorb_m31s("pcs/config", cfg);
  ch.absorb_u64("pcs/claims", claims.size());
  for (const auto& cl : claims) {
    ch.absorb_qm31s("pcs/point", cl.point);
    ch.absorb_qm31("pcs/value", cl.value);
  }
}

void check_claims(unsigned n, std::span<const Claim> claims, bool verifier) {
  auto fail = [&](const std::string& what) {
    if (verifier) throw Rejected(kWhere, what);
    throw BadInput("pcs: " + what);
  };
  if (claims.empty() || claims.size() > kMaxClaims) fail("between 1 and 64 claims per opening");
  for (const auto& c : claims)
    if (c.point.size() != n)
      fail("claim point has " + std::to_string(c.point.size()) + " coordinates, expected " + std::to_string(n));
}

std::vector<size_t> rows_of(std::span<const size_t> queries, unsigned log_rows) {
  std::vector<size_t> idx;
  for (size_t q : queries) idx.push_back(q & ((size_t(1) << log_rows) - 1));
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  return idx;
}

// Layer i ≥ 1 (2^log_points points) as coset rows of `width` (row j holds positions j + t·2^log_points/width):
// 2^i·Enc_i(Möbius(bound)),
// limb by limb (Möbius and the encoding are M31-linear), with the 2^i applied to the coefficients.
std::vector<QM31> encode_layer_rows(std::span<const QM31> bound, unsigned log_points, unsigned i, size_t width) {
  const M31 scale = M31::from_u64(uint64_t(1) << i);
  std::array<std::vector<M31>, 4> limbs;
  for (size_t q = 0; q < 4; ++q) {
    std::vector<M31> c(bound.size());
    parallel::for_range(c.size(), size_t(1) << 14, [&](size_t b, size_t e) {
      for (size_t j = b; j < e; ++j) c[j] = bound[j].limbs()[q] * scale;
    });
    limbs[q] = circle::evaluate_line_mobius(c, log_points);
  }
  const size_t rows = (size_t(1) << log_points) / width;
  std::vector<QM31> out(size_t(1) << log_points);
  parallel::for_range(rows, std::max<size_t>(1, size_t(1) << 12 >> __builtin_ctzll(width)), [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j)
      for (size_t t = 0; t < width; ++t) {
        const size_t at = j + t * rows;
        out[j * width + t] = QM31(limbs[0][at], limbs[1][at], limbs[2][at], limbs[3][at]);
      }
  });
  return out;
}

std::vector<QM31> batching_coefficients(Channel& ch, size_t n) { return ch.draw_qm31s("pcs/batch", n); }

}  // namespace

double security_bits(const Config& c) {
  return std::min(kFieldCap, double(c.queries) * c.log_blowup + c.pow_bits);
}

double provable_security_bits(const Config& c, unsigned n) {
  const double delta = (1 - std::ldexp(1.0, -int(c.log_blowup))) / 2;
  const double cap = 124 - std::log2(double(n) * std::ldexp(1.0, int(n + c.log_blowup)) + 2.0 * n + 64);
  return std::min(cap, double(c.queries) * -std::log2(1 - delta) + c.pow_bits);
}

void check_floor(const Config& c, double floor_bits) {
  check_ranges(c);
  const double bits = security_bits(c);
  if (bits < floor_bits) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "config gives %.1f bits < floor %.0f", bits, floor_bits);
    throw Rejected(kWhere, buf);
  }
}

template <typename F>
void corrupt(std::vector<F>& v, const testing::Fault* fault, unsigned layer) {
  if (!fault || fault->layer != layer) return;
  for (size_t i = 0; i < v.size(); i += fault->stride) v[i] += F(M31::one());
}

struct Impl {
  static Committed commit(std::vector<M31>&& values, const Config& config, const testing::Fault* fault);
  static OpeningProof open(const Committed& com, std::span<const Claim> claims, Channel& ch, const testing::Fault* fault);
  static Stored save(const Committed& c);
  static Committed load(std::span<const uint8_t> header, std::span<const M31> codeword, std::shared_ptr<const void> owner,
                        std::vector<M31>&& values, const Config& config,
                        const std::function<void(std::span<const M31>)>& read);
};

Committed Impl::commit(std::vector<M31>&& values, const Config& config, const testing::Fault* fault) {
  const unsigned n = poly::log2_exact(values.size(), "pcs commit: vector length");
  if (n > kMaxLogSize) throw BadInput("pcs commit: vectors above 2^28 entries are not supported");
  try {
    check_ranges(config);
  } catch (const Rejected& e) {
    throw BadInput(e.what());
  }
  const Shape s = shape_of(n, config);
  if (s.m > kMaxLogDomain) throw BadInput("pcs commit: log_size + log_blowup exceeds 30");
  Committed out;
  out.log_size_ = n;
  out.config_ = config;
  out.values_ = std::move(values);
  std::vector<M31> codeword = circle::evaluate_mobius(out.values_, s.m);
  corrupt(codeword, fault, 0);
  out.tree_ = std::make_shared<merkle::Tree>(merkle::Tree::of_cosets(std::move(codeword), s.width(0)));
  return out;
}

OpeningProof Impl::open(const Committed& com, std::span<const Claim> claims, Channel& ch, const testing::Fault* fault) {
  const unsigned n = com.log_size();
  const Config& cfg = com.config();
  check_claims(n, claims, false);
  const Shape s = shape_of(n, cfg);
  absorb_statement(ch, com.root(), n, cfg, claims);
  const std::vector<QM31> lambda = batching_coefficients(ch, claims.size());

  QM31 claim;
  for (size_t i = 0; i < claims.size(); ++i) claim += lambda[i] * claims[i].value;
  sumcheck::absorb_header(ch, kSumcheckLabel, s.folds, 2, claim);

  OpeningProof proof;
  proof.config = cfg;
  std::vector<std::vector<QM31>> layer_rows;  // committed rows of trees 1..
  std::vector<std::shared_ptr<merkle::Tree>> trees = {com.tree_};
  std::vector<QM31> chals;
  auto round = [&](sumcheck::RoundPoly h) {
    ch.absorb_qm31s(kSumcheckLabel, h);
    chals.push_back(ch.draw_qm31(kSumcheckLabel));
    proof.rounds.push_back(std::move(h));
  };
  // After i binds, layer i of the folded codeword is 2^i·Enc_i(Möbius(bound table)) (lib/fri): it is
  // encoded from the small bound table instead of folding the large layer before it, so layer 0
  // is only read for the queries. Every group's last layer is committed (the layer after the last
  // group is never needed: the final message replaces it).
  auto layer_due = [&] {
    const size_t i = chals.size(), g = trees.size() - 1;
    return i == s.start[g] + s.k[g] && i < s.folds;
  };
  auto commit_layer = [&](std::span<const QM31> bound) {
    const unsigned i = unsigned(chals.size());
    const size_t width = s.width(trees.size());
    layer_rows.push_back(encode_layer_rows(bound, s.m - i, i, width));
    corrupt(layer_rows.back(), fault, i);
    trees.push_back(std::make_shared<merkle::Tree>(std::span<const QM31>(layer_rows.back()), width));
    ch.absorb_digest("pcs/layer", trees.back()->root());
    proof.layer_roots.push_back(trees.back()->root());
  };

  // W = Σ_i λ_i eq(r_i, ·) is never materialised (sumcheck/batched_eq.hpp); its first k0 rounds run
  // per claim, and the first committed layer is e bound after them.
  std::vector<QM31> final_table;
  if (s.folds > 0) {
    std::vector<std::vector<QM31>> points;
    for (const Claim& c : claims) points.push_back(c.point);
    sumcheck::BatchedEqProver prover(com.values(), points, lambda, s.k[0]);
    for (unsigned i = 0; i < s.folds; ++i) {
      round(prover.round_poly());
      prover.bind(chals.back());
      if (layer_due()) commit_layer(prover.bound_e());
    }
    final_table = prover.bound_e();
  }

  if (s.folds == 0) {
    proof.final_message.resize(com.values().size());
    for (size_t i = 0; i < com.values().size(); ++i) proof.final_message[i] = QM31(com.values()[i]);
  } else {
    proof.final_message = std::move(final_table);
  }
  poly::mobius(std::span<QM31>(proof.final_message));
  ch.absorb_qm31s("pcs/final", proof.final_message);
  proof.pow_nonce = ch.grind(cfg.pow_bits);
  const std::vector<size_t> queries = ch.draw_indices("pcs/queries", cfg.queries, s.log_rows(0));

  for (size_t t = 0; t < s.trees(); ++t) {
    const std::vector<size_t> idx = rows_of(queries, s.log_rows(t));
    const size_t wdt = s.width(t);
    if (t == 0) {
      for (size_t j : idx) {
        const std::vector<M31> row = com.tree_->row(j);
        proof.rows0.insert(proof.rows0.end(), row.begin(), row.end());
      }
    } else {
      std::vector<QM31> opened;
      const auto& src = layer_rows[t - 1];
      for (size_t j : idx) opened.insert(opened.end(), src.begin() + j * wdt, src.begin() + (j + 1) * wdt);
      proof.layer_rows.push_back(std::move(opened));
    }
    proof.paths.push_back(trees[t]->open(idx));
  }
  return proof;
}

std::array<uint8_t, 16> values_digest(std::span<const M31> values, const std::function<void(std::span<const M31>)>& read) {
  static_assert(sizeof(M31) == 4);
  if (!read) return artifact::checksum({reinterpret_cast<const uint8_t*>(values.data()), values.size() * 4});
  // The same digest streamed (XXH3's streaming state gives the one-shot result).
  constexpr size_t kBlock = size_t(1) << 24;
  XXH3_state_t* state = XXH3_createState();
  if (!state) throw std::bad_alloc();
  XXH3_128bits_reset(state);
  for (size_t at = 0; at < values.size(); at += kBlock) {
    const std::span<const M31> block = values.subspan(at, std::min(kBlock, values.size() - at));
    XXH3_128bits_update(state, block.data(), block.size() * 4);
    read(block);
  }
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(state));
  XXH3_freeState(state);
  std::array<uint8_t, 16> out;
  std::copy_n(canon.digest, 16, out.begin());
  return out;
}

std::vector<M31> Committed::take_values() && {
  if (elsewhere_.data()) return {elsewhere_.begin(), elsewhere_.end()};
  return std::move(values_);
}

void Committed::relocate_values(std::span<const M31> where, std::shared_ptr<const void> owner,
                                const std::function<void(std::span<const M31>)>& read) {
  const std::span<const M31> now = values();
  if (where.size() != now.size()) throw std::logic_error("pcs: relocated values of another length");
  constexpr size_t kBlock = size_t(1) << 24;
  for (size_t at = 0; at < now.size(); at += kBlock) {
    const size_t n = std::min(kBlock, now.size() - at);
    const bool same = std::equal(where.begin() + at, where.begin() + at + n, now.begin() + at);
    if (read) read(where.subspan(at, n));
    if (!same) throw std::logic_error("pcs: relocated values differ from the committed ones");
  }
  elsewhere_ = where;
  elsewhere_owner_ = std::move(owner);
  std::vector<M31>().swap(values_);
}

Stored save(const Committed& c) { return Impl::save(c); }

Stored Impl::save(const Committed& c) {
  artifact::BodyWriter b(6);
  const Config& k = c.config();
  b.key("log_size"), b.pk.pack_uint32(c.log_size());
  b.key("config"), b.u32s(std::vector<uint32_t>{k.log_blowup, k.queries, k.pow_bits, k.fold_step, k.final_log, k.first_fold});
  const std::vector<merkle::Digest> kept = c.tree_->kept_layers();
  b.key("values_xxh3"), b.bin(values_digest(c.values()));
  b.key("root"), b.bin(c.root());
  b.key("codeword_xxh3"), b.bin(values_digest(c.tree_->values()));
  b.key("tree"), b.bin({reinterpret_cast<const uint8_t*>(kept.data()), kept.size() * sizeof(merkle::Digest)});
  return {artifact::wrap(kCommitmentKind, kCommitmentVersion, b.bytes()), c.tree_->values()};
}

Committed Impl::load(std::span<const uint8_t> header, std::span<const M31> codeword, std::shared_ptr<const void> owner,
                     std::vector<M31>&& values, const Config& config,
                     const std::function<void(std::span<const M31>)>& read) {
  const artifact::EnvelopeView env = artifact::unwrap_view(header, kCommitmentKind, kCommitmentVersion);
  const auto h = artifact::parse_body(env.body, kCommitmentKind);
  const artifact::MapView m(h.get(), kCommitmentKind);
  const std::vector<uint32_t> k = m.u32s("config");
  const Config stored = k.size() == 6 ? Config{k[0], k[1], k[2], k[3], k[4], k[5]} : Config{0, 0, 0, 0, 0, 0};
  if (!(stored == config)) throw BadInput("pcs-commitment: made with another PCS config");
  const std::array<uint8_t, 16> key = values_digest(values);
  const auto digest = m.bin("values_xxh3");
  if (m.u64("log_size") != poly::log2_exact(values.size(), "pcs load: vector length") ||
      !std::equal(digest.begin(), digest.end(), key.begin(), key.end()))
    throw BadInput("pcs-commitment: commits to other values");
  Committed out;
  out.log_size_ = unsigned(m.u64("log_size"));
  out.config_ = config;
  const Shape s = shape_of(out.log_size_, config);
  if (codeword.size() != size_t(1) << s.m) throw BadInput("pcs-commitment: codeword has the wrong length");
  // The checksum stands in for re-hashing the tree: a damaged word (or one that is no residue) fails it.
  const auto sum = m.bin("codeword_xxh3");
  const std::array<uint8_t, 16> actual = values_digest(codeword, read);
  if (!std::equal(sum.begin(), sum.end(), actual.begin(), actual.end()))
    throw BadInput("pcs-commitment: the codeword does not match its checksum");
  const auto tree = m.bin("tree");
  if (tree.size() % sizeof(merkle::Digest) != 0) throw BadInput("pcs-commitment: tree of a partial digest");
  static_assert(alignof(merkle::Digest) == 1);
  const std::span<const merkle::Digest> kept(reinterpret_cast<const merkle::Digest*>(tree.data()),
                                             tree.size() / sizeof(merkle::Digest));
  out.tree_ = std::make_shared<merkle::Tree>(merkle::Tree::of_cosets(codeword, s.width(0), std::move(owner), kept));
  const auto root = m.bin("root");
  if (!std::equal(root.begin(), root.end(), out.root().begin(), out.root().end()))
    throw BadInput("pcs-commitment: the stored tree does not end in the stored root");
  out.values_ = std::move(values);
  return out;
}

Committed load(std::span<const uint8_t> header, std::span<const M31> codeword, std::shared_ptr<const void> owner,
               std::vector<M31>&& values, const Config& config, const std::function<void(std::span<const M31>)>& read) {
  return Impl::load(header, codeword, std::move(owner), std::move(values), config, read);
}

Committed commit(std::span<const M31> values, const Config& config) {
  return Impl::commit(std::vector<M31>(values.begin(), values.end()), config, nullptr);
}
Committed commit(std::vector<M31>&& values, const Config& config) { return Impl::commit(std::move(values), config, nullptr); }
OpeningProof open(const Committed& com, std::span<const Claim> claims, Channel& ch) { return Impl::open(com, claims, ch, nullptr); }
Committed testing::commit(std::vector<M31> values, const Config& config, const Fault& fault) {
  return Impl::commit(std::move(values), config, &fault);
}
OpeningProof testing::open(const Committed& com, std::span<const Claim> claims, Channel& ch, const Fault& fault) {
  return Impl::open(com, claims, ch, &fault);
}

void verify(const hash::Digest& root, unsigned n, std::span<const Claim> claims, const OpeningProof& proof,
            Channel& ch, double floor_bits) {
  const Config& cfg = proof.config;
  check_floor(cfg, floor_bits);
  require(n <= kMaxLogSize, kWhere, "log_size above 28");
  check_claims(n, claims, true);
  const Shape s = shape_of(n, cfg);
  require(s.m <= kMaxLogDomain, kWhere, "log_size + log_blowup exceeds 30");
  const size_t n_trees = s.trees();
  require(proof.layer_roots.size() == n_trees - 1, kWhere,
          "proof has " + std::to_string(proof.layer_roots.size()) + " layer roots, expected " + std::to_string(n_trees - 1));
  require(proof.layer_rows.size() == n_trees - 1 && proof.paths.size() == n_trees, kWhere,
          "proof opens " + std::to_string(proof.paths.size()) + " layers, expected " + std::to_string(n_trees));
  const size_t final_len = size_t(1) << (n - s.folds);
  require(proof.final_message.size() == final_len, kWhere,
          "final message has " + std::to_string(proof.final_message.size()) + " coefficients, expected " +
              std::to_string(final_len));

  absorb_statement(ch, root, n, cfg, claims);
  const std::vector<QM31> lambda = batching_coefficients(ch, claims.size());
  QM31 claim;
  for (size_t i = 0; i < claims.size(); ++i) claim += lambda[i] * claims[i].value;
  size_t next_root = 0;
  const auto sc = sumcheck::verify(claim, s.folds, 2, proof.rounds, ch, kSumcheckLabel, [&](size_t i, QM31) {
    if (next_root + 1 < n_trees && s.start[next_root + 1] == i + 1) ch.absorb_digest("pcs/layer", proof.layer_roots[next_root++]);
  });
  const std::vector<QM31>& chal = sc.challenges;

  // claim_F == Σ_x W(s, x)·MLE(final)(x), W = Σ_i λ_i eq(r_i, ·).
  std::vector<QM31> w_rest(final_len);
  for (size_t i = 0; i < claims.size(); ++i) {
    std::span<const QM31> pt(claims[i].point);
    poly::add_eq_table(pt.subspan(s.folds), lambda[i] * poly::eq_eval(pt.first(s.folds), chal), w_rest);
  }
  std::vector<QM31> values = proof.final_message;
  poly::zeta(values);
  QM31 expect;
  for (size_t x = 0; x < final_len; ++x) expect += w_rest[x] * values[x];
  require(expect == sc.final_claim, kWhere, "final message does not match the sumcheck claim");

  ch.absorb_qm31s("pcs/final", proof.final_message);
  require(ch.check_pow(cfg.pow_bits, proof.pow_nonce), kWhere, "proof of work");
  const std::vector<size_t> queries = ch.draw_indices("pcs/queries", cfg.queries, s.log_rows(0));

  // Merkle openings of every committed layer, rows as QM31 (layer 0 lifted after its check).
  std::vector<std::vector<size_t>> idx(n_trees);
  std::vector<std::vector<QM31>> rows(n_trees);
  for (size_t t = 0; t < n_trees; ++t) {
    idx[t] = rows_of(queries, s.log_rows(t));
    const size_t expect_len = idx[t].size() * s.width(t);
    const size_t got = t == 0 ? proof.rows0.size() : proof.layer_rows[t - 1].size();
    require(got == expect_len, kWhere,
            "layer " + std::to_string(s.start[t]) + " opens " + std::to_string(got) + " values, expected " +
                std::to_string(expect_len));
    const hash::Digest& r = t == 0 ? root : proof.layer_roots[t - 1];
    try {
      if (t == 0) {
        merkle::verify(r, s.log_rows(0), s.width(0), idx[0], proof.rows0, proof.paths[0]);
        for (M31 v : proof.rows0) rows[0].push_back(QM31(v));
      } else {
        merkle::verify(r, s.log_rows(t), s.width(t), idx[t], proof.layer_rows[t - 1], proof.paths[t]);
        rows[t] = proof.layer_rows[t - 1];
      }
    } catch (const Rejected& e) {
      throw Rejected(kWhere, "layer " + std::to_string(s.start[t]) + " decommitment: " + e.what());
    }
  }

  const M31 scale = M31(2).pow(s.folds);
  for (size_t q : queries) {
    QM31 carried;
    for (size_t t = 0; t < n_trees; ++t) {
      const unsigned log_rows = s.log_rows(t);
      const size_t j = q & ((size_t(1) << log_rows) - 1);
      const size_t at = size_t(std::lower_bound(idx[t].begin(), idx[t].end(), j) - idx[t].begin());
      const size_t w = s.width(t);
      std::vector<QM31> row(rows[t].begin() + at * w, rows[t].begin() + (at + 1) * w);
      if (t > 0) {
        const size_t col = (q & ((size_t(1) << (s.m - s.start[t])) - 1)) >> log_rows;
        require(row[col] == carried, kWhere, "fold consistency at layer " + std::to_string(s.start[t]));
      }
      carried = fri::fold_row(row, j, log_rows, s.m, s.start[t], std::span<const QM31>(chal).subspan(s.start[t], s.k[t]));
    }
    // Layer F at position p must be 2^F·Enc(final message).
    const size_t p = q & ((size_t(1) << (s.m - s.folds)) - 1);
    const QM31 enc = s.folds == 0 ? circle::eval_circle_poly(proof.final_message, circle::domain_point(s.m, p))
                                  : circle::eval_line_poly(proof.final_message,
                                                           circle::domain_point(s.m - s.folds + 1, p).x) * scale;
    require(carried == enc, kWhere, "last layer does not match the final message");
  }
}

void OpeningProof::write(artifact::BodyWriter& w) const {
  w.pk.pack_map(8);
  w.key("config");
  const uint32_t cfg[6] = {config.log_blowup, config.queries,   config.pow_bits,
                           config.fold_step,  config.final_log, config.first_fold};
  w.u32s(cfg);
  sumcheck::write(w, "rounds", rounds);
  auto digests = [&](const std::vector<hash::Digest>& ds) {
    std::vector<uint8_t> b;
    for (const auto& d : ds) b.insert(b.end(), d.begin(), d.end());
    w.bin(b);
  };
  auto limbs = [&](const std::vector<QM31>& xs) {
    std::vector<M31> l;
    for (const auto& x : xs)
      for (M31 v : x.limbs()) l.push_back(v);
    w.m31s(l);
  };
  w.key("roots");
  digests(layer_roots);
  w.key("final");
  limbs(final_message);
  w.key("nonce");
  w.pk.pack(pow_nonce);
  w.key("rows0");
  w.m31s(rows0);
  w.key("layer_rows");
  w.pk.pack_array(uint32_t(layer_rows.size()));
  for (const auto& r : layer_rows) limbs(r);
  w.key("paths");
  w.pk.pack_array(uint32_t(paths.size()));
  for (const auto& p : paths) digests(p.siblings);
}

OpeningProof OpeningProof::read(const artifact::MapView& m) {
  auto qm31s = [](const std::vector<M31>& l, const std::string& what) {
    require(l.size() % 4 == 0, kWhere, what + ": length is not a whole number of QM31");
    std::vector<QM31> out;
    for (size_t i = 0; i < l.size(); i += 4) out.push_back(QM31(l[i], l[i + 1], l[i + 2], l[i + 3]));
    return out;
  };
  auto digests = [](std::span<const uint8_t> b, const std::string& what) {
    require(b.size() % 32 == 0, kWhere, what + ": length is not a whole number of digests");
    std::vector<hash::Digest> out(b.size() / 32);
    for (size_t i = 0; i < out.size(); ++i) std::copy_n(b.begin() + 32 * i, 32, out[i].begin());
    return out;
  };
  auto bin_of = [](const msgpack::object& o, const std::string& what) {
    require(o.type == msgpack::type::BIN, kWhere, what + " is not a bin");
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(o.via.bin.ptr), o.via.bin.size);
  };
  try {
    require(m.object().type == msgpack::type::MAP && m.object().via.map.size == 8, kWhere,
            "opening proof must be a map of exactly 8 fields");
    OpeningProof p;
    const auto cfg = m.u32s("config");
    require(cfg.size() == 6, kWhere, "config must have 6 entries");
    p.config = Config{cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], cfg[5]};
    const auto r = m.m31s("rounds");
    require(r.size() % 8 == 0, kWhere, "rounds: not a whole number of degree-2 rounds");
    p.rounds = sumcheck::from_limbs(r, unsigned(r.size() / 8), 2, kWhere);
    p.layer_roots = digests(m.bin("roots"), "roots");
    p.final_message = qm31s(m.m31s("final"), "final");
    p.pow_nonce = m.u64("nonce");
    p.rows0 = m.m31s("rows0");
    for (const auto& o : m.array("layer_rows"))
      p.layer_rows.push_back(qm31s(artifact::decode_m31s(bin_of(o, "layer_rows entry"), "layer_rows entry"), "layer_rows entry"));
    for (const auto& o : m.array("paths")) p.paths.push_back({digests(bin_of(o, "paths entry"), "paths entry")});
    return p;
  } catch (const BadInput& e) {
    throw Rejected(kWhere, std::string("malformed opening proof: ") + e.what());
  }
}

size_t OpeningProof::bytes() const {
  artifact::BodyWriter w(0);
  const size_t header = w.buf.size();
  write(w);
  return w.buf.size() - header;
}

}  // namespace zkm31::pcs
