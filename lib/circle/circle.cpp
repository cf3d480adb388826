#include "circle/circle.hpp"

#include <array>
#include <functional>
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

// One coordinate of D_m[j] for j < count, chunk by chunk.
std::vector<M31> coordinates(unsigned m, size_t count, bool want_y) {
  std::vector<M31> out(count);
  parallel::for_range(count, 1 << 12, [&](size_t b, size_t e) {
    domain_coordinates(m, b, std::span(out).subspan(b, e - b), want_y);
  });
  return out;
}

const std::vector<M31>& cached(std::map<unsigned, std::vector<M31>>& table, unsigned m,
                               const std::function<std::vector<M31>()>& make) {
  check_log(m);
  auto it = table.find(m);
  if (it == table.end()) it = table.emplace(m, make()).first;
  return it->second;
}

}  // namespace

CirclePoint generator() { return {M31(2), M31(1268011823)}; }

// D_m[j] = G_{2^{m+1}} + j·4·G_{2^{m+1}} for j < 2^{m−1}: walked by additions from the first point.
void domain_coordinates(unsigned m, size_t first, std::span<M31> out, bool want_y) {
  check_log(m);
  if (m == 0 || first + out.size() > (size_t(1) << (m - 1))) throw BadInput("domain_coordinates: outside the half domain");
  const CirclePoint step = subgroup_gen(m + 1).mul(4);
  CirclePoint p = subgroup_gen(m + 1) + step.mul(first);
  for (size_t i = 0; i < out.size(); ++i, p = p + step) out[i] = want_y ? p.y : p.x;
}

CirclePoint subgroup_gen(unsigned log_order) {
  if (log_order > 31) throw BadInput("no circle subgroup of order 2^" + std::to_string(log_order));
  // Every query's twiddles start here: the 32 generators are doubled down from GEN once.
  static const std::array<CirclePoint, 32> gens = [] {
    std::array<CirclePoint, 32> g;
    g[31] = generator();
    for (unsigned k = 31; k > 0; --k) g[k - 1] = g[k].dbl();
    return g;
  }();
  return gens[log_order];
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

// Only the arrays asked for are built: a line FFT needs xs alone, a circle FFT one ys besides.
const std::vector<M31>& ys(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  if (m == 0) throw BadInput("a size-1 circle domain has no twiddles");
  return cached(c.ys, m, [&] { return coordinates(m, size_t(1) << (m - 1), true); });
}

const std::vector<M31>& xs(unsigned m) {
  auto& c = cache();
  std::lock_guard lock(c.m);
  if (m == 0) throw BadInput("a size-1 circle domain has no twiddles");
  return cached(c.xs, m, [&] { return coordinates(m, m >= 2 ? size_t(1) << (m - 2) : 0, false); });
}

const std::vector<M31>& inv_ys(unsigned m) {
  const std::vector<M31>& y = ys(m);
  auto& c = cache();
  std::lock_guard lock(c.m);
  return cached(c.inv_ys, m, [&] { return inverted(y); });
}

const std::vector<M31>& inv_xs(unsigned m) {
  const std::vector<M31>& x = xs(m);
  auto& c = cache();
  std::lock_guard lock(c.m);
  return cached(c.inv_xs, m, [&] { return inverted(x); });
}

}  // namespace zkm31::circle
