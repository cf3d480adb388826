#include "prove/packing.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

#include "error/error.hpp"

namespace zkm31::prove {

Packing Packing::of(const gkr::Circuit& c, std::span<const uint32_t> members) {
  Packing p;
  p.vecs.assign(members.begin(), members.end());
  // Largest first keeps every offset a multiple of its member's size; ties keep circuit order.
  std::stable_sort(p.vecs.begin(), p.vecs.end(),
                   [&](uint32_t a, uint32_t b) { return c.vecs[a].n_vars > c.vecs[b].n_vars; });
  size_t at = 0;
  for (uint32_t v : p.vecs) {
    p.offsets.push_back(at);
    at += c.vecs[v].size();
  }
  const size_t total = std::max<size_t>(std::bit_ceil(std::max<size_t>(at, 1)), 2);
  p.log_size = unsigned(std::countr_zero(total));
  return p;
}

std::vector<M31> Packing::pack(const std::vector<std::vector<M31>>& values) const {
  std::vector<M31> big(size_t(1) << log_size);
  for (size_t i = 0; i < vecs.size(); ++i) std::copy(values[vecs[i]].begin(), values[vecs[i]].end(), big.begin() + offsets[i]);
  return big;
}

std::vector<M31> Packing::pack_out(gkr::Witness& w) const {
  std::vector<M31> big(size_t(1) << log_size);
  for (size_t i = 0; i < vecs.size(); ++i) {
    std::vector<M31>& v = w.values[vecs[i]];
    std::copy(v.begin(), v.end(), big.begin() + offsets[i]);
    std::vector<M31>().swap(v);
  }
  return big;
}

void Packing::lend(gkr::Witness& w, std::span<const M31> big) const {
  for (size_t i = 0; i < vecs.size(); ++i) w.lend(vecs[i], big.subspan(offsets[i], w.values[vecs[i]].size()));
}

std::vector<M31> Packing::drain_weights(const gkr::Circuit& c, model::Graph& g) const {
  std::vector<M31> big(size_t(1) << log_size);
  gkr::drain_weights(c, g, vecs, offsets, big);
  return big;
}

void Packing::place(const gkr::Circuit& c, gkr::Witness& w, std::span<const M31> big) const {
  for (size_t i = 0; i < vecs.size(); ++i) w.place(vecs[i], big.subspan(offsets[i], c.vecs[vecs[i]].size()));
}

std::vector<QM31> Packing::lift(uint32_t vec, std::span<const QM31> point) const {
  const size_t i = size_t(std::find(vecs.begin(), vecs.end(), vec) - vecs.begin());
  if (i == vecs.size()) throw std::logic_error("packing: vector not a member");
  std::vector<QM31> out(point.begin(), point.end());
  const size_t o = offsets[i] >> point.size();
  for (unsigned k = unsigned(point.size()); k < log_size; ++k)
    out.push_back((o >> (k - point.size())) & 1 ? QM31::one() : QM31());
  return out;
}

Chunks Chunks::of(const gkr::Circuit& c, std::span<const uint32_t> members, unsigned max_log, const std::string& what,
                  ChunkOrder by) {
  std::vector<uint32_t> order(members.begin(), members.end());
  if (by == ChunkOrder::LargestFirst)
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return c.vecs[a].n_vars > c.vecs[b].n_vars; });
  const size_t cap = size_t(1) << max_log;
  Chunks out;
  std::vector<uint32_t> part;
  size_t filled = 0;
  for (uint32_t v : order) {
    if (c.vecs[v].n_vars > max_log)
      throw NotSupported(what + ": " + c.vecs[v].name + " pads to 2^" + std::to_string(c.vecs[v].n_vars) +
                         " entries; one commitment holds at most 2^" + std::to_string(max_log));
    if (filled + c.vecs[v].size() > cap) out.parts.push_back(Packing::of(c, part)), part.clear(), filled = 0;
    part.push_back(v);
    filled += c.vecs[v].size();
  }
  if (!part.empty() || out.parts.empty()) out.parts.push_back(Packing::of(c, part));
  return out;
}

std::vector<unsigned> Chunks::log_sizes() const {
  std::vector<unsigned> out;
  for (const Packing& p : parts) out.push_back(p.log_size);
  return out;
}

std::vector<BigClaim> take_claims(gkr::Ledger& ledger, const Packing& p, const std::string& by) {
  std::vector<BigClaim> out;
  for (size_t id = 0; id < ledger.claims().size(); ++id) {
    const gkr::Claim& c = ledger.at(id);
    if (!c.consumed_by.empty() || std::find(p.vecs.begin(), p.vecs.end(), c.vec) == p.vecs.end()) continue;
    const size_t i = size_t(std::find(p.vecs.begin(), p.vecs.end(), c.vec) - p.vecs.begin());
    out.push_back({p.lift(c.vec, c.point), c.value, p.offsets[i], unsigned(c.point.size())});
    ledger.consume(id, by);
  }
  return out;
}

}  // namespace zkm31::prove
