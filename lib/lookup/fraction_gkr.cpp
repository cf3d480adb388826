#include "lookup/fraction_gkr.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "error/error.hpp"
#include "field/packed.hpp"
#include "parallel/parallel.hpp"
#include "poly/fastmul.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::lookup {

namespace {

constexpr size_t kGrain = size_t(1) << 11;
// Entries per block of recomputed fractions (a few tables of them stay in cache).
constexpr size_t kRecomputeBlock = size_t(1) << 12;

struct Layer {
  std::vector<QM31> p, q;
};

// Node i of the layer above children (p, q) and (hp, hq): P = p·hq + hp·q, Q = q·hq, in place over
// p, q (packed products: this is most of the work of recomputing a layer).
void join(QM31* p, QM31* q, const QM31* hp, const QM31* hq, size_t count) {
  std::vector<QM31> np(count);
  const std::span<QM31> P(p, count), Q(q, count), NP(np);
  const std::span<const QM31> HP(hp, count), HQ(hq, count);
  packed::mul(P, HQ, NP);
  packed::mul_add(HP, Q, NP);
  packed::mul(Q, HQ, Q);
  std::copy(np.begin(), np.end(), p);
}

// Layer k holds 2^k fractions (layer n: the leaves). Layers of up to 2^stored_log fractions are stored;
// the others are recomputed from the leaves block by block when read.
class FractionTree {
 public:
  FractionTree(unsigned n, LeafBlock leaves, unsigned stored_log)
      : n_(n), stored_log_(stored_log), leaves_(std::move(leaves)), layers_(n + 1) {
    if (stored_log < 2) throw std::logic_error("fraction GKR: stored_log below 2");
    const unsigned top = std::min(n, stored_log);
    Layer l{std::vector<QM31>(size_t(1) << top), std::vector<QM31>(size_t(1) << top)};  // not stored until filled
    parallel::for_range(l.p.size(), kRecomputeBlock, [&](size_t b, size_t e) {
      for (size_t x = b; x < e; x += kRecomputeBlock) {
        const size_t count = std::min(e - x, kRecomputeBlock);
        block(top, x, count, &l.p[x], &l.q[x]);
      }
    });
    layers_[top] = std::move(l);
    build_below(top);
  }
  FractionTree(std::vector<QM31> P, std::vector<QM31> Q)
      : n_(poly::log2_exact(P.size(), "fraction GKR: leaf count")), stored_log_(std::max(n_, kStoredLog)), layers_(n_ + 1) {
    if (Q.size() != P.size()) throw std::logic_error("fraction GKR: P and Q lengths differ");
    layers_[n_] = {std::move(P), std::move(Q)};
    build_below(n_);
  }

  unsigned n() const { return n_; }
  // Frees a stored layer the walk has passed (it goes from layer 1 to the leaves, never back).
  void drop(unsigned k) { layers_[k] = Layer{}; }
  unsigned stored_log() const { return stored_log_; }
  bool stored(unsigned k) const { return !layers_[k].p.empty(); }
  const Layer& layer(unsigned k) const { return layers_[k]; }

  // Fractions [first, first + count) of layer k.
  void block(unsigned k, size_t first, size_t count, QM31* p, QM31* q) const {
    if (stored(k)) {
      std::copy_n(&layers_[k].p[first], count, p);
      std::copy_n(&layers_[k].q[first], count, q);
    } else if (k == n_) {
      leaves_(first, count, p, q);
    } else {
      std::vector<QM31> hp(count), hq(count);
      block(k + 1, first, count, p, q);
      block(k + 1, first + (size_t(1) << k), count, hp.data(), hq.data());
      join(p, q, hp.data(), hq.data(), count);
    }
  }

 private:
  // Stores layers top − 1 down to 1 from layer top.
  void build_below(unsigned top) {
    for (unsigned k = top; k-- > 1;) {
      const Layer& c = layers_[k + 1];
      const size_t h = size_t(1) << k;
      Layer up{std::vector<QM31>(c.p.begin(), c.p.begin() + h), std::vector<QM31>(c.q.begin(), c.q.begin() + h)};
      parallel::for_range(h, kGrain, [&](size_t b, size_t e) { join(&up.p[b], &up.q[b], &c.p[h + b], &c.q[h + b], e - b); });
      layers_[k] = std::move(up);
    }
  }

  unsigned n_;
  unsigned stored_log_;  // layers of up to 2^stored_log_ fractions are stored
  LeafBlock leaves_;
  std::vector<Layer> layers_;
};

struct LayerResult {
  std::vector<QM31> rho;
  QM31 children[4];  // P0, P1, Q0, Q1 at ρ
};

// The layer sumcheck's tables P0, P1, Q0, Q1 (the two halves of the children layer), read through
// spans (the first round reads a stored layer in place) and bound into owned buffers that are reused
// round after round.
//
// eq(r, ·) is never bound (Gruen): with the point split at the current variable i,
//   h_i(X) = c_i · L_i(X) · g_i(X),  c_i = eq(r_<i, s_<i),  L_i(X) = eq(r_i, X),
//   g_i(X) = Σ_j E_i[j]·F(s_<i, X, j),  E_i = eq(r_>i, ·),  F = P0·Q1 + Q0·(P1 + μ·Q1),
// so each pair costs F at X = 0 and 2 times E_i[j]; g_i(1) follows from the claim (h(1) = claim − h(0))
// and g_i(3) from the three others (g is quadratic).
constexpr size_t kTables = 4;
using Views = std::array<std::span<const QM31>, kTables>;
using Tables = std::array<std::vector<QM31>, kTables>;
using Entry = std::array<QM31, kTables>;
using PairSums = std::array<QM31, 3>;  // g(0), g(2), and g(1) only when summed directly

// E = eq(r, ·) as the product of two tables over the low and high halves of r: a full table would be
// as large as the layer's tables (64 MB at 2^22 entries), these two are a few KB.
class EqSplit {
 public:
  explicit EqSplit(std::span<const QM31> r)
      : lo_bits_(unsigned(r.size() / 2)), lo_(poly::eq_table(r.first(lo_bits_))), hi_(poly::eq_table(r.subspan(lo_bits_))) {}
  // out[i] = E[first + i] = lo[(first + i) mod |lo|]·hi[(first + i) / |lo|], by packed products along
  // runs of the low table.
  void fill(size_t first, std::span<QM31> out) const {
    std::fill(out.begin(), out.end(), QM31());
    for (size_t i = 0; i < out.size();) {
      const size_t j = first + i, lo = j & (lo_.size() - 1), run = std::min(out.size() - i, lo_.size() - lo);
      packed::mul_add_scalar(std::span<const QM31>(lo_).subspan(lo, run), hi_[j >> lo_bits_], out.subspan(i, run));
      i += run;
    }
  }

 private:
  unsigned lo_bits_;
  std::vector<QM31> lo_, hi_;
};

// The children of a layer sumcheck: layer `layer` of the tree, as the four tables of 2^(layer − 1).
struct Children {
  const FractionTree& tree;
  unsigned layer;

  size_t half() const { return size_t(1) << (layer - 1); }
  bool stored() const { return tree.stored(layer); }
  Views views() const {
    const std::span<const QM31> p(tree.layer(layer).p), q(tree.layer(layer).q);
    return {p.first(half()), p.subspan(half()), q.first(half()), q.subspan(half())};
  }
  // Entries [first, first + count) of the four tables, recomputed.
  void fetch(size_t first, size_t count, Tables& out) const {
    for (auto& v : out) v.resize(count);
    tree.block(layer, first, count, out[0].data(), out[2].data());
    tree.block(layer, first + half(), count, out[1].data(), out[3].data());
  }
};

// Pairs per packed block of the round sums (the block's tables stay in L1/L2).
constexpr size_t kPairBlock = 256;

// Buffers of one worker's round sums: a block's entries per table at X = 0, 1, 2, E, temporaries (f
// also holds the differences of a bind).
struct PairScratch {
  Tables lo, hi, at2;
  std::vector<QM31> e, inner, f;
  PairScratch() {
    for (size_t k = 0; k < kTables; ++k) lo[k].resize(kPairBlock), hi[k].resize(kPairBlock), at2[k].resize(kPairBlock);
    e.resize(kPairBlock), inner.resize(kPairBlock), f.resize(kPairBlock);
  }
};

// Σ_i e[i]·F(v)[i] over n points, F = P0·Q1 + Q0·(P1 + μ·Q1), by packed products.
QM31 weighted_sum(const Tables& v, size_t n, QM31 mu, PairScratch& s) {
  const auto first = [n](const std::vector<QM31>& x) { return std::span<const QM31>(x).first(n); };
  const std::span<QM31> inner = std::span(s.inner).first(n), f = std::span(s.f).first(n);
  std::copy_n(v[1].begin(), n, inner.begin());
  packed::mul_add_scalar(first(v[3]), mu, inner);  // P1 + μ·Q1
  packed::mul(first(v[2]), inner, f);
  packed::mul_add(first(v[0]), first(v[3]), f);
  packed::mul(f, first(s.e), f);
  QM31 sum;
  for (const QM31& x : f) sum += x;
  return sum;
}

// Adds the sums of pairs j0 .. j0 + n (entries vals[k][2i], vals[k][2i + 1] for pair j0 + i) at X = 0,
// 2 (and 1 when `direct`) to acc.
void add_block(const Views& vals, size_t j0, size_t n, const EqSplit& e, QM31 mu, bool direct, PairScratch& s,
               PairSums& acc) {
  for (size_t k = 0; k < kTables; ++k)
    for (size_t i = 0; i < n; ++i) {
      s.lo[k][i] = vals[k][2 * i], s.hi[k][i] = vals[k][2 * i + 1];
      s.at2[k][i] = s.hi[k][i] + s.hi[k][i] - s.lo[k][i];
    }
  e.fill(j0, std::span(s.e).first(n));
  acc[0] += weighted_sum(s.lo, n, mu, s);
  acc[1] += weighted_sum(s.at2, n, mu, s);
  if (direct) acc[2] += weighted_sum(s.hi, n, mu, s);
}

// Runs body(b, e, acc, scratch) over [0, n) in parallel and adds up the per-chunk sums.
template <typename Body>
PairSums parallel_sums(size_t n, const Body& body) {
  PairSums total{};
  std::mutex m;
  parallel::for_range(n, kGrain, [&](size_t b, size_t e) {
    PairSums acc{};
    PairScratch scratch;
    body(b, e, acc, scratch);
    std::lock_guard lock(m);
    for (size_t i = 0; i < 3; ++i) total[i] += acc[i];
  });
  return total;
}

Views views(const Tables& t) {
  Views v;
  for (size_t k = 0; k < kTables; ++k) v[k] = t[k];
  return v;
}

// Pairs [b, end), block by block; pair j is entries 2(j − first), 2(j − first) + 1 of t.
void add_pairs(const Views& t, size_t first, size_t b, size_t end, const EqSplit& e, QM31 mu, bool direct,
               PairScratch& s, PairSums& acc) {
  for (size_t j0 = b; j0 < end; j0 += kPairBlock) {
    const size_t n = std::min(end - j0, kPairBlock);
    Views block;
    for (size_t k = 0; k < kTables; ++k) block[k] = t[k].subspan(2 * (j0 - first), 2 * n);
    add_block(block, j0, n, e, mu, direct, s, acc);
  }
}

// The sums of the current round over pairs (2j, 2j+1).
PairSums round_sums(const Views& t, const EqSplit& e, QM31 mu, bool direct) {
  return parallel_sums(t[0].size() / 2, [&](size_t b, size_t end, PairSums& acc, PairScratch& s) {
    add_pairs(t, 0, b, end, e, mu, direct, s, acc);
  });
}

// out = t with the lowest variable bound to r and, in the same pass, the next round's sums (≥ 4
// entries in t; e = the next round's E).
PairSums bind_and_sum(const Views& t, QM31 r, const EqSplit& e, QM31 mu, bool direct, Tables& out) {
  const size_t half = t[0].size() / 2;
  for (auto& v : out) v.resize(half);
  return parallel_sums(half / 2, [&](size_t b, size_t end, PairSums& acc, PairScratch& s) {
    // out[k][i] = t[k][2i] + r·(t[k][2i+1] − t[k][2i]) for i in [2b, 2·end), as packed products.
    for (size_t k = 0; k < kTables; ++k)
      for (size_t i0 = 2 * b; i0 < 2 * end; i0 += kPairBlock) {
        const size_t n = std::min(2 * end - i0, kPairBlock);
        for (size_t i = 0; i < n; ++i) {
          out[k][i0 + i] = t[k][2 * (i0 + i)];
          s.f[i] = t[k][2 * (i0 + i) + 1] - t[k][2 * (i0 + i)];
        }
        packed::mul_add_scalar(std::span(s.f).first(n), r, std::span(out[k]).subspan(i0, n));
      }
    add_pairs(views(out), 0, b, end, e, mu, direct, s, acc);
  });
}

// Scratch of bound_entries, one per worker: the recomputed entries, eqs repeated along them, products.
struct BindScratch {
  Tables raw;
  std::vector<QM31> tiled, products;
};

// Unstored children: entries [x0, x1) of the tables with their lowest log2 |eqs| variables bound
// (Σ_y eqs[y]·T(y + |eqs|·x)), recomputed into out[k][x − x0 + at].
void bound_entries(const Children& src, std::span<const QM31> eqs, size_t x0, size_t x1, Tables& out, size_t at,
                   BindScratch& s) {
  const size_t m = eqs.size(), len = (x1 - x0) * m;
  src.fetch(x0 * m, len, s.raw);
  if (m == 1) {  // nothing bound yet
    for (size_t k = 0; k < kTables; ++k) std::copy(s.raw[k].begin(), s.raw[k].end(), out[k].begin() + at);
    return;
  }
  // The products in one packed pass against eqs repeated (eqs is fixed for a scratch's lifetime).
  if (s.tiled.size() != len) {
    s.tiled.resize(len);
    for (size_t i = 0; i < len; ++i) s.tiled[i] = eqs[i & (m - 1)];
  }
  s.products.resize(len);
  for (size_t k = 0; k < kTables; ++k) {
    packed::mul(s.raw[k], s.tiled, s.products);
    for (size_t x = 0; x < x1 - x0; ++x) {
      QM31 acc;
      for (size_t y = 0; y < m; ++y) acc += s.products[x * m + y];
      out[k][at + x] = acc;
    }
  }
}

// Round sums over unstored children with the variables so far (rho) bound on the fly.
PairSums lazy_sums(const Children& src, std::span<const QM31> rho, const EqSplit& e, QM31 mu, bool direct) {
  const std::vector<QM31> eqs = poly::eq_table(rho);
  const size_t pairs_per_block = std::max<size_t>(1, kRecomputeBlock / (2 * eqs.size()));
  return parallel_sums(src.half() / (2 * eqs.size()), [&](size_t b, size_t end, PairSums& acc, PairScratch& s) {
    Tables bound;
    BindScratch scratch;
    for (auto& v : bound) v.resize(2 * pairs_per_block);
    for (size_t j0 = b; j0 < end; j0 += pairs_per_block) {
      const size_t j1 = std::min(end, j0 + pairs_per_block);
      bound_entries(src, eqs, 2 * j0, 2 * j1, bound, 0, scratch);
      add_pairs(views(bound), j0, j0, j1, e, mu, direct, s, acc);
    }
  });
}

// The tables of unstored children with the variables rho bound, stored into out.
void materialize(const Children& src, std::span<const QM31> rho, Tables& out) {
  const std::vector<QM31> eqs = poly::eq_table(rho);
  const size_t len = src.half() / eqs.size(), per_block = std::max<size_t>(1, kRecomputeBlock / eqs.size());
  for (auto& v : out) v.resize(len);
  parallel::for_range(len, per_block, [&](size_t b, size_t e) {
    BindScratch scratch;
    for (size_t x0 = b; x0 < e; x0 += per_block)
      bound_entries(src, eqs, x0, std::min(e, x0 + per_block), out, x0, scratch);
  });
}

// One layer's sumcheck: Σ_x eq(r,x)·[P0Q1 + P1Q0 + μ·Q0Q1] over the children's tables; returns ρ and
// the children at ρ. Unstored children run their first rounds on recomputed entries until the bound
// tables have 2^(stored_log − 1) entries, then store them and go on as usual.
LayerResult prove_layer(proof::Writer& w, const std::string& label, std::span<const QM31> r, const Children& src,
                        QM31 mu, QM31 claim) {
  LayerResult out;
  const size_t rounds = src.layer - 1;
  const size_t lazy = src.stored() ? 0 : rounds + 1 - src.tree.stored_log();
  Tables bufs[2];  // ping-pong: each bind writes the buffer t does not read
  size_t next_buf = 0;
  Views t{};
  if (!lazy) t = src.views();
  EqSplit e(r.subspan(1));
  QM31 c = QM31::one();
  // g(1) is derived as h(1)/(c·r_i) unless that is zero (then it is summed directly).
  auto direct = [&](size_t i) { return c * r[i] == QM31(); };
  PairSums g = lazy ? lazy_sums(src, {}, e, mu, direct(0)) : round_sums(t, e, mu, direct(0));
  Entry last{};
  for (size_t i = 0;; ++i) {
    const QM31 ri = r[i], one = QM31::one();
    const QM31 l0 = one - ri, l2 = ri + ri + ri - one, l3 = ri + ri + ri + ri + ri - one - one;  // L(0), L(2), L(3)
    const QM31 h0 = c * l0 * g[0];
    const QM31 g1 = direct(i) ? g[2] : (claim - h0) * (c * ri).inverse();
    const QM31 g3 = g[0] - g1 - g1 - g1 + g[1] + g[1] + g[1];
    const QM31 msg[3] = {h0, c * l2 * g[1], c * l3 * g3};
    w.send(label + "/round" + std::to_string(i), msg);
    const QM31 s = w.draw(label + "/r" + std::to_string(i));
    const QM31 evals[4] = {msg[0], claim - msg[0], msg[1], msg[2]};
    claim = poly::eval_from_values(evals, s);
    out.rho.push_back(s);
    c = c * (one - ri - s + (ri + ri) * s);  // · L_i(s)
    if (i + 1 == rounds) {  // tables of two entries (lazy < rounds: never reached before storing)
      for (size_t k = 0; k < kTables; ++k) last[k] = t[k][0] + poly::mul(s, t[k][1] - t[k][0]);
      break;
    }
    e = EqSplit(r.subspan(i + 2));
    Tables& dst = bufs[next_buf];
    next_buf ^= 1;
    if (i + 1 < lazy) {
      g = lazy_sums(src, out.rho, e, mu, direct(i + 1));
      continue;
    }
    if (i + 1 == lazy) {
      materialize(src, out.rho, dst);
      g = round_sums(views(dst), e, mu, direct(i + 1));
    } else {
      g = bind_and_sum(t, s, e, mu, direct(i + 1), dst);
    }
    t = views(dst);
  }
  std::copy(last.begin(), last.end(), out.children);
  w.send(label + "/children", out.children);
  return out;
}

std::vector<QM31> prove_tree(proof::Writer& w, const std::string& label, FractionTree&& tree) {
  if (tree.n() < 1) throw std::logic_error("gkr_prove: at least one variable");
  const Layer& l1 = tree.layer(1);
  const QM31 first[4] = {l1.p[0], l1.p[1], l1.q[0], l1.q[1]};
  w.send(label + "/layer1", first);
  QM31 lam = w.draw(label + "/layer1/lambda");
  std::vector<QM31> r{lam};
  QM31 cp = l1.p[0] + lam * (l1.p[1] - l1.p[0]), cq = l1.q[0] + lam * (l1.q[1] - l1.q[0]);
  tree.drop(1);
  for (unsigned k = 2; k <= tree.n(); ++k) {
    const std::string ll = label + "/layer" + std::to_string(k);
    QM31 mu = w.draw(ll + "/mu");
    LayerResult res = prove_layer(w, ll + "/sumcheck", r, Children{tree, k}, mu, cp + mu * cq);
    tree.drop(k);
    const QM31* c = res.children;
    lam = w.draw(ll + "/lambda");
    res.rho.push_back(lam);
    r = std::move(res.rho);
    cp = c[0] + lam * (c[1] - c[0]);
    cq = c[2] + lam * (c[3] - c[2]);
  }
  return r;
}

}  // namespace

std::vector<QM31> gkr_prove(proof::Writer& w, const std::string& label, unsigned n, const LeafBlock& leaves,
                            unsigned stored_log) {
  if (stored_log == 0) stored_log = n <= kStoredLeavesLog ? kStoredLeavesLog : std::min(kStoredLog, n - 1);
  return prove_tree(w, label, FractionTree(n, leaves, stored_log));
}

std::vector<QM31> gkr_prove(proof::Writer& w, const std::string& label, std::vector<QM31> P, std::vector<QM31> Q) {
  return prove_tree(w, label, FractionTree(std::move(P), std::move(Q)));
}

QM31 verify_round(proof::Reader& rd, const std::string& prefix, size_t round, QM31 claim, unsigned degree,
                  QM31& challenge) {
  std::vector<QM31> msg = rd.recv(prefix + "/round" + std::to_string(round), degree);
  std::vector<QM31> evals(degree + 1);
  evals[0] = msg[0];
  evals[1] = claim - msg[0];
  for (unsigned i = 2; i <= degree; ++i) evals[i] = msg[i - 1];
  challenge = rd.draw(prefix + "/r" + std::to_string(round));
  return poly::eval_from_values(evals, challenge);
}

GkrClaim gkr_verify(proof::Reader& rd, const std::string& label, unsigned n) {
  if (n < 1) throw std::logic_error("gkr_verify: at least one variable");
  std::vector<QM31> first = rd.recv(label + "/layer1", 4);
  GkrClaim out;
  out.root = {first[0] * first[3] + first[1] * first[2], first[2] * first[3]};
  QM31 lam = rd.draw(label + "/layer1/lambda");
  std::vector<QM31> r{lam};
  QM31 cp = first[0] + lam * (first[1] - first[0]), cq = first[2] + lam * (first[3] - first[2]);
  for (unsigned k = 1; k < n; ++k) {
    const std::string ll = label + "/layer" + std::to_string(k + 1);
    QM31 mu = rd.draw(ll + "/mu");
    QM31 claim = cp + mu * cq;
    std::vector<QM31> rho;
    for (unsigned i = 0; i < k; ++i) {
      QM31 ch;
      claim = verify_round(rd, ll + "/sumcheck", i, claim, 3, ch);
      rho.push_back(ch);
    }
    std::vector<QM31> c = rd.recv(ll + "/sumcheck/children", 4);
    require(poly::eq_eval(r, rho) * (c[0] * c[3] + c[1] * c[2] + mu * (c[2] * c[3])) == claim, label,
            "GKR layer " + std::to_string(k + 1) + ": final sumcheck claim mismatch");
    lam = rd.draw(ll + "/lambda");
    rho.push_back(lam);
    r = std::move(rho);
    cp = c[0] + lam * (c[1] - c[0]);
    cq = c[2] + lam * (c[3] - c[2]);
  }
  out.point = std::move(r);
  out.p = cp;
  out.q = cq;
  return out;
}

}  // namespace zkm31::lookup
