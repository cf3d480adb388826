#pragma once
// Fixed lookup tables: defined once here, rebuilt by the verifier from the graph, evaluated as
// MLEs by the verifier itself (DESIGN §5 rule 3). A table is a list of (a, b) rows padded to a
// power of two with duplicates of a valid row (the padding rows get multiplicity 0).
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "field/field.hpp"

namespace zkm31::lookup {

enum class TableKind : uint8_t {
  Range,  // (lo + t, 0) for t in [0, 2^bits)
  Relu,   // (v, max(v, 0)) for v in [lo, hi]
  Clamp,  // (v, 0) for v in [lo, hi]; (hi, t) and (lo, −t) for t in [1, 2^bits): sign-tied clamp excess
          // ([lo, hi] need not hold 0)
  Interval,  // (v, 0) for v in [lo, hi] (a one-column bound for a small interval)
  Function,  // (lo + i, values[i]): an integer function table (sigmoid, tanh, …) from the graph
};

struct Table {
  TableKind kind = TableKind::Range;
  int64_t lo = 0, hi = 0;
  unsigned bits = 0;
  std::vector<int64_t> values;  // Function only

  static Table range(int64_t lo, unsigned bits);
  static Table relu(int64_t lo, int64_t hi);
  static Table clamp(int64_t lo, int64_t hi, unsigned excess_bits);
  static Table interval(int64_t lo, int64_t hi);
  // Padded with copies of its first row.
  static Table function(int64_t in_lo, std::vector<int64_t> values);

  std::string name() const;
  unsigned log_size() const;
  size_t size() const { return size_t(1) << log_size(); }
  // The first row equal to (a, b), or −1 when the tuple is not in the table.
  int64_t row_of(int64_t a, int64_t b) const;
  // Both columns, padded; or rows [first, first + count) of them.
  void rows(std::vector<int64_t>& a, std::vector<int64_t>& b) const;
  void rows(size_t first, size_t count, int64_t* a, int64_t* b) const;
  // MLEs of the two columns at a point with log_size() coordinates.
  std::pair<QM31, QM31> eval(std::span<const QM31> point) const;
  bool operator==(const Table&) const = default;

 private:
  size_t natural_rows() const;
};

}  // namespace zkm31::lookup
