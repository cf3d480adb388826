#include "lookup/logup.hpp"

#include <algorithm>
#include <bit>

#include "error/error.hpp"
#include "field/packed.hpp"
#include "poly/multilinear.hpp"

namespace zkm31::lookup {

namespace {

unsigned ceil_log2(size_t n) { return n <= 1 ? 0 : unsigned(std::bit_width(n - 1)); }

// MLE of a vector zero-padded from 2^k to 2^n entries = MLE(v)(low k coords) · Π_{high} (1 − r_i).
QM31 zero_pad_selector(std::span<const QM31> high) {
  QM31 acc = QM31::one();
  for (const QM31& r : high) acc *= QM31::one() - r;
  return acc;
}

M31 tag_of(uint32_t table) { return M31(table + 1); }

QM31 compress(const Challenges& ch, QM31 a, QM31 b, uint32_t table) {
  return ch.alpha - (a + ch.beta * b + ch.gamma * tag_of(table));
}

std::string where(const Instance& inst) { return "lookup " + inst.name; }

}  // namespace

unsigned Instance::column_log_len(const Column& c) const {
  if (!c.a.empty()) return sources.at(c.a[0].source).log_len;
  if (!c.b.empty()) return sources.at(c.b[0].source).log_len;
  return 0;
}

unsigned Instance::log_rows() const {
  unsigned n = 0;
  for (const Source& s : sources) n = std::max(n, s.log_len);
  return n;
}

unsigned Instance::log_cols() const {
  // At least two leaves in the tree.
  unsigned c = ceil_log2(columns.size());
  return log_rows() + c == 0 ? 1 : c;
}

void Instance::check(std::span<const Table> tables) const {
  if (columns.empty()) throw std::logic_error(where(*this) + ": no columns");
  for (const Column& c : columns) {
    if (c.table >= tables.size()) throw std::logic_error(where(*this) + ": unknown table");
    const unsigned len = column_log_len(c);
    for (const auto* terms : {&c.a, &c.b})
      for (const Term& t : *terms)
        if (t.source >= sources.size() || sources[t.source].log_len != len)
          throw std::logic_error(where(*this) + ": column mixes source lengths");
    if (len < log_rows() && tables[c.table].row_of(c.a_const, 0) < 0)
      throw NotSupported(where(*this) + ": padding tuple outside table " + tables[c.table].name());
  }
}

Challenges Challenges::draw(Channel& ch) {
  Challenges c;
  c.alpha = ch.draw_qm31("logup/alpha");
  c.beta = ch.draw_qm31("logup/beta");
  c.gamma = ch.draw_qm31("logup/gamma");
  return c;
}

void count(std::span<const Table> tables, const Instance& inst, std::span<const std::span<const M31>> sources,
           std::vector<std::vector<uint32_t>>& counts, bool strict) {
  const size_t N = size_t(1) << inst.log_rows();
  for (const Column& c : inst.columns) {
    const Table& t = tables[c.table];
    const size_t len = size_t(1) << inst.column_log_len(c);
    for (size_t i = 0; i < len; ++i) {
      int64_t a = c.a_const, b = 0;
      for (const Term& x : c.a) a += x.coeff * sources[x.source][i].to_signed();
      for (const Term& x : c.b) b += x.coeff * sources[x.source][i].to_signed();
      int64_t row = t.row_of(a, b);
      if (row < 0 && !strict) continue;
      if (row < 0)
        throw BadInput(where(inst) + ": tuple (" + std::to_string(a) + ", " + std::to_string(b) + ") at row " +
                       std::to_string(i) + " is not in table " + t.name());
      ++counts[c.table][size_t(row)];
    }
    if (len < N) counts[c.table][size_t(t.row_of(c.a_const, 0))] += uint32_t(N - len);
  }
}

std::vector<M31> to_field(std::span<const uint32_t> counts) {
  std::vector<M31> out(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) out[i] = M31::reduce_u32(counts[i]);
  return out;
}

LeafClaims prove_instance(proof::Writer& w, std::span<const Table> tables, const Instance& inst,
                          std::span<const std::span<const M31>> sources, const Challenges& ch) {
  const unsigned nr = inst.log_rows(), nc = inst.log_cols();
  const size_t N = size_t(1) << nr;
  // Per column: α − γ·tag, and its terms with the coefficients already in the field.
  struct Prepared {
    QM31 base;
    M31 a_const;
    std::vector<std::pair<const M31*, M31>> a, b;
    size_t len;
  };
  std::vector<Prepared> cols;
  for (const Column& col : inst.columns) {
    Prepared c{ch.alpha - ch.gamma * tag_of(col.table), M31::from_signed(col.a_const), {}, {}, size_t(1) << inst.column_log_len(col)};
    for (const Term& x : col.a) c.a.emplace_back(sources[x.source].data(), M31::from_signed(x.coeff));
    for (const Term& x : col.b) c.b.emplace_back(sources[x.source].data(), M31::from_signed(x.coeff));
    cols.push_back(std::move(c));
  }
  // Leaf c·N + i is row i of column c: P = 1, Q = α − (a + β·b + γ·tag); dummy columns P = 0, Q = 1.
  // a and b of a run of rows by packed passes over the sources (rows past the column's length keep
  // the constants).
  const auto combine = [](const std::vector<std::pair<const M31*, M31>>& terms, size_t i0, size_t live,
                          std::span<M31> out, std::span<M31> scratch) {
    for (const auto& [src, coeff] : terms) {
      const std::span<const M31> x(src + i0, live);
      if (coeff == M31::one()) {
        packed::add(out.first(live), x, out.first(live));
      } else {
        packed::mul_scalar(x, coeff, scratch.first(live));
        packed::add(out.first(live), scratch.first(live), out.first(live));
      }
    }
  };
  const LeafBlock leaves = [&](size_t first, size_t count, QM31* p, QM31* q) {
    std::vector<M31> a(count), b(count), scratch(count);
    for (size_t k = 0; k < count;) {
      const size_t c = (first + k) >> nr, i0 = (first + k) & (N - 1), run = std::min(count - k, N - i0);
      if (c >= cols.size()) {
        std::fill_n(p + k, run, QM31());
        std::fill_n(q + k, run, QM31::one());
      } else {
        const Prepared& col = cols[c];
        const size_t live = i0 < col.len ? std::min(run, col.len - i0) : 0;
        const std::span<M31> A(a.data(), run), B(b.data(), run);
        std::fill(A.begin(), A.end(), col.a_const);
        std::fill(B.begin(), B.end(), M31());
        combine(col.a, i0, live, A, scratch);
        combine(col.b, i0, live, B, scratch);
        std::fill_n(p + k, run, QM31::one());
        if (col.b.empty())
          for (size_t j = 0; j < run; ++j) q[k + j] = col.base - A[j];
        else
          for (size_t j = 0; j < run; ++j) q[k + j] = col.base - ch.beta * B[j] - A[j];
      }
      k += run;
    }
  };
  LeafClaims out;
  std::vector<QM31> r = gkr_prove(w, "logup/" + inst.name + "/witness", nr + nc, leaves);
  out.row_point.assign(r.begin(), r.begin() + nr);
  for (size_t s = 0; s < inst.sources.size(); ++s)
    out.values.push_back(
        poly::evaluate(sources[s], std::span<const QM31>(out.row_point.data(), inst.sources[s].log_len)));
  w.send("logup/" + inst.name + "/leaf_values", out.values);
  return out;
}

LeafClaims verify_instance(proof::Reader& rd, std::span<const Table> tables, const Instance& inst,
                           const Challenges& ch) {
  const unsigned nr = inst.log_rows(), nc = inst.log_cols();
  GkrClaim g = gkr_verify(rd, "logup/" + inst.name + "/witness", nr + nc);
  LeafClaims out;
  out.root = g.root;
  out.row_point.assign(g.point.begin(), g.point.begin() + nr);
  const std::span<const QM31> col_point(g.point.data() + nr, nc);
  out.values = rd.recv("logup/" + inst.name + "/leaf_values", inst.sources.size());
  // Each source zero-padded to N rows, evaluated at the row point.
  std::vector<QM31> padded(inst.sources.size());
  for (size_t s = 0; s < padded.size(); ++s) {
    const unsigned k = inst.sources[s].log_len;
    padded[s] = out.values[s] * zero_pad_selector(std::span<const QM31>(out.row_point).subspan(k));
  }
  const std::vector<QM31> eqc = poly::eq_table(col_point);
  QM31 p_exp, q_exp;
  for (size_t c = 0; c < eqc.size(); ++c) {
    if (c >= inst.columns.size()) {
      q_exp += eqc[c];
      continue;
    }
    const Column& col = inst.columns[c];
    QM31 a = QM31() + M31::from_signed(col.a_const), b;
    for (const Term& x : col.a) a += padded[x.source] * M31::from_signed(x.coeff);
    for (const Term& x : col.b) b += padded[x.source] * M31::from_signed(x.coeff);
    p_exp += eqc[c];
    q_exp += eqc[c] * compress(ch, a, b, col.table);
  }
  require(g.p == p_exp && g.q == q_exp, where(inst), "witness leaves do not match the claimed source values");
  return out;
}

TableClaim prove_table(proof::Writer& w, const Table& table, uint32_t index, std::span<const M31> mult,
                       const Challenges& ch) {
  std::vector<int64_t> a, b;
  table.rows(a, b);
  std::vector<QM31> P(a.size()), Q(a.size());
  const QM31 base = ch.alpha - ch.gamma * tag_of(index);
  for (size_t i = 0; i < a.size(); ++i) {
    P[i] = QM31() - mult[i];
    Q[i] = base - ch.beta * M31::from_signed(b[i]) - M31::from_signed(a[i]);
  }
  TableClaim out;
  const std::string label = "logup/table/" + table.name();  // a function table's name hashes its values
  out.point = gkr_prove(w, label, std::move(P), std::move(Q));
  out.value = poly::evaluate(mult, std::span<const QM31>(out.point));
  w.send(label + "/multiplicity", out.value);
  return out;
}

TableClaim verify_table(proof::Reader& rd, const Table& table, uint32_t index, const Challenges& ch) {
  const std::string name = table.name();  // a function table's name hashes its values
  GkrClaim g = gkr_verify(rd, "logup/table/" + name, table.log_size());
  TableClaim out;
  out.root = g.root;
  out.point = g.point;
  out.value = rd.recv1("logup/table/" + name + "/multiplicity");
  auto [ta, tb] = table.eval(out.point);
  require(g.p == QM31() - out.value && g.q == compress(ch, ta, tb, index), "lookup table " + name,
          "table leaves do not match the multiplicities and the fixed table");
  return out;
}

void check_roots(std::span<const Fraction> roots) {
  QM31 num, den = QM31::one();
  for (const Fraction& f : roots) {
    require(!(f.q == QM31()), "lookup", "zero denominator at a GKR root");
    num = num * f.q + f.p * den;
    den *= f.q;
  }
  require(num == QM31(), "lookup", "LogUp sum is not zero (a looked-up tuple is not in its table)");
}

}  // namespace zkm31::lookup
