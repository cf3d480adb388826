#include "poly/multilinear.hpp"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "error/error.hpp"
#include "field/packed.hpp"
#include "field/simd.hpp"
#include "parallel/parallel.hpp"
#include "poly/fastmul.hpp"

namespace zkm31::poly {
namespace {

constexpr size_t kGrain = size_t(1) << 13;

template <typename F>
std::vector<QM31> fix_low_impl(std::span<const F> v, QM31 r) {
  if (v.size() < 2 || v.size() % 2) throw BadInput("fix_low: table length must be even and at least 2");
  std::vector<QM31> out(v.size() / 2);
  parallel::for_range(out.size(), kGrain, [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j) out[j] = r * (v[2 * j + 1] - v[2 * j]) + v[2 * j];
  });
  return out;
}

template <typename F>
std::vector<QM31> fix_high_impl(std::span<const F> v, std::span<const QM31> high) {
  unsigned n = log2_exact(v.size(), "fix_high: table length");
  if (high.size() > n) throw BadInput("fix_high: more variables than the table has");
  const size_t out_len = v.size() >> high.size();
  const std::vector<QM31> w = eq_table(high);
  std::vector<QM31> out(out_len);
  parallel::for_range(out_len, kGrain / 4, [&](size_t b, size_t e) {
    for (size_t t = 0; t < w.size(); ++t)
      for (size_t j = b; j < e; ++j) out[j] += w[t] * v[j + t * out_len];
  });
  return out;
}

// A product of two residues folded once (2^31 ≡ 1): < 2^32, so 2^31 of them fit a u64 sum.
inline uint64_t folded_product(uint32_t a, uint32_t b) {
  const uint64_t p = uint64_t(a) * b;
  return (p & kP) + (p >> 31);
}

QM31 reduce_limbs(const uint64_t acc[4]) {
  return QM31::from_limbs({M31::from_u64(acc[0]), M31::from_u64(acc[1]), M31::from_u64(acc[2]), M31::from_u64(acc[3])});
}

// acc[q] = Σ_t w[q][t]·row[t] (folded products).
ZKM31_VECTOR_CLONES
void dot_limbs(const uint32_t* const* w, const M31* row, size_t L, uint64_t* acc) {
  for (size_t q = 0; q < 4; ++q) {
    const uint32_t* wq = w[q];
    uint64_t a = 0;
    for (size_t t = 0; t < L; ++t) a += folded_product(wq[t], row[t].v);
    acc[q] = a;
  }
}

// acc[q·width + t] += Σ_{j ∈ [j0, j1)} w[q][j]·v[j·L + t0 + t] (folded products), t < width.
ZKM31_VECTOR_CLONES
void accumulate_columns(const uint32_t* const* w, const M31* v, size_t L, size_t j0, size_t j1, size_t t0, size_t width,
                        uint64_t* acc) {
  for (size_t j = j0; j < j1; ++j) {
    const M31* row = v + j * L + t0;
    for (size_t q = 0; q < 4; ++q) {
      const uint64_t s = w[q][j];
      uint64_t* a = acc + q * width;
      for (size_t t = 0; t < width; ++t) {
        const uint64_t p = s * row[t].v;
        a[t] += (p & kP) + (p >> 31);
      }
    }
  }
}

// The same two loops with explicit AVX-512 products: the compiler's own vectorisation emulates a
// 64×64-bit multiply (three vpmuludq) where one 32×32 → 64 vpmuludq per 8 lanes suffices.
ZKM31_TARGET_BEGIN(avx512f)
namespace avx512 {

inline __m512i fold_lanes(__m512i p) {
  return _mm512_add_epi64(_mm512_and_si512(p, _mm512_set1_epi64(kP)), _mm512_srli_epi64(p, 31));
}

void dot_limbs(const uint32_t* const* w, const M31* row, size_t L, uint64_t* acc) {
  const uint32_t* x = &row[0].v;
  for (size_t q = 0; q < 4; ++q) {
    __m512i s = _mm512_setzero_si512();
    size_t t = 0;
    for (; t + 16 <= L; t += 16) {  // even and odd u32 lanes, each product folded once
      const __m512i a = _mm512_loadu_si512(w[q] + t), b = _mm512_loadu_si512(x + t);
      const __m512i even = _mm512_mul_epu32(a, b);
      const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
      s = _mm512_add_epi64(s, _mm512_add_epi64(fold_lanes(even), fold_lanes(odd)));
    }
    alignas(64) uint64_t lanes[8];
    _mm512_store_si512(lanes, s);
    uint64_t total = 0;
    for (uint64_t l : lanes) total += l;
    for (; t < L; ++t) total += folded_product(w[q][t], x[t]);
    acc[q] = total;
  }
}

void accumulate_columns(const uint32_t* const* w, const M31* v, size_t L, size_t j0, size_t j1, size_t t0, size_t width,
                        uint64_t* acc) {
  for (size_t j = j0; j < j1; ++j) {
    const uint32_t* row = &v[j * L + t0].v;
    for (size_t q = 0; q < 4; ++q) {
      const __m512i s = _mm512_set1_epi64(int64_t(w[q][j]));
      uint64_t* a = acc + q * width;
      size_t t = 0;
      for (; t + 8 <= width; t += 8) {
        const __m512i x = _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + t)));
        const __m512i sum = _mm512_add_epi64(_mm512_loadu_si512(a + t), fold_lanes(_mm512_mul_epu32(x, s)));
        _mm512_storeu_si512(a + t, sum);
      }
      for (; t < width; ++t) a[t] += folded_product(w[q][j], row[t]);
    }
  }
}

}  // namespace avx512
ZKM31_TARGET_END

// The weights limb by limb (structure of arrays), so the inner loops vectorize.
std::array<std::vector<uint32_t>, 4> split_limbs(std::span<const QM31> w) {
  std::array<std::vector<uint32_t>, 4> out;
  for (auto& l : out) l.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const auto l = w[i].limbs();
    for (size_t k = 0; k < 4; ++k) out[k][i] = l[k].v;
  }
  return out;
}

template <typename F>
QM31 evaluate_impl(std::span<const F> v, std::span<const QM31> point) {
  if (v.size() != (size_t(1) << point.size()))
    throw BadInput("evaluate: table has " + std::to_string(v.size()) + " entries, point has " +
                   std::to_string(point.size()) + " coordinates");
  if (point.empty()) return QM31() + v[0];
  std::vector<QM31> cur = fix_low_impl(v, point[0]);
  for (size_t k = 1; k < point.size(); ++k) cur = fix_low_impl(std::span<const QM31>(cur), point[k]);
  return cur[0];
}

// hi[k] −= lo[k] over residues (an M31 table, or a QM31 table's limbs).
ZKM31_VECTOR_CLONES
void subtract_words(uint32_t* hi, const uint32_t* lo, size_t n) {
  for (size_t k = 0; k < n; ++k) hi[k] = hi[k] >= lo[k] ? hi[k] - lo[k] : hi[k] + kP - lo[k];
}

// v[i + half] −= v[i] for a run of n entries starting at v (M31 or QM31, limb by limb).
template <typename F>
void subtract_run(F* v, size_t half, size_t n) {
  static_assert(sizeof(F) % 4 == 0);
  constexpr size_t words = sizeof(F) / 4;
  subtract_words(reinterpret_cast<uint32_t*>(v + half), reinterpret_cast<const uint32_t*>(v), n * words);
}

// Pairs (b, b + half) for every b with bit `half` clear, over blocks of 2·half within [0, len).
template <typename F>
void mobius_level(F* v, size_t len, size_t half) {
  for (size_t lo = 0; lo < len; lo += 2 * half) subtract_run(v + lo, half, half);
}

template <typename F>
void mobius_impl(std::span<F> v) {
  log2_exact(v.size(), "mobius: table length");
  // Levels inside a chunk run chunk by chunk while it is in cache; larger levels split their pairs.
  const size_t chunk = std::min(v.size(), size_t(1) << 13);
  parallel::for_range(v.size() / chunk, 1, [&](size_t b, size_t e) {
    for (size_t c = b; c < e; ++c)
      for (size_t half = 1; half < chunk; half <<= 1) mobius_level(v.data() + c * chunk, chunk, half);
  });
  for (size_t half = chunk; half < v.size(); half <<= 1) {
    const unsigned lg = unsigned(__builtin_ctzll(half));
    parallel::for_range(v.size() / 2, kGrain, [&](size_t b, size_t e) {
      while (b < e) {  // runs of consecutive pairs within one block
        const size_t block = b >> lg, j = b & (half - 1), run = std::min(e - b, half - j);
        subtract_run(v.data() + block * 2 * half + j, half, run);
        b += run;
      }
    });
  }
}

}  // namespace

unsigned log2_exact(size_t n, const char* what) {
  if (n == 0 || (n & (n - 1))) throw BadInput(std::string(what) + " must be a power of two, got " + std::to_string(n));
  return unsigned(__builtin_ctzll(n));
}

void add_eq_table(std::span<const QM31> r, QM31 scale, std::span<QM31> acc) {
  if (acc.size() != (size_t(1) << r.size())) throw BadInput("add_eq_table: accumulator length is not 2^|r|");
  std::vector<QM31> t = eq_table(r, scale);
  parallel::for_range(acc.size(), kGrain, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) acc[i] += t[i];
  });
}

std::vector<QM31> eq_table(std::span<const QM31> r, QM31 scale) {
  std::vector<QM31> t(size_t(1) << r.size());
  t[0] = scale;
  // Variable k doubles the table: entries with bit k set get ·r_k, the others ·(1 − r_k), i.e.
  // t[i + len] = r_k·t[i] (onto zeros) and t[i] −= t[i + len], on packed lanes.
  for (size_t k = 0, len = 1; k < r.size(); ++k, len <<= 1) {
    const QM31 rk = r[k];
    parallel::for_range(len, kGrain, [&](size_t b, size_t e) {
      const std::span<QM31> lo = std::span(t).subspan(b, e - b), hi = std::span(t).subspan(len + b, e - b);
      packed::mul_add_scalar(lo, rk, hi);
      const std::span<M31> lo_limbs(reinterpret_cast<M31*>(lo.data()), 4 * lo.size());
      packed::sub(lo_limbs, std::span<const M31>(reinterpret_cast<const M31*>(hi.data()), 4 * hi.size()), lo_limbs);
    });
  }
  return t;
}

std::vector<QM31> eq_combination(std::span<const std::vector<QM31>> points, std::span<const QM31> coeffs) {
  if (points.empty() || points.size() != coeffs.size()) throw BadInput("eq_combination: one coefficient per point");
  const size_t n = points[0].size(), n_lo = n / 2;
  std::vector<std::vector<QM31>> lo, hi;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != n) throw BadInput("eq_combination: points of different lengths");
    std::span<const QM31> r(points[i]);
    lo.push_back(eq_table(r.first(n_lo), coeffs[i]));
    hi.push_back(eq_table(r.subspan(n_lo)));
  }
  const size_t lo_len = size_t(1) << n_lo, hi_len = size_t(1) << (n - n_lo);
  std::vector<QM31> out(lo_len * hi_len);
  parallel::for_range(hi_len, std::max<size_t>(1, kGrain >> n_lo), [&](size_t b, size_t e) __attribute__((flatten)) {
    for (size_t x = b; x < e; ++x) {
      std::span<QM31> row(out.data() + x * lo_len, lo_len);
      for (size_t i = 0; i < lo.size(); ++i) packed::mul_add_scalar(lo[i], hi[i][x], row);
    }
  });
  return out;
}

QM31 eq_eval(std::span<const QM31> r, std::span<const QM31> s) {
  if (r.size() != s.size()) throw BadInput("eq_eval: points of different lengths");
  QM31 acc = QM31::one();
  for (size_t k = 0; k < r.size(); ++k) {
    QM31 rs = r[k] * s[k];
    acc *= rs + rs - r[k] - s[k] + M31::one();
  }
  return acc;
}

QM31 evaluate(std::span<const M31> v, std::span<const QM31> point) {
  // Large tables: the low variables bound by one weighted pass (no QM31 table half the size of v).
  constexpr size_t kLow = 10;
  if (point.size() <= kLow || v.size() != (size_t(1) << point.size())) return evaluate_impl(v, point);
  const std::vector<QM31> rows = weighted_rows(v, eq_table(point.first(kLow)));
  return evaluate_impl(std::span<const QM31>(rows), point.subspan(kLow));
}
QM31 evaluate(std::span<const QM31> v, std::span<const QM31> point) { return evaluate_impl(v, point); }
std::vector<QM31> fix_low(std::span<const M31> v, QM31 r) { return fix_low_impl(v, r); }
std::vector<QM31> fix_low(std::span<const QM31> v, QM31 r) { return fix_low_impl(v, r); }
std::vector<QM31> fix_high(std::span<const M31> v, std::span<const QM31> high) {
  const unsigned n = log2_exact(v.size(), "fix_high: table length");
  if (high.size() > n) throw BadInput("fix_high: more variables than the table has");
  return weighted_columns(v, eq_table(high));
}
std::vector<QM31> fix_high(std::span<const QM31> v, std::span<const QM31> high) { return fix_high_impl(v, high); }
std::vector<QM31> weighted_rows(std::span<const M31> v, std::span<const QM31> w) {
  const size_t L = w.size();
  if (L == 0 || v.size() % L) throw BadInput("weighted_rows: table length is not a multiple of the weights'");
  const auto wl = split_limbs(w);
  const uint32_t* limbs[4] = {wl[0].data(), wl[1].data(), wl[2].data(), wl[3].data()};
  const bool avx512 = simd::active() == simd::Backend::avx512;
  std::vector<QM31> out(v.size() / L);
  parallel::for_range(out.size(), std::max<size_t>(1, kGrain / L), [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j) {
      uint64_t acc[4];
      if (avx512)
        avx512::dot_limbs(limbs, v.data() + j * L, L, acc);
      else
        dot_limbs(limbs, v.data() + j * L, L, acc);
      out[j] = reduce_limbs(acc);
    }
  });
  return out;
}

std::vector<QM31> weighted_columns(std::span<const M31> v, std::span<const QM31> w) {
  const size_t rows = w.size();
  if (rows == 0 || v.size() % rows) throw BadInput("weighted_columns: table length is not a multiple of the weights'");
  const size_t L = v.size() / rows;
  const auto wl = split_limbs(w);
  const uint32_t* limbs[4] = {wl[0].data(), wl[1].data(), wl[2].data(), wl[3].data()};
  const bool avx512 = simd::active() == simd::Backend::avx512;
  // Sums of ≤ 2^28 folded products (< 2^32 each) stay below 2^60.
  auto accumulate = [&](size_t j0, size_t j1, size_t t0, size_t t1, uint64_t* acc) {
    if (avx512)
      avx512::accumulate_columns(limbs, v.data(), L, j0, j1, t0, t1 - t0, acc);
    else
      accumulate_columns(limbs, v.data(), L, j0, j1, t0, t1 - t0, acc);
  };
  std::vector<QM31> out(L);
  if (L >= 256) {  // wide rows: split the columns
    parallel::for_range(L, 256, [&](size_t b, size_t e) {
      std::vector<uint64_t> acc(4 * (e - b), 0);
      accumulate(0, rows, b, e, acc.data());
      for (size_t t = b; t < e; ++t) {
        const uint64_t a[4] = {acc[t - b], acc[(e - b) + t - b], acc[2 * (e - b) + t - b], acc[3 * (e - b) + t - b]};
        out[t] = reduce_limbs(a);
      }
    });
    return out;
  }
  // Narrow rows: each chunk of rows sums into its own accumulators, added at the end.
  const size_t grain = std::max<size_t>(1, (kGrain * 8) / L);
  const size_t chunks = (rows + grain - 1) / grain;
  std::vector<uint64_t> partial(chunks * 4 * L, 0);
  parallel::for_range(chunks, 1, [&](size_t cb, size_t ce) {
    for (size_t c = cb; c < ce; ++c) accumulate(c * grain, std::min(rows, (c + 1) * grain), 0, L, partial.data() + c * 4 * L);
  });
  for (size_t t = 0; t < L; ++t) {
    uint64_t acc[4] = {0, 0, 0, 0};
    for (size_t c = 0; c < chunks; ++c)
      for (size_t k = 0; k < 4; ++k) acc[k] += partial[(c * 4 + k) * L + t];
    out[t] = reduce_limbs(acc);
  }
  return out;
}

void mobius(std::span<M31> v) { mobius_impl(v); }
void mobius(std::span<QM31> v) { mobius_impl(v); }

void zeta(std::span<QM31> v) {
  log2_exact(v.size(), "zeta: table length");
  for (size_t half = 1; half < v.size(); half <<= 1)
    for (size_t lo = 0; lo < v.size(); lo += 2 * half)
      for (size_t i = lo; i < lo + half; ++i) v[i + half] += v[i];
}

QM31 eval_monomial(std::span<const QM31> c, std::span<const QM31> x) {
  if (c.size() != (size_t(1) << x.size())) throw BadInput("eval_monomial: 2^|x| coefficients expected");
  // Fold the lowest variable first: c'[j] = c[2j] + x_0·c[2j+1].
  std::vector<QM31> cur(c.begin(), c.end());
  for (size_t k = 0; k < x.size(); ++k) {
    for (size_t j = 0; j < cur.size() / 2; ++j) cur[j] = cur[2 * j] + x[k] * cur[2 * j + 1];
    cur.resize(cur.size() / 2);
  }
  return cur[0];
}

namespace {

// 1/Π_{j≠i}(i − j) = (−1)^(n−1−i) / (i!·(n−1−i)!): the barycentric weight of node i among 0..n−1.
M31 lagrange_weight(size_t n, size_t i) {
  constexpr size_t kCached = 64;
  static const std::array<M31, kCached> inverse_factorial = [] {
    std::array<M31, kCached> f;
    M31 acc = M31::one();
    for (size_t k = 0; k < kCached; ++k) f[k] = acc.inverse(), acc *= M31::from_u64(k + 1);
    return f;
  }();
  if (n > kCached) {
    M31 den = M31::one();
    for (size_t j = 0; j < n; ++j)
      if (j != i) den *= M31::from_signed(int64_t(i) - int64_t(j));
    return den.inverse();
  }
  const M31 w = inverse_factorial[i] * inverse_factorial[n - 1 - i];
  return (n - 1 - i) % 2 ? -w : w;
}

}  // namespace

QM31 eval_from_values(std::span<const QM31> values, QM31 x) {
  if (values.empty()) throw BadInput("eval_from_values: no values");
  const size_t n = values.size();
  // Π_{j≠i}(x − j) = prefix·suffix[i + 1], prefix = Π_{j<i}(x − j): O(n) products, no inversion.
  // Round polynomials have a handful of values: their suffix products stay on the stack.
  std::array<QM31, 9> small;
  std::vector<QM31> large(n + 1 > small.size() ? n + 1 : 0);
  const std::span<QM31> suffix = large.empty() ? std::span<QM31>(small).first(n + 1) : std::span<QM31>(large);
  suffix[n] = QM31::one();
  for (size_t j = n; j-- > 0;) suffix[j] = suffix[j + 1] * (x - M31(uint32_t(j)));
  QM31 acc, prefix = QM31::one();
  for (size_t i = 0; i < n; ++i) {
    acc += values[i] * (prefix * suffix[i + 1]) * lagrange_weight(n, i);
    prefix *= x - M31(uint32_t(i));
  }
  return acc;
}

}  // namespace zkm31::poly
