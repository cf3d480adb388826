#include "circle/circle.hpp"

#include <map>
#include <mutex>
#include <string>

#include "error/error.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::circle {
namespace {

struct Cache {
  std::mutex m;
  std::map<unsigned, std::vector<M31>> ys, xs, inv_ys, inv_xs;
};
Cache& cache() {
  static Cache c;
  return c;
}

void check_log(unsigned log_size) {
  if (log_size > 30) throw BadInput("circle domain of size 2^" + std::to_string(log_size) + " exceeds 2^30");
}

// The first 2^{m−1} points of D_m: (4j+1)·G_{2^{m+1}} = G_{2^{m+1}} + j·G_{2^{m−1}}, built by additions
// from a scalar multiple at the start of each chunk.
std::vector<CirclePoint> half_domain(unsigned m) {
  std::vector<CirclePoint> pts(m ? size_t(1) << (m - 1) : 1);
  if (m == 0) {
    pts[0] = subgroup_gen(1);
    return pts;
  }
  const CirclePoint start = subgroup_gen(m + 1), step = subgroup_gen(m + 1).mul(4);
  parallel::for_range(pts.size(), 1 << 12, [&](size_t b, size_t e) {
    CirclePoint p = start + step.mul(b);
    for (size_t j = b; j < e; ++j, p = p + step) pts[j] = p;
  });
  return pts;
}

std::vector<M31> inverted(const std::vector<M31>& v) {
  std::vector<M31> out(v.size());
  parallel::for_range(v.size(), 1 << 12, [&](size_t b, size_t e) {
    batch_inverse<M31>(std::span(v).subspan(b, e - b), std::span(out).subspan(b, e - b));
  });
  return out;
}

void fill(unsigned m, Cache& c) {
  if (c.ys.count(m)) return;
  check_log(m);
  if (m == 0) throw BadInput("a size-1 circle domain has no twiddles");
  auto pts = half_domain(m);
  std::vector<M31> y(pts.size()), x(pts.size() / 2);
  parallel::for_range(pts.size(), 1 << 14, [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j) {
      y[j] = pts[j].y;
      if (j < x.size()) x[j] = pts[j].x;
    }
  });
  c.ys[m] = std::move(y);
  c.xs[m] = std::move(x);
}

}  // namespace

CirclePoint generator() { return {M31(2), M31(1268011823)}; }

CirclePoint subgroup_gen(unsigned log_order) {
  if (log_order > 31) throw BadInput("no circle subgroup of order 2^" + std::to_string(log_order));
  CirclePoint g = generator();
  for (unsigned i = log_order; i < 31; ++i) g = g.dbl();
  return g;
}

Coset Coset::half_odds(unsigned log_size) {
  return {subgroup_gen(log_size + 2), subgroup_gen(log_size), log_size};
}

CirclePoint domain_point(unsigned log_size, size_t j) {
  check_log(log_size);
  if (j >= (size_t(1) << log_size)) throw BadInput("domain index out of range");
  if (log_size == 0) return subgroup_gen(1);
  const size_t half = size_t(1) << (log_size - 1);
  CirclePoint p = subgroup_gen(log_size + 1).mul(4 * (j % half) + 1);
  return j < half ? p : p.conj();
}

std::vector<CirclePoint> canonic_domain(unsigned log_size) {
  check_log(log_size);
  auto pts = half_domain(log_size);
  if (log_size == 0) return pts;
  const size_t half = pts.size();
  pts.resize(2 * half);
  for (size_t j = 0; j < half; ++j) pts[half + j] = pts[j].conj();
  return pts;
}

const std::vector<M31>& ys(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  fill(m, c);
  return c.ys[m];
}

const std::vector<M31>& xs(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  fill(m, c);
  return c.xs[m];
}

const std::vector<M31>& inv_ys(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  fill(m, c);
  if (!c.inv_ys.count(m)) c.inv_ys[m] = inverted(c.ys[m]);
  return c.inv_ys[m];
}

const std::vector<M31>& inv_xs(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  fill(m, c);
  if (!c.inv_xs.count(m)) c.inv_xs[m] = inverted(c.xs[m]);
  return c.inv_xs[m];
}

}  // namespace zkm31::circle
