#include "fri/fold.hpp"

#include <string>

#include "circle/circle.hpp"
#include "error/error.hpp"
#include "parallel/parallel.hpp"
#include "poly/fastmul.hpp"

namespace zkm31::fri {
namespace {

unsigned log_len(size_t n, const char* what) {
  if (n < 2 || (n & (n - 1))) throw BadInput(std::string(what) + ": layer length must be a power of two ≥ 2");
  return unsigned(__builtin_ctzll(n));
}

template <typename F>
std::vector<QM31> fold_with(std::span<const F> v, QM31 s, const std::vector<M31>& inv_tw) {
  const size_t h = v.size() / 2;
  std::vector<QM31> out(h);
  parallel::for_range(h, size_t(1) << 12, [&](size_t b, size_t e) __attribute__((flatten)) {
    for (size_t j = b; j < e; ++j) {
      F a = v[j], c = v[j + h];
      out[j] = poly::mul(s, (a - c) * inv_tw[j]) + (a + c);
    }
  });
  return out;
}

}  // namespace

QM31 fold_row(std::span<QM31> row, size_t j, unsigned log_rows, unsigned log_domain, unsigned first_layer,
              std::span<const QM31> challenges) {
  if (row.size() != (size_t(1) << challenges.size())) throw BadInput("fold_row: row width is not 2^k");
  if (log_rows >= 63 || (j >> log_rows) != 0) throw BadInput("fold_row: row index out of range");
  std::vector<M31> inv_tw(row.size() / 2);
  size_t w = row.size();
  for (unsigned a = first_layer; w > 1; ++a, w /= 2) {
    // The pairs' first elements j + t·2^log_rows lie in the first half of their domain D_m, where
    // D_m[i] = (4i+1)·G_{2^{m+1}}: consecutive ones differ by one step point, and one batch
    // inversion serves the layer (rather than a point multiplication and an inversion per pair).
    const unsigned m = a == 0 ? log_domain : log_domain - a + 1;
    const size_t h = w / 2;
    circle::CirclePoint p = circle::domain_point(m, j);
    const circle::CirclePoint step = circle::subgroup_gen(m + 1).mul(uint64_t(4) << log_rows);
    for (size_t t = 0; t < h; ++t, p = p + step) inv_tw[t] = a == 0 ? p.y : p.x;
    batch_inverse<M31>(std::span<const M31>(inv_tw.data(), h), std::span<M31>(inv_tw.data(), h));
    for (size_t t = 0; t < h; ++t) row[t] = fold_pair(row[t], row[t + h], challenges[a - first_layer], inv_tw[t]);
  }
  return row[0];
}

std::vector<QM31> fold_circle(std::span<const M31> f, QM31 s) {
  return fold_with(f, s, circle::inv_ys(log_len(f.size(), "fold_circle")));
}
std::vector<QM31> fold_circle(std::span<const QM31> f, QM31 s) {
  return fold_with(f, s, circle::inv_ys(log_len(f.size(), "fold_circle")));
}
std::vector<QM31> fold_line(std::span<const QM31> g, QM31 s) {
  return fold_with(g, s, circle::inv_xs(log_len(g.size(), "fold_line") + 1));
}

M31 twiddle(unsigned log_domain, unsigned layer, size_t pos) {
  if (layer == 0) return circle::domain_point(log_domain, pos).y;
  return circle::domain_point(log_domain - layer + 1, pos).x;
}

}  // namespace zkm31::fri
