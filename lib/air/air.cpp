#include "air/air.hpp"

#include <mutex>
#include <string>

#include "air/eval.hpp"
#include "error/error.hpp"
#include "parallel/parallel.hpp"

namespace zkm31::air {

circle::CirclePoint trace_point(unsigned log_size, size_t row) {
  return circle::subgroup_gen(log_size + 1).mul(2 * uint64_t(row) + 1);
}

size_t natural_index(unsigned log_size, size_t row) {
  // (2i + 1)·G = D_n[i/2] for even i; for odd i it is −(4j' + 1)·G = conj(D_n[j']), j' = (2^n − 1 − i)/2.
  const size_t n = size_t(1) << log_size;
  return row % 2 == 0 ? row / 2 : n / 2 + (n - 1 - row) / 2;
}

QM31 from_limb_values(const std::array<QM31, 4>& l) {
  return l[0] + l[1] * QM31(M31(0), M31(1), M31(0), M31(0)) + l[2] * QM31(M31(0), M31(0), M31(1), M31(0)) +
         l[3] * QM31(M31(0), M31(0), M31(0), M31(1));
}

PointEval::PointEval(unsigned log_size, circle::Point<QM31> z, std::span<const QM31> main, std::span<const QM31> next,
                     std::span<const int32_t> next_slot, std::span<const QM31> interaction, std::span<const QM31> powers,
                     const LookupChallenges& ch)
    : Combination(powers, ch), main_(main), next_(next), inter_(interaction), next_slot_(next_slot) {
  const size_t last = (size_t(1) << log_size) - 1;
  first_ = only_row(log_size, 0, z);
  last_ = only_row(log_size, last, z);
  not_last_ = except_row(log_size, last, z);
}

QM31 PointEval::interaction(size_t k, Row r) const {
  const size_t at = r == Row::Next;
  return from_limb_values({inter_[2 * (4 * k) + at], inter_[2 * (4 * k + 1) + at], inter_[2 * (4 * k + 2) + at],
                           inter_[2 * (4 * k + 3) + at]});
}

std::vector<bool> next_reads(const Component& c) {
  const Columns zero(c.main_columns(), std::vector<M31>(2));
  std::vector<bool> reads(c.main_columns());
  TraceEval e(zero, 1, nullptr);
  e.record_next_reads(&reads);
  e.at(0);
  c.evaluate(e);
  return reads;
}

std::vector<QM31> combination_powers(QM31 alpha, size_t constraints) {
  std::vector<QM31> out(constraints);
  QM31 pw = QM31::one();
  for (size_t i = constraints; i-- > 0;) out[i] = pw, pw *= alpha;
  return out;
}

void check_shape(const Component& c, const Columns& columns) {
  const std::string who = "component " + c.name();
  if (columns.size() != c.main_columns())
    throw BadInput(who + ": " + std::to_string(columns.size()) + " columns, expected " + std::to_string(c.main_columns()));
  const size_t rows = size_t(1) << c.log_size();
  for (const auto& col : columns)
    if (col.size() != rows)
      throw BadInput(who + ": a column of " + std::to_string(col.size()) + " rows, expected " + std::to_string(rows));
}

std::string row_problem(const Component& c, const TraceEval& e, size_t row) {
  const std::string who = "component " + c.name();
  if (e.constraints_made() != c.constraints() || e.lookups_made() != c.lookups())
    return who + ": makes " + std::to_string(e.constraints_made()) + " constraints and " + std::to_string(e.lookups_made()) +
           " lookups per row, declares " + std::to_string(c.constraints()) + " and " + std::to_string(c.lookups());
  if (e.failed() >= 0) return who + ": constraint " + std::to_string(e.failed()) + " fails at row " + std::to_string(row);
  return {};
}

void check_trace(const Component& c, const Columns& columns) {
  check_shape(c, columns);
  const size_t rows = size_t(1) << c.log_size();
  // Chunks of rows in parallel, each stopping at its first problem; the earliest row's is reported.
  std::mutex m;
  size_t first_bad = rows;
  std::string problem;
  parallel::for_range(rows, 1 << 8, [&](size_t b, size_t end) {
    TraceEval e(columns, c.log_size(), nullptr);
    for (size_t i = b; i < end; ++i) {
      e.at(i);
      c.evaluate(e);
      std::string found = row_problem(c, e, i);
      if (found.empty()) continue;
      std::lock_guard lock(m);
      if (i < first_bad) first_bad = i, problem = std::move(found);
      return;
    }
  });
  if (first_bad < rows) throw BadInput(problem);
}

}  // namespace zkm31::air
