#include "lookup/logup.hpp"

#include <algorithm>
#include <bit>
#include <memory>

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

namespace {

// Instance k's leaves: leaf c·N + i is row i of column c, P = 1, Q = α − (a + β·b + γ·tag); dummy
// columns P = 0, Q = 1. a and b of a run of rows by packed passes over the sources (rows past the
// column's length keep the constants).
LeafBlock instance_leaves(const Instance& inst, std::span<const std::span<const M31>> sources, const Challenges& ch) {
  // Per column: α − γ·tag, and its terms with the coefficients already in the field.
  struct Prepared {
    QM31 base;
    M31 a_const;
    std::vector<std::pair<const M31*, M31>> a, b;
    size_t len;
  };
  auto cols = std::make_shared<std::vector<Prepared>>();
  for (const Column& col : inst.columns) {
    Prepared c{ch.alpha - ch.gamma * tag_of(col.table), M31::from_signed(col.a_const), {}, {}, size_t(1) << inst.column_log_len(col)};
    for (const Term& x : col.a) c.a.emplace_back(sources[x.source].data(), M31::from_signed(x.coeff));
    for (const Term& x : col.b) c.b.emplace_back(sources[x.source].data(), M31::from_signed(x.coeff));
    cols->push_back(std::move(c));
  }
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
  const unsigned nr = inst.log_rows();
  const QM31 beta = ch.beta;
  return [cols, combine, nr, beta](size_t first, size_t count, QM31* p, QM31* q) {
    const size_t N = size_t(1) << nr;
    std::vector<M31> a(count), b(count), scratch(count);
    for (size_t k = 0; k < count;) {
      const size_t c = (first + k) >> nr, i0 = (first + k) & (N - 1), run = std::min(count - k, N - i0);
      if (c >= cols->size()) {
        std::fill_n(p + k, run, QM31());
        std::fill_n(q + k, run, QM31::one());
      } else {
        const Prepared& col = (*cols)[c];
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
          for (size_t j = 0; j < run; ++j) q[k + j] = col.base - beta * B[j] - A[j];
      }
      k += run;
    }
  };
}

// Instance leaves' MLEs at a point (row coordinates, then column coordinates) from the source values
// at the row point: each source zero-padded to N rows.
Fraction instance_expected(const Instance& inst, std::span<const QM31> point, std::span<const QM31> values,
                           const Challenges& ch) {
  const unsigned nr = inst.log_rows();
  const std::span<const QM31> row_point = point.first(nr);
  std::vector<QM31> padded(inst.sources.size());
  for (size_t s = 0; s < padded.size(); ++s)
    padded[s] = values[s] * zero_pad_selector(row_point.subspan(inst.sources[s].log_len));
  const std::vector<QM31> eqc = poly::eq_table(point.subspan(nr));
  Fraction out;
  for (size_t c = 0; c < eqc.size(); ++c) {
    if (c >= inst.columns.size()) {
      out.q += eqc[c];
      continue;
    }
    const Column& col = inst.columns[c];
    QM31 a = QM31() + M31::from_signed(col.a_const), b;
    for (const Term& x : col.a) a += padded[x.source] * M31::from_signed(x.coeff);
    for (const Term& x : col.b) b += padded[x.source] * M31::from_signed(x.coeff);
    out.p += eqc[c];
    out.q += eqc[c] * compress(ch, a, b, col.table);
  }
  return out;
}

// Table t's leaves: P = −m, Q = α − (a + β·b + γ·tag) per row.
// The rows are made block by block: a proof's many 2^16-row tables are not all held at once.
LeafBlock table_leaves(const Table& table, uint32_t t, std::span<const M31> mult, const Challenges& ch) {
  const QM31 base = ch.alpha - ch.gamma * tag_of(t), beta = ch.beta;
  return [&table, base, beta, mult](size_t first, size_t count, QM31* p, QM31* q) {
    std::vector<int64_t> a(count), b(count);
    table.rows(first, count, a.data(), b.data());
    for (size_t i = 0; i < count; ++i) {
      p[i] = QM31() - mult[first + i];
      q[i] = base - beta * M31::from_signed(b[i]) - M31::from_signed(a[i]);
    }
  };
}

Fraction table_expected(const Table& table, uint32_t t, std::span<const QM31> point, QM31 mult, const Challenges& ch) {
  auto [a, b] = table.eval(point);
  return {QM31() - mult, compress(ch, a, b, t)};
}

std::string tree_label(size_t i) { return "logup/tree" + std::to_string(i); }
std::string leaf_values_label(const Instance& inst) { return "logup/" + inst.name + "/leaf_values"; }
// A function table's name hashes its values.
std::string multiplicity_label(const Table& t) { return "logup/table/" + t.name() + "/multiplicity"; }

// The tree's leaves, part by part (parts sit in increasing offsets with no gaps; dummies after).
LeafBlock tree_leaves(const Layout::Tree& tree, std::vector<LeafBlock> parts) {
  return [&tree, parts = std::move(parts)](size_t first, size_t count, QM31* p, QM31* q) {
    size_t k = 0;
    for (size_t i = 0; i < tree.parts.size() && k < count; ++i) {
      const Layout::Part& part = tree.parts[i];
      const size_t end = part.offset + (size_t(1) << part.log_size);
      if (first + k >= end) continue;
      const size_t run = std::min(count - k, end - (first + k));
      parts[i](first + k - part.offset, run, p + k, q + k);
      k += run;
    }
    std::fill(p + k, p + count, QM31());
    std::fill(q + k, q + count, QM31::one());
  };
}

// Σ_x over the part's leaves of eq(point, x) = eq of the point's high coordinates with the part's
// block index (the low ones sum out).
QM31 block_selector(const Layout::Part& part, std::span<const QM31> point) {
  QM31 acc = QM31::one();
  for (size_t i = part.log_size; i < point.size(); ++i)
    acc *= (part.offset >> i) & 1 ? point[i] : QM31::one() - point[i];
  return acc;
}

}  // namespace

Layout Layout::of(std::span<const Instance> instances, std::span<const Table> tables, unsigned max_log) {
  std::vector<Part> parts;
  for (uint32_t k = 0; k < instances.size(); ++k)
    parts.push_back({false, k, instances[k].log_rows() + instances[k].log_cols(), 0});
  for (uint32_t t = 0; t < tables.size(); ++t) parts.push_back({true, t, tables[t].log_size(), 0});
  std::stable_sort(parts.begin(), parts.end(), [](const Part& x, const Part& y) { return x.log_size > y.log_size; });
  Layout out;
  size_t used = 0;  // leaves of the open tree (the last one), which takes parts below 2^max_log
  const auto close = [&] {
    if (used) out.trees.back().log_size = std::max(1u, ceil_log2(used));
    used = 0;
  };
  for (Part p : parts) {
    const size_t size = size_t(1) << p.log_size;
    if (p.log_size >= max_log) {
      out.trees.push_back({std::max(1u, p.log_size), {p}});
      continue;
    }
    if (used == 0 || used + size > (size_t(1) << max_log)) {
      close();
      out.trees.push_back({0, {}});
    }
    p.offset = used;  // a multiple of size: every earlier part is at least as large
    out.trees.back().parts.push_back(p);
    used += size;
  }
  close();
  return out;
}

LookupClaims prove_lookups(proof::Writer& w, std::span<const Table> tables, std::span<const Instance> instances,
                           std::span<const std::vector<std::span<const M31>>> sources,
                           std::span<const std::span<const M31>> mults, const Challenges& ch, unsigned max_log,
                           int64_t omit_instance, const std::function<void(size_t, size_t)>& after_tree) {
  const Layout layout = Layout::of(instances, tables, max_log);
  LookupClaims out;
  out.instances.resize(instances.size());
  out.tables.resize(tables.size());
  const LeafBlock omitted = [](size_t, size_t count, QM31* p, QM31* q) {
    std::fill_n(p, count, QM31());
    std::fill_n(q, count, QM31::one());
  };
  for (size_t i = 0; i < layout.trees.size(); ++i) {
    const Layout::Tree& tree = layout.trees[i];
    std::vector<LeafBlock> parts;
    for (const Layout::Part& part : tree.parts)
      parts.push_back(part.table ? table_leaves(tables[part.index], part.index, mults[part.index], ch)
                      : int64_t(part.index) == omit_instance ? omitted
                                                             : instance_leaves(instances[part.index], sources[part.index], ch));
    const std::vector<QM31> point = gkr_prove(w, tree_label(i), tree.log_size, tree_leaves(tree, std::move(parts)));
    for (const Layout::Part& part : tree.parts) {
      const std::span<const QM31> local = std::span<const QM31>(point).first(part.log_size);
      if (part.table) {
        TableClaim& tc = out.tables[part.index];
        tc.point.assign(local.begin(), local.end());
        tc.value = poly::evaluate(mults[part.index], local);
        w.send(multiplicity_label(tables[part.index]), tc.value);
        continue;
      }
      const Instance& inst = instances[part.index];
      LeafClaims& leaf = out.instances[part.index];
      leaf.row_point.assign(local.begin(), local.begin() + inst.log_rows());
      for (size_t s = 0; s < inst.sources.size(); ++s)
        leaf.values.push_back(poly::evaluate(sources[part.index][s],
                                             std::span<const QM31>(leaf.row_point).first(inst.sources[s].log_len)));
      w.send(leaf_values_label(inst), leaf.values);
    }
    if (after_tree) after_tree(i, layout.trees.size());
  }
  return out;
}

LookupClaims verify_lookups(proof::Reader& rd, std::span<const Table> tables, std::span<const Instance> instances,
                            const Challenges& ch, unsigned max_log) {
  const Layout layout = Layout::of(instances, tables, max_log);
  LookupClaims out;
  out.instances.resize(instances.size());
  out.tables.resize(tables.size());
  for (size_t i = 0; i < layout.trees.size(); ++i) {
    const Layout::Tree& tree = layout.trees[i];
    const GkrClaim g = gkr_verify(rd, tree_label(i), tree.log_size);
    out.roots.push_back(g.root);
    Fraction expected{QM31(), QM31::one()};  // dummy leaves' share: Q = 1 − Σ selectors
    for (const Layout::Part& part : tree.parts) {
      const std::span<const QM31> local = std::span<const QM31>(g.point).first(part.log_size);
      Fraction f;
      if (part.table) {
        TableClaim& tc = out.tables[part.index];
        tc.point.assign(local.begin(), local.end());
        tc.value = rd.recv1(multiplicity_label(tables[part.index]));
        f = table_expected(tables[part.index], part.index, local, tc.value, ch);
      } else {
        const Instance& inst = instances[part.index];
        LeafClaims& leaf = out.instances[part.index];
        leaf.row_point.assign(local.begin(), local.begin() + inst.log_rows());
        leaf.values = rd.recv(leaf_values_label(inst), inst.sources.size());
        f = instance_expected(inst, local, leaf.values, ch);
      }
      const QM31 sel = block_selector(part, g.point);
      expected.p += sel * f.p;
      expected.q += sel * (f.q - QM31::one());
    }
    require(g.p == expected.p && g.q == expected.q, tree_label(i),
            "leaves do not match the claimed source values, multiplicities and fixed tables");
  }
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
