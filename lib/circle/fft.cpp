#include "circle/fft.hpp"

#include <immintrin.h>

#include <algorithm>
#include <string>

#include "error/error.hpp"
#include "field/simd.hpp"
#include "parallel/parallel.hpp"
#include "poly/bitrev.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::circle {
namespace {

// Stages on blocks of at most 2^kLocal entries run chunk by chunk while the chunk is in cache.
constexpr unsigned kLocal = 12;
// Forward stages keep cached twiddle arrays of at most 2^kTableLog entries (4 MB).
constexpr unsigned kTableLog = 20;

unsigned log2_of(size_t n, const char* what) {
  if (n == 0 || (n & (n - 1))) throw BadInput(std::string(what) + ": length must be a power of two");
  return unsigned(__builtin_ctzll(n));
}

// Twiddles of the stage whose blocks have 2^{t+1} entries in a size-2^m FFT: the circle level for the
// top stage, else the line level whose domain has 2^{t+1} points, i.e. xs(t+2).
const M31* stage_twiddles(unsigned m, unsigned t, bool inverse) {
  if (t + 1 == m) return (inverse ? inv_ys(m) : ys(m)).data();
  return (inverse ? inv_xs(t + 2) : xs(t + 2)).data();
}

// 16 forward butterflies per step on AVX-512 lanes (canonical residues in and out).
// GCC 12 reports a false -Wmaybe-uninitialized inside _mm512_mul_epu32.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"), always_inline)) inline __m512i mul_avx512(__m512i a, __m512i b) {
  const __m512i p = _mm512_set1_epi32(int(kP)), p64 = _mm512_set1_epi64(kP);
  __m512i e = _mm512_mul_epu32(a, b), o = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
  e = _mm512_add_epi64(_mm512_and_si512(e, p64), _mm512_srli_epi64(e, 31));  // < 2p, in the low 32 bits
  o = _mm512_add_epi64(_mm512_and_si512(o, p64), _mm512_srli_epi64(o, 31));
  __m512i r = _mm512_or_si512(e, _mm512_slli_epi64(o, 32));
  return _mm512_min_epu32(r, _mm512_sub_epi32(r, p));
}

__attribute__((target("avx512f"))) size_t butterflies_avx512(M31* lo, M31* hi, const M31* w, size_t count) {
  const __m512i p = _mm512_set1_epi32(int(kP));
  size_t j = 0;
  for (; j + 16 <= count; j += 16) {
    __m512i a = _mm512_loadu_si512(lo + j), b = _mm512_loadu_si512(hi + j), t = mul_avx512(b, _mm512_loadu_si512(w + j));
    __m512i s = _mm512_add_epi32(a, t), d = _mm512_sub_epi32(a, t);
    _mm512_storeu_si512(lo + j, _mm512_min_epu32(s, _mm512_sub_epi32(s, p)));
    _mm512_storeu_si512(hi + j, _mm512_min_epu32(d, _mm512_add_epi32(d, p)));
  }
  return j;
}
// A stage with half < 16 inside each 16-lane vector: lane i pairs with lane i ^ half; the pair's first
// lane gets a + w·b, the second a − w·b, with w = twiddles[i mod half] (the same in every block).
__attribute__((target("avx512f"))) void small_stage_avx512(M31* v, size_t len, size_t half, const M31* w) {
  const __m512i p = _mm512_set1_epi32(int(kP));
  alignas(64) uint32_t partner[16], tw[16];
  __mmask16 second = 0;
  for (uint32_t i = 0; i < 16; ++i) {
    partner[i] = i ^ uint32_t(half);
    tw[i] = w[i & (half - 1)].v;
    if (i & half) second |= __mmask16(1u << i);
  }
  const __m512i idx = _mm512_load_si512(partner), wv = _mm512_load_si512(tw);
  for (size_t j = 0; j < len; j += 16) {
    const __m512i x = _mm512_loadu_si512(v + j), y = _mm512_permutexvar_epi32(idx, x);
    const __m512i a = _mm512_mask_blend_epi32(second, x, y), b = _mm512_mask_blend_epi32(second, y, x);
    const __m512i t = mul_avx512(b, wv);
    const __m512i s = _mm512_add_epi32(a, t), d = _mm512_sub_epi32(a, t);
    const __m512i sum = _mm512_min_epu32(s, _mm512_sub_epi32(s, p)), diff = _mm512_min_epu32(d, _mm512_add_epi32(d, p));
    _mm512_storeu_si512(v + j, _mm512_mask_blend_epi32(second, sum, diff));
  }
}
#pragma GCC diagnostic pop

// Forward butterflies (lo, hi) → (lo + w·hi, lo − w·hi) for `count` consecutive pairs.
inline void butterflies(M31* lo, M31* hi, const M31* w, size_t count, bool avx512) {
  size_t j = avx512 && count >= 16 ? butterflies_avx512(lo, hi, w, count) : 0;
  for (; j < count; ++j) {
    M31 a = lo[j], b = hi[j] * w[j];
    lo[j] = a + b;
    hi[j] = a - b;
  }
}

// Forward butterflies on blocks of 2·half within [0, len).
inline void forward_stage(M31* v, size_t len, size_t half, const M31* w, bool avx512) {
  if (avx512 && half < 16 && len % 16 == 0) return small_stage_avx512(v, len, half, w);
  for (size_t base = 0; base < len; base += 2 * half) butterflies(v + base, v + base + half, w, half, avx512);
}

// Inverse butterflies without the 1/2: (a, b) → (a + b, (a − b)·w⁻¹).
inline void inverse_stage(M31* v, size_t len, size_t half, const M31* iw) {
  for (size_t base = 0; base < len; base += 2 * half)
    for (size_t j = 0; j < half; ++j) {
      M31 a = v[base + j], b = v[base + j + half];
      v[base + j] = a + b;
      v[base + j + half] = (a - b) * iw[j];
    }
}

// A stage over the whole array, split by butterfly index.
template <typename Stage>
void global_stage(std::vector<M31>& v, unsigned t, const M31* w, Stage stage) {
  const size_t half = size_t(1) << t, n_bfly = v.size() / 2;
  parallel::for_range(n_bfly, size_t(1) << 14, [&](size_t b, size_t e) {
    // Each chunk is a run of butterflies; split it at block boundaries.
    while (b < e) {
      size_t block = b >> t, j = b & (half - 1), run = std::min(e - b, half - j);
      M31* base = v.data() + block * 2 * half + j;
      for (size_t k = 0; k < run; ++k) {
        stage(base[k], base[k + half], w[j + k]);
      }
      b += run;
    }
  });
}

// Coefficients → bit-reversed positions of a 2^log_len array, each replicated 2^(log_len − n) times
// (coefficient bit k sits at position bit log_len−1−k); then the forward stages t ≥ that shift,
// with the twiddles of the size-2^m circle FFT (for log_len < m only its line stages run).
// With `mobius` the coefficients are Möbius(input), computed in the output array: the transform acts
// on every index bit alike, so it commutes with the bit reversal.
// With `bitreversed` the coefficients come already in bit-reversed order.
// The values go to v (2^log_len entries, every one overwritten).
void forward_into(std::span<const M31> coeffs, std::span<M31> v, unsigned log_len, unsigned m, bool mobius,
                  bool bitreversed) {
  const unsigned n = log2_of(coeffs.size(), "circle evaluate");
  if (n > log_len) throw BadInput("circle evaluate: 2^" + std::to_string(n) + " coefficients exceed the domain 2^" + std::to_string(log_len));
  if (m > 30) throw BadInput("circle evaluate: domain larger than 2^30");
  if (v.size() != size_t(1) << log_len) throw BadInput("circle evaluate: the output must have 2^log_domain entries");
  const unsigned shift = log_len - n;
  const std::span<M31> head = std::span<M31>(v).first(coeffs.size());
  if (bitreversed) {
    std::copy(coeffs.begin(), coeffs.end(), head.begin());
  } else {
    poly::bitrev_permute_into(coeffs, head, 0);
  }
  if (mobius) poly::mobius(head);
  // Spread in place from the top: sources [h, 2h) land on [h << shift, 2h << shift), above every
  // source still to be read.
  for (size_t h = coeffs.size() / 2; shift > 0 && h > 0; h /= 2) {
    parallel::for_range(h, size_t(1) << 12, [&](size_t b, size_t e) {
      for (size_t i = h + b; i < h + e; ++i) std::fill_n(v.begin() + (i << shift), size_t(1) << shift, v[i]);
    });
  }
  if (shift > 0) std::fill_n(v.begin(), size_t(1) << shift, v[0]);
  if (log_len == 0) return;
  const bool avx512 = simd::active() == simd::Backend::avx512;
  const unsigned local_end = std::min(log_len, kLocal);
  // Stages whose twiddles would take more than 2^kTableLog entries (the circle level of a large
  // domain — y of D_m, each twiddle used once — and the top line stages) compute them per chunk of
  // butterfly positions, once per stage, instead of keeping arrays as large as the codeword.
  std::vector<const M31*> tw(log_len);
  auto on_the_fly = [&](unsigned t) { return t >= local_end && t > kTableLog; };
  for (unsigned t = shift; t < log_len; ++t)
    if (!on_the_fly(t)) tw[t] = stage_twiddles(m, t, false);
  if (shift < local_end) {
    const size_t chunk = size_t(1) << local_end;
    parallel::for_range(v.size() / chunk, 1, [&](size_t b, size_t e) {
      for (size_t c = b; c < e; ++c)
        for (unsigned t = shift; t < local_end; ++t)
          forward_stage(v.data() + c * chunk, chunk, size_t(1) << t, tw[t], avx512);
    });
  }
  for (unsigned t = std::max(shift, local_end); t < log_len; ++t) {
    const size_t half = size_t(1) << t, blocks = v.size() / (2 * half);
    if (on_the_fly(t)) {  // chunks of positions j, each applied to every block
      const bool circle_level = t + 1 == m;
      parallel::for_range(half, size_t(1) << 14, [&](size_t b, size_t e) {
        std::vector<M31> w(e - b);
        domain_coordinates(circle_level ? m : t + 2, b, w, circle_level);
        for (size_t block = 0; block < blocks; ++block) {
          M31* lo = v.data() + block * 2 * half + b;
          butterflies(lo, lo + half, w.data(), e - b, avx512);
        }
      });
      continue;
    }
    parallel::for_range(v.size() / 2, size_t(1) << 14, [&](size_t b, size_t e) {
      while (b < e) {  // runs of consecutive butterflies within one block
        const size_t block = b >> t, j = b & (half - 1), run = std::min(e - b, half - j);
        M31* lo = v.data() + block * 2 * half + j;
        butterflies(lo, lo + half, tw[t] + j, run, avx512);
        b += run;
      }
    });
  }
}

std::vector<M31> forward(std::span<const M31> coeffs, unsigned log_len, unsigned m, bool mobius = false,
                         bool bitreversed = false) {
  std::vector<M31> v(size_t(1) << log_len);
  forward_into(coeffs, v, log_len, m, mobius, bitreversed);
  return v;
}

}  // namespace

std::vector<M31> evaluate(std::span<const M31> coeffs, unsigned m) { return forward(coeffs, m, m); }
std::vector<M31> evaluate_bitreversed(std::span<const M31> coeffs, unsigned m) { return forward(coeffs, m, m, false, true); }
void evaluate_bitreversed(std::span<const M31> coeffs, std::span<M31> out) {
  forward_into(coeffs, out, unsigned(__builtin_ctzll(out.size())), unsigned(__builtin_ctzll(out.size())), false, true);
}
std::vector<M31> evaluate_mobius(std::span<const M31> values, unsigned m) { return forward(values, m, m, true); }

// A line polynomial is a circle polynomial without y terms: on D_{m+1} its top (y) stage only copies
// the first half into the second, so the line stages of that FFT alone give the first half.
std::vector<M31> evaluate_line(std::span<const M31> coeffs, unsigned log_points) {
  return forward(coeffs, log_points, log_points + 1);
}
std::vector<M31> evaluate_line_mobius(std::span<const M31> values, unsigned log_points) {
  return forward(values, log_points, log_points + 1, true);
}

ResidueDomain::ResidueDomain(unsigned log_coeffs, unsigned log_domain, size_t residue) : n_(log_coeffs) {
  if (log_coeffs == 0 || log_coeffs > log_domain || log_domain > 30 || residue >> (log_domain - log_coeffs))
    throw BadInput("circle residue domain: needs 1 ≤ n ≤ m ≤ 30 and residue < 2^(m−n)");
  const unsigned shift = log_domain - log_coeffs;
  twiddles_.resize(n_);
  for (unsigned t = 0; t < n_; ++t) {
    // Stage t + shift of the size-2^m FFT at its twiddle indices residue + 2^shift·k: y of D_m for the
    // circle level, x of D_(t+shift+2) for a line level; D_M[j] = (4j + 1)·G_{2^(M+1)}.
    const bool circle_level = t + shift + 1 == log_domain;
    const unsigned M = circle_level ? log_domain : t + shift + 2;
    const CirclePoint g = subgroup_gen(M + 1), step = g.mul(uint64_t(4) << shift);
    CirclePoint p = g.mul(4 * uint64_t(residue) + 1);
    auto& w = twiddles_[t];
    w.resize(size_t(1) << t);
    for (size_t k = 0; k < w.size(); ++k, p = p + step) w[k] = circle_level ? p.y : p.x;
  }
}

void ResidueDomain::evaluate_bitreversed(std::span<const M31> coeffs, std::span<M31> out) const {
  if (coeffs.size() != size() || out.size() != size()) throw BadInput("circle residue domain: 2^n coefficients and values");
  std::copy(coeffs.begin(), coeffs.end(), out.begin());
  const bool avx512 = simd::active() == simd::Backend::avx512;
  const unsigned local_end = std::min(n_, kLocal);
  const size_t chunk = size_t(1) << local_end;
  for (size_t c = 0; c < out.size(); c += chunk)
    for (unsigned t = 0; t < local_end; ++t) forward_stage(out.data() + c, chunk, size_t(1) << t, twiddles_[t].data(), avx512);
  for (unsigned t = local_end; t < n_; ++t) forward_stage(out.data(), out.size(), size_t(1) << t, twiddles_[t].data(), avx512);
}

std::vector<M31> interpolate(std::span<const M31> values) { return poly::bitrev_permute<M31>(interpolate_bitreversed(values)); }

std::vector<M31> interpolate_bitreversed(std::span<const M31> values) {
  const unsigned m = log2_of(values.size(), "circle interpolate");
  if (m > 30) throw BadInput("circle interpolate: domain larger than 2^30");
  std::vector<M31> v(values.begin(), values.end());
  if (m == 0) return v;
  std::vector<const M31*> tw(m);
  for (unsigned t = 0; t < m; ++t) tw[t] = stage_twiddles(m, t, true);
  const unsigned local_end = std::min(m, kLocal);
  for (unsigned t = m; t-- > local_end;)
    global_stage(v, t, tw[t], [](M31& a, M31& b, M31 iw) {
      M31 x = a, y = b;
      a = x + y;
      b = (x - y) * iw;
    });
  const size_t chunk = size_t(1) << local_end;
  parallel::for_range(v.size() / chunk, 1, [&](size_t b, size_t e) {
    for (size_t c = b; c < e; ++c)
      for (unsigned t = local_end; t-- > 0;) inverse_stage(v.data() + c * chunk, chunk, size_t(1) << t, tw[t]);
  });
  // Every stage doubled the values; undo 2^m and the bit-reversed placement.
  const M31 scale = M31(2).pow(m).inverse();
  parallel::for_range(v.size(), size_t(1) << 14, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) v[i] *= scale;
  });
  return v;
}

namespace {
template <typename F>
F eval_with_factors(std::span<const F> coeffs, std::vector<M31> factors) {
  log2_of(coeffs.size(), "circle polynomial");
  std::vector<F> cur(coeffs.begin(), coeffs.end());
  for (size_t k = 0; cur.size() > 1; ++k) {
    for (size_t j = 0; j < cur.size() / 2; ++j) cur[j] = cur[2 * j] + cur[2 * j + 1] * factors[k];
    cur.resize(cur.size() / 2);
  }
  return cur[0];
}

std::vector<M31> factors_from(M31 first, M31 x, size_t n) {
  std::vector<M31> f{first};
  for (; f.size() < n; x = pi(x)) f.push_back(x);
  return f;
}
}  // namespace

M31 eval_circle_poly(std::span<const M31> coeffs, CirclePoint p) {
  return eval_with_factors(coeffs, factors_from(p.y, p.x, 32));
}
QM31 eval_circle_poly(std::span<const QM31> coeffs, CirclePoint p) {
  return eval_with_factors(coeffs, factors_from(p.y, p.x, 32));
}
QM31 eval_line_poly(std::span<const QM31> coeffs, M31 x) {
  return eval_with_factors(coeffs, factors_from(x, pi(x), 32));
}

}  // namespace zkm31::circle
