#pragma once
// LogUp over GKR (DESIGN §5): every looked-up tuple (a, b) of table t is compressed to
// a + β·b + γ·tag(t) and
//     Σ_{witness tuples w} 1/(α − w)  −  Σ_{table rows T} m_T/(α − T)  =  0
// is proven by GKR over fractional sums: the leaves of each instance (P = 1, Q = α − w; dummy
// columns P = 0, Q = 1) and ONE set of leaves per table for the whole proof (P = −m, Q = α − T),
// so a table shared by many layers is paid once; all of them packed into a few trees (Layout
// below). One α, β, γ per proof, drawn after the multiplicities (and every vector a lookup
// constrains) are committed. The verifier checks that no root denominator is zero and that the root
// fractions sum to zero, rebuilds the witness leaves from the claimed source values and evaluates the
// fixed tables itself.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "field/field.hpp"
#include "lookup/fraction_gkr.hpp"
#include "lookup/stream.hpp"
#include "lookup/table.hpp"

namespace zkm31::lookup {

// A looked-up column: a = Σ coeff·source + a_const, b = Σ coeff·source, row by row. All sources of
// a column have the same length; a column shorter than the instance is zero-padded (its padding
// rows are the tuple (a_const, 0), which must be a row of its table, and are counted).
struct Term {
  uint32_t source;
  int64_t coeff;
};
struct Column {
  uint32_t table;  // index into the proof's table list; tag = index + 1
  std::vector<Term> a, b;
  int64_t a_const = 0;
};
struct Source {
  std::string name;
  unsigned log_len;
};

// All lookups that read one vector sit in one instance, so that the vector gets a single claim.
struct Instance {
  std::string name;
  std::vector<Source> sources;
  std::vector<Column> columns;

  unsigned log_rows() const;
  unsigned log_cols() const;
  unsigned column_log_len(const Column& c) const;
  // Refuses an instance whose columns mix lengths, name unknown sources or tables, or pad with a
  // tuple outside the table.
  void check(std::span<const Table> tables) const;
};

struct Challenges {
  QM31 alpha, beta, gamma;
  static Challenges draw(Channel& ch);
};

// Adds the instance's lookups to per-table row counts (counts[t] has tables[t].size() entries).
// Throws BadInput naming the first tuple that is not in its table: the honest prover refuses
// (strict); otherwise such a tuple is left uncounted, as a forger would.
void count(std::span<const Table> tables, const Instance& inst, std::span<const std::span<const M31>> sources,
           std::vector<std::vector<uint32_t>>& counts, bool strict = true);
std::vector<M31> to_field(std::span<const uint32_t> counts);

// The claims a witness tree leaves on its sources: source i at row_point[:log_len_i].
struct LeafClaims {
  std::vector<QM31> row_point;
  std::vector<QM31> values;
};

// The claim a table tree leaves on its multiplicity vector: m(point) = value.
struct TableClaim {
  std::vector<QM31> point;
  QM31 value;
};

// Batching (the proof pays the GKR layer sumchecks per tree, not per lookup): every instance and
// every table is a part of one of a few fraction trees. Parts are packed by decreasing size into
// trees of at most 2^max_log leaves, each at an offset that is a multiple of its size (the offset's
// bits are the tree point's high coordinates), the unused tail filled with dummy leaves P = 0,
// Q = 1; a part larger than 2^max_log has a tree of its own. The layout follows from the circuit
// alone, so prover and verifier derive the same one.
inline constexpr unsigned kBatchLog = 22;
struct Layout {
  struct Part {
    bool table;      // a table (index into the tables) or an instance (into the instances)
    uint32_t index;
    unsigned log_size;
    size_t offset;
  };
  struct Tree {
    unsigned log_size;  // ≥ 1
    std::vector<Part> parts;
  };
  std::vector<Tree> trees;
  static Layout of(std::span<const Instance> instances, std::span<const Table> tables, unsigned max_log = kBatchLog);
};

struct LookupClaims {
  std::vector<LeafClaims> instances;  // per instance
  std::vector<TableClaim> tables;     // per table
  std::vector<Fraction> roots;        // verifier side only: one per tree
};

// Proves every instance and table, tree by tree (after each tree, its parts' leaf values: each
// instance's source values at its row point, each table's multiplicity at its point). sources[k]
// are instance k's source vectors, mults[t] table t's multiplicities. omit_instance (tests only)
// leaves that instance's lookups out of its tree, as a prover that skips a layer's lookup would.
// after_tree is called as each tree is done (progress; the caller may drop the pages it read).
LookupClaims prove_lookups(proof::Writer& w, std::span<const Table> tables, std::span<const Instance> instances,
                           std::span<const std::vector<std::span<const M31>>> sources,
                           std::span<const std::span<const M31>> mults, const Challenges& ch,
                           unsigned max_log = kBatchLog, int64_t omit_instance = -1,
                           const std::function<void(size_t tree, size_t trees)>& after_tree = {});
// Checks each tree's leaves against its parts: the witness leaves rebuilt from the claimed source
// values, the table leaves from the claimed multiplicities and the fixed tables evaluated here.
LookupClaims verify_lookups(proof::Reader& r, std::span<const Table> tables, std::span<const Instance> instances,
                            const Challenges& ch, unsigned max_log = kBatchLog);

// No root denominator is zero, and the root fractions sum to zero.
void check_roots(std::span<const Fraction> roots);

}  // namespace zkm31::lookup
