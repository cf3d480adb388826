#include "model/tables.hpp"

#include <algorithm>
#include <cmath>

#include "error/error.hpp"

namespace zkm31::model {

namespace {

// Fixed point with F fractional bits in 128-bit integers. Constants were computed to 60 digits.
using i128 = __int128;
constexpr int F = 56;
constexpr i128 ONE = i128(1) << F;
constexpr i128 LN2 = 49946518145322874;             // ln 2 · 2^56
constexpr i128 SQRT_2_OVER_PI = 57493641771463300;  // sqrt(2/π) · 2^56
constexpr i128 INV_SQRT2 = 50952413380206181;       // 1/sqrt(2) · 2^56
constexpr i128 TWO_OVER_SQRTPI_40 = 1240666014762;  // 2/sqrt(π) · 2^40

i128 floor_div(i128 a, i128 b) {  // b > 0
  i128 q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
// round half up of a/b, b > 0
i128 round_div(i128 a, i128 b) { return floor_div(2 * a + b, 2 * b); }

i128 mul(i128 a, i128 b) { return round_div(a * b, ONE); }

// exp(−x) for x ≥ 0: x = k·ln2 + r, exp(−r) by its Taylor series (r < ln2), then a shift by k.
i128 exp_neg(i128 x) {
  if (x >= 60 * ONE) return 0;
  i128 k = x / LN2, r = x - k * LN2;
  i128 sum = ONE, term = ONE;
  for (int n = 1; n < 40 && term != 0; ++n) {
    term = -round_div(term * r, ONE * n);
    sum += term;
  }
  return k ? round_div(sum, i128(1) << int(k)) : sum;
}

i128 sigmoid(i128 x) {
  if (x >= 0) return round_div(ONE * ONE, ONE + exp_neg(x));
  i128 e = exp_neg(-x);
  return round_div(e * ONE, ONE + e);
}

i128 tanh_fx(i128 x) { return 2 * sigmoid(2 * x) - ONE; }

// erf(z), z ≥ 0: e^(−z²)·(2/√π)·Σ 2^n z^(2n+1)/(2n+1)!!, a series of positive terms (no cancellation),
// evaluated with 40 fractional bits so the growing terms stay in range; erf(z) = 1 to 1e-10 beyond 4.5.
i128 erf_fx(i128 z) {
  if (z >= 9 * ONE / 2) return ONE;
  constexpr int G = 40;
  i128 z40 = round_div(z, i128(1) << (F - G)), one40 = i128(1) << G;
  i128 z2 = round_div(z40 * z40, one40);
  i128 term = z40, sum = z40;
  for (int n = 1; n < 400 && term != 0; ++n) {
    term = round_div(term * 2 * z2, one40 * (2 * n + 1));
    sum += term;
  }
  i128 e = exp_neg(round_div(z * z, ONE));  // e^(−z²) in Q56: tiny, so keep all its bits
  i128 r = round_div(round_div(sum * e, ONE) * TWO_OVER_SQRTPI_40, one40);
  return std::min(r << (F - G), ONE);
}

// ln x for x > 0: x = m·2^k with m ∈ [1, 2), ln m = 2·atanh(z) = 2·Σ z^(2n+1)/(2n+1), z = (m − 1)/(m + 1) ≤ 1/3.
i128 ln_fx(i128 x) {
  int k = 0;
  while (x >= 2 * ONE) x = round_div(x, 2), ++k;
  while (x < ONE) x <<= 1, --k;
  const i128 z = round_div((x - ONE) * ONE, x + ONE), z2 = mul(z, z);
  i128 term = z, sum = z;
  for (int n = 1; n < 60 && term != 0; ++n) {
    term = mul(term, z2);
    sum += round_div(term, 2 * n + 1);
  }
  return k * LN2 + 2 * sum;
}

// ln(1 + e^x) = max(x, 0) + ln(1 + e^−|x|).
i128 softplus(i128 x) { return std::max<i128>(x, 0) + ln_fx(ONE + exp_neg(x < 0 ? -x : x)); }

i128 eval_one(const std::string& fn, i128 x) {
  if (fn == "sigmoid") return sigmoid(x);
  if (fn == "tanh") return tanh_fx(x);
  if (fn == "silu") return mul(x, sigmoid(x));
  // e^x = 2^k·e^−(k·ln2 − x) for x > 0 (full precision), saturating beyond x = 30 (e^30 in Q56 is
  // below 2^100, far above any output range).
  if (fn == "exp") {
    if (x <= 0) return exp_neg(-x);
    if (x > 30 * ONE) return i128(1) << 110;
    const i128 k = x / LN2 + 1;
    return exp_neg(k * LN2 - x) << int(k);
  }
  if (fn == "softplus") return softplus(x);
  if (fn == "elu") return x >= 0 ? x : exp_neg(-x) - ONE;
  if (fn == "mish") return mul(x, tanh_fx(softplus(x)));
  if (fn == "logsigmoid") return -softplus(-x);
  if (fn == "softsign") {  // sign(x)·(1 − 1/(1 + |x|)): no product with x (a chain may feed it e^30)
    const i128 v = ONE - round_div(ONE * ONE, ONE + (x < 0 ? -x : x));
    return x < 0 ? -v : v;
  }
  if (fn == "elu_neg") return x >= 0 ? 0 : exp_neg(-x) - ONE;
  if (fn == "neg") return -x;
  if (fn == "exp_neg") return x < 0 ? throw BadInput("table exp_neg: negative input") : exp_neg(x);
  if (fn == "log") return x <= 0 ? throw BadInput("table log: input not positive") : ln_fx(x);
  if (fn == "gelu_tanh" || fn == "gelu_erf") {
    if (x >= 16 * ONE) return x;
    if (x <= -16 * ONE) return 0;
    i128 t;
    if (fn == "gelu_tanh") {
      i128 x3 = mul(mul(x, x), x);
      t = tanh_fx(mul(SQRT_2_OVER_PI, x + round_div(x3 * 44715, 1000000)));
    } else {
      i128 z = mul(x, INV_SQRT2);
      t = z >= 0 ? erf_fx(z) : -erf_fx(-z);
    }
    return round_div(x * (ONE + t), 2 * ONE);
  }
  throw BadInput("unknown table function '" + fn + "'");
}

// A chain "f>g" is g(f(x)): fused consecutive elementwise functions are one table.
i128 eval_fx(const std::string& fn, i128 x) {
  size_t start = 0;
  for (size_t end; (end = fn.find('>', start)) != std::string::npos; start = end + 1) x = eval_one(fn.substr(start, end - start), x);
  return eval_one(fn.substr(start), x);
}

// floor(sqrt(n)) for n ≥ 0.
i128 isqrt(i128 n) {
  if (n < 2) return n;
  i128 x = i128(std::sqrt(double(n)));  // a starting point only; corrected exactly below
  while (x * x > n) --x;
  while ((x + 1) * (x + 1) <= n) ++x;
  return x;
}

void need(bool ok, const std::string& fn) {
  if (!ok) throw BadInput("table " + fn + ": parameters out of range");
}

}  // namespace

std::vector<int64_t> make_table(const std::string& fn, const std::vector<int64_t>& params, int64_t in_lo, int64_t size,
                                int64_t out_lo, int64_t out_hi) {
  if (size < 1 || size > (int64_t(1) << 16)) throw BadInput("table " + fn + ": size out of range");
  if (std::abs(in_lo) > (int64_t(1) << 30)) throw BadInput("table " + fn + ": domain out of range");
  std::vector<int64_t> out(size_t(size), 0);
  if (fn == "rsqrt" || fn == "recip") {
    need(params.size() == 3, fn);
    int64_t ns = params[0], im = params[1], is = params[2];
    need(ns >= 0 && ns <= 40 && im > 0 && im < (int64_t(1) << 32) && is >= 0 && is <= 62 && ns + is <= 100, fn);
    need(in_lo >= 1, fn);
    for (int64_t i = 0; i < size; ++i) {
      i128 d = i128(in_lo + i) * im;
      i128 v;
      if (fn == "recip") {
        v = round_div(i128(1) << (ns + is), d);  // 2^ns / (x·im/2^is)
      } else {
        // 2^ns / sqrt(x·im/2^is) = sqrt(N/d) with N = 2^(2ns+is); round half up exactly:
        // v = floor(sqrt(N/d)), then v+1 if (2v+1)²·d ≤ 4N.
        need(2 * ns + is <= 100, fn);
        i128 N = i128(1) << (2 * ns + is);
        v = isqrt(N / d);
        if ((2 * v + 1) * (2 * v + 1) * d <= 4 * N) ++v;
      }
      out[size_t(i)] = int64_t(std::clamp<i128>(v, out_lo, out_hi));
    }
    return out;
  }
  need(params.size() == 4, fn);
  int64_t im = params[0], is = params[1], om = params[2], os = params[3];
  // Shifts up to 96: scales down to ~2^-70 (activations that nearly vanish, e.g. a freshly initialised
  // network's) keep a table; every product below stays far inside i128.
  need(im > 0 && im < (int64_t(1) << 32) && is >= 0 && is <= 96 && om > 0 && om < (int64_t(1) << 32) && os >= 0 &&
           os <= 96,
       fn);
  // The functions run in Q56 on i128: an input beyond ±2^13 (far past any calibrated activation)
  // would overflow their products (silu's x·sigmoid(x)).
  need(i128(std::max(std::abs(in_lo), std::abs(in_lo + size - 1))) * im <= i128(1) << (13 + is), fn);
  for (int64_t i = 0; i < size; ++i) {
    i128 x = round_div(i128(in_lo + i) * im * ONE, i128(1) << is);
    i128 y = eval_fx(fn, x);
    // y·2^os / (om·ONE), rounded, without forming y·2^os; a value that large is clamped anyway.
    const i128 y_abs = y < 0 ? -y : y;
    i128 v = os <= F ? round_div(y, i128(om) << (F - os))
             : y_abs >= i128(1) << (120 - (os - F)) ? (y < 0 ? i128(out_lo) : i128(out_hi))
                                                    : round_div(y * (i128(1) << (os - F)), i128(om));
    if (fn == "exp_neg" && i == size - 1) v = 0;
    out[size_t(i)] = int64_t(std::clamp<i128>(v, out_lo, out_hi));
  }
  return out;
}

std::pair<int64_t, int64_t> scale_to_fixed(double scale, int bits) {
  if (!(scale > 0) || !std::isfinite(scale)) throw BadInput("scale must be positive and finite");
  int e;
  std::frexp(scale, &e);  // scale = f·2^e, f in [0.5, 1)
  int64_t shift = bits - e;
  int64_t mult = std::llround(std::ldexp(scale, int(shift)));
  if (mult >= (int64_t(1) << bits)) mult >>= 1, --shift;
  return {mult, shift};
}

double table_fn_real(const std::string& fn, double x) {
  if (size_t k = fn.find('>'); k != std::string::npos) return table_fn_real(fn.substr(k + 1), table_fn_real(fn.substr(0, k), x));
  if (fn == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (fn == "tanh") return std::tanh(x);
  if (fn == "silu") return x / (1.0 + std::exp(-x));
  if (fn == "exp") return std::exp(x);
  if (fn == "softplus") return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
  if (fn == "elu") return x >= 0 ? x : std::expm1(x);
  if (fn == "mish") return x * std::tanh(std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))));
  if (fn == "logsigmoid") return std::min(x, 0.0) - std::log1p(std::exp(-std::abs(x)));
  if (fn == "softsign") return x / (1.0 + std::abs(x));
  if (fn == "elu_neg") return std::expm1(std::min(x, 0.0));
  if (fn == "neg") return -x;
  if (fn == "exp_neg") return std::exp(-x);
  if (fn == "log") return std::log(x);
  if (fn == "gelu_tanh") return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  if (fn == "gelu_erf") return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  if (fn == "rsqrt") return 1.0 / std::sqrt(x);
  if (fn == "recip") return 1.0 / x;
  throw BadInput("unknown table function '" + fn + "'");
}

}  // namespace zkm31::model
