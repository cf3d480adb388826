#include "lookup/table.hpp"

#include <algorithm>
#include <bit>

#include "error/error.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::lookup {

namespace {
constexpr int64_t kMaxTableRows = int64_t(1) << 20;
}

Table Table::range(int64_t lo, unsigned bits) {
  if (bits < 1 || bits > 20) throw NotSupported("range table of " + std::to_string(bits) + " bits");
  return Table{TableKind::Range, lo, lo + (int64_t(1) << bits) - 1, bits, {}};
}

Table Table::relu(int64_t lo, int64_t hi) {
  // Over an interval holding 0 (the walk widens a ReLU's input interval to it): padded entries are (0, 0).
  if (lo > 0 || hi < 0 || hi - lo >= kMaxTableRows) throw NotSupported("ReLU table over [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return Table{TableKind::Relu, lo, hi, 0, {}};
}

Table Table::clamp(int64_t lo, int64_t hi, unsigned excess_bits) {
  if (lo > hi || hi - lo >= kMaxTableRows || excess_bits < 1 || excess_bits > 16)
    throw NotSupported("clamp table over [" + std::to_string(lo) + ", " + std::to_string(hi) + "] with " +
                       std::to_string(excess_bits) + "-bit excess limbs");
  return Table{TableKind::Clamp, lo, hi, excess_bits, {}};
}

Table Table::interval(int64_t lo, int64_t hi) {
  if (lo > 0 || hi < 0 || hi - lo >= kMaxTableRows)
    throw NotSupported("interval table [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return Table{TableKind::Interval, lo, hi, 0, {}};
}

Table Table::function(int64_t in_lo, std::vector<int64_t> values) {
  if (values.empty() || int64_t(values.size()) > kMaxTableRows) throw NotSupported("function table of " + std::to_string(values.size()) + " rows");
  const int64_t hi = in_lo + int64_t(values.size()) - 1;
  return Table{TableKind::Function, in_lo, hi, 0, std::move(values)};
}

std::string Table::name() const {
  switch (kind) {
    case TableKind::Range: return "range[" + std::to_string(lo) + "+2^" + std::to_string(bits) + ")";
    case TableKind::Relu: return "relu[" + std::to_string(lo) + "," + std::to_string(hi) + "]";
    case TableKind::Interval: return "interval[" + std::to_string(lo) + "," + std::to_string(hi) + "]";
    case TableKind::Function: {
      // Named by its domain and a digest-free fingerprint of its values (tables differ by values).
      uint64_t h = 1469598103934665603ull;
      for (int64_t v : values) h = (h ^ uint64_t(v)) * 1099511628211ull;
      return "fn[" + std::to_string(lo) + "," + std::to_string(hi) + "]#" + std::to_string(h % 100000);
    }
    case TableKind::Clamp:
      return "clamp[" + std::to_string(lo) + "," + std::to_string(hi) + "]/" + std::to_string(bits);
  }
  return "?";
}

size_t Table::natural_rows() const {
  size_t n = size_t(hi - lo + 1);
  if (kind == TableKind::Clamp) n += 2 * ((size_t(1) << bits) - 1);
  return n;
}

unsigned Table::log_size() const {
  if (kind == TableKind::Range) return bits;
  return unsigned(std::bit_width(std::bit_ceil(std::max<size_t>(natural_rows(), 2)) - 1));
}

int64_t Table::row_of(int64_t a, int64_t b) const {
  const int64_t n = hi - lo + 1;
  switch (kind) {
    case TableKind::Range:
      return (b == 0 && a >= lo && a <= hi) ? a - lo : -1;
    case TableKind::Relu:
      return (a >= lo && a <= hi && b == std::max<int64_t>(a, 0)) ? a - lo : -1;
    case TableKind::Interval:
      return (a >= lo && a <= hi && b == 0) ? a - lo : -1;
    case TableKind::Function:
      return (a >= lo && a <= hi && b == values[size_t(a - lo)]) ? a - lo : -1;
    case TableKind::Clamp: {
      const int64_t e = int64_t(1) << bits;
      if (b == 0) return (a >= lo && a <= hi) ? a - lo : -1;
      if (a == hi && b > 0 && b < e) return n + b - 1;
      if (a == lo && b < 0 && -b < e) return n + (e - 1) + (-b - 1);
      return -1;
    }
  }
  return -1;
}

void Table::rows(size_t first, size_t count, int64_t* a, int64_t* b) const {
  // Padding rows repeat the row at the input nearest 0 ((0, 0) when the domain holds 0); a function
  // table is padded with its first row.
  const int64_t pad = std::clamp<int64_t>(0, lo, hi), n = hi - lo + 1, e = int64_t(1) << bits;
  for (size_t j = 0; j < count; ++j) {
    const int64_t i = int64_t(first + j);
    if (kind == TableKind::Function) {
      const int64_t k = i < n ? i : 0;
      a[j] = lo + k, b[j] = values[size_t(k)];
    } else if (i < n) {
      a[j] = lo + i, b[j] = kind == TableKind::Relu ? std::max<int64_t>(lo + i, 0) : 0;
    } else if (kind == TableKind::Clamp && i < n + 2 * (e - 1)) {  // (hi, t) then (lo, −t), t in [1, e)
      const bool high = i < n + e - 1;
      const int64_t t = high ? i - n + 1 : i - (n + e - 1) + 1;
      a[j] = high ? hi : lo, b[j] = high ? t : -t;
    } else {
      a[j] = pad, b[j] = kind == TableKind::Relu ? std::max<int64_t>(pad, 0) : 0;
    }
  }
}

void Table::rows(std::vector<int64_t>& a, std::vector<int64_t>& b) const {
  a.resize(size()), b.resize(size());
  rows(0, size(), a.data(), b.data());
}

std::pair<QM31, QM31> Table::eval(std::span<const QM31> point) const {
  if (kind == TableKind::Range) {
    // lo + index: an affine function of the index bits, so its MLE is lo + Σ 2^k τ_k.
    QM31 acc = QM31() + M31::from_signed(lo);
    for (size_t k = 0; k < point.size(); ++k) acc += point[k] * M31(uint32_t(1) << k);
    return {acc, QM31()};
  }
  std::vector<int64_t> a, b;
  rows(a, b);
  std::vector<M31> fa(a.size()), fb(b.size());
  for (size_t i = 0; i < a.size(); ++i) fa[i] = M31::from_signed(a[i]), fb[i] = M31::from_signed(b[i]);
  return {poly::evaluate(std::span<const M31>(fa), point), poly::evaluate(std::span<const M31>(fb), point)};
}

}  // namespace zkm31::lookup
