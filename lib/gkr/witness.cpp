#include "gkr/witness.hpp"

#include <algorithm>

#include "error/error.hpp"

namespace zkm31::gkr {

namespace {

// Calls place(real_first, padded_first, count) for each row of the last dimension: a row's real entries
// are contiguous in the padded layout too, so only the first of each row needs padded_index.
template <typename Place>
void for_each_row(const Vec& v, size_t real_size, const Place& place) {
  const size_t row = v.dims.empty() ? 1 : size_t(v.dims.back());
  for (size_t i = 0; i < real_size; i += row) place(i, padded_index(v, i), std::min(row, real_size - i));
}

}  // namespace

std::vector<M31> embed(const Vec& v, std::span<const M31> real) {
  std::vector<M31> out(v.size());
  for_each_row(v, real.size(), [&](size_t r, size_t p, size_t n) { std::copy_n(real.begin() + r, n, out.begin() + p); });
  return out;
}

namespace {

// Writes the limbs of v (range_bits each) at position i.
void put_limbs(std::vector<std::vector<M31>>& values, const std::vector<uint32_t>& limbs, unsigned rb, size_t i,
               int64_t v) {
  for (size_t j = 0; j < limbs.size(); ++j) values[limbs[j]][i] = M31(uint32_t((v >> (rb * j)) & ((int64_t(1) << rb) - 1)));
}

void requant_aux(const Circuit& c, const RequantStep& s, Witness& w) {
  const Vec& qv = c.vecs[s.q];
  const std::span<const M31> x = w.view(s.x), q = w.view(s.q);
  const int64_t C = qv.dims.empty() ? 1 : qv.dims.back();
  const size_t real = size_t(model::numel(qv.dims));
  const unsigned rb = c.config.range_bits, eb = c.config.excess_bits;
  for (const auto* vs : {&s.e, &s.ep, &s.en, &s.r, &s.dlo, &s.dhi})
    for (uint32_t v : *vs) w.values[v].assign(qv.size(), M31());
  // Padded entries hold q = 0 and bound limbs 0 (the bound is checked on real entries only).
  const int64_t half = s.shift ? int64_t(1) << (s.shift - 1) : 0;
  for (size_t i = 0; i < real; ++i) {
    const size_t ch = size_t(int64_t(i) % C);
    const int64_t m = s.mult.size() == 1 ? s.mult[0] : s.mult[ch];
    const int64_t b = s.offset.empty() ? 0 : (s.offset.size() == 1 ? s.offset[0] : s.offset[ch]);
    const size_t pi = padded_index(qv, i);
    const __int128 v = __int128(x[pi].to_signed()) * m + b + half;
    const int64_t y = int64_t(v >> s.shift);  // floor division (arithmetic shift)
    const int64_t r = int64_t(v - (__int128(y) << s.shift));
    const int64_t qi = q[pi].to_signed();
    if (qi != std::clamp<int64_t>(y, s.lo, s.hi))
      throw BadInput("trace is inconsistent at requant " + s.name + ", element " + std::to_string(i) + ": " +
                     std::to_string(qi) + " should be " + std::to_string(std::clamp<int64_t>(y, s.lo, s.hi)));
    const int64_t e = y - qi, mag = e < 0 ? -e : e;
    if ((mag >> s.excess_total_bits) != 0)
      throw BadInput("requant " + s.name + ": clamp excess " + std::to_string(e) + " outside the proven window");
    if (s.wide) {
      put_limbs(w.values, s.ep, rb, pi, std::max<int64_t>(e, 0));
      put_limbs(w.values, s.en, rb, pi, std::max<int64_t>(-e, 0));
      put_limbs(w.values, s.dlo, rb, pi, qi - s.lo);
      put_limbs(w.values, s.dhi, rb, pi, s.hi - qi);
    } else {
      for (size_t j = 0; j < s.e.size(); ++j) {
        const int64_t limb = (mag >> (eb * j)) & ((int64_t(1) << eb) - 1);
        w.values[s.e[j]][pi] = M31::from_signed(e < 0 ? -limb : limb);
      }
    }
    put_limbs(w.values, s.r, rb, pi, r);
  }
}

// S one-hot at the first maximum of each real row and at column 0 of each padded row; D = max − x on
// real entries, 0 on padding.
void reduce_max_aux(const Circuit& c, const ReduceMaxStep& s, Witness& w) {
  const Vec& xv = c.vecs[s.x];
  const std::span<const M31> x = w.view(s.x), y = w.view(s.y);
  const int64_t L = xv.dims.back();
  const size_t rows = size_t(model::numel(xv.dims) / L);
  w.values[s.sel].assign(xv.size(), M31());
  for (uint32_t v : s.d) w.values[v].assign(xv.size(), M31());
  for (size_t r = 0; r < rows; ++r) {
    const int64_t m = y[padded_index(c.vecs[s.y], r)].to_signed();
    bool selected = false;
    for (int64_t j = 0; j < L; ++j) {
      const size_t pi = padded_index(xv, r * size_t(L) + size_t(j));
      const int64_t d = m - x[pi].to_signed();
      if (d < 0) throw BadInput("trace is inconsistent at reduce_max " + s.name + ", row " + std::to_string(r) + ": " +
                                std::to_string(m) + " is below an entry");
      put_limbs(w.values, s.d, c.config.range_bits, pi, d);
      if (d == 0 && !selected) w.values[s.sel][pi] = M31(1), selected = true;
    }
    if (!selected)
      throw BadInput("trace is inconsistent at reduce_max " + s.name + ", row " + std::to_string(r) + ": " +
                     std::to_string(m) + " is no entry of the row");
  }
  const size_t row_len = size_t(1) << xv.log_dims.back();
  std::vector<bool> real_row(xv.size() / row_len, false);
  for (size_t r = 0; r < rows; ++r) real_row[padded_index(xv, r * size_t(L)) / row_len] = true;
  for (size_t pr = 0; pr < real_row.size(); ++pr)
    if (!real_row[pr]) w.values[s.sel][pr * row_len] = M31(1);
}

}  // namespace

namespace {

// Writes weight vector id's padded values into out (2^n_vars entries, zeros at padding).
void embed_weight(const Vec& v, const model::WeightData& wd, std::span<M31> out) {
  std::fill(out.begin(), out.end(), M31());
  for_each_row(v, wd.values.size(), [&](size_t r, size_t p, size_t n) {
    for (size_t k = 0; k < n; ++k) out[p + k] = M31::from_signed(wd.values[r + k]);
  });
}

void fill_weights(const Circuit& c, std::vector<std::vector<M31>>& values, const model::Graph& g) {
  for (uint32_t id : c.weights) {
    values[id].resize(c.vecs[id].size());
    embed_weight(c.vecs[id], g.weight(uint32_t(c.vecs[id].tensor)), values[id]);
  }
}

// Padding vectors: 1 on padded entries, 0 on real ones.
std::vector<M31> padding_values(const Vec& v) {
  std::vector<M31> out = embed(v, std::vector<M31>(size_t(model::numel(v.dims)), M31(1)));
  for (M31& x : out) x = M31(1) - x;
  return out;
}

}  // namespace

std::vector<std::vector<M31>> weight_values(const Circuit& c, const model::Graph& g) {
  std::vector<std::vector<M31>> values(c.vecs.size());
  fill_weights(c, values, g);
  return values;
}

void drain_weights(const Circuit& c, model::Graph& g, std::span<const uint32_t> ids, std::span<const size_t> offsets,
                   std::span<M31> out) {
  for (size_t i = 0; i < ids.size(); ++i) {
    const Vec& v = c.vecs[ids[i]];
    model::WeightData& wd = g.weight(uint32_t(v.tensor));
    embed_weight(v, wd, out.subspan(offsets[i], v.size()));
    std::vector<int32_t>().swap(wd.values), std::vector<float>().swap(wd.original);
  }
}

void Witness::place(uint32_t vec, std::span<const M31> where) {
  if (lent.size() <= vec) lent.resize(std::max<size_t>(values.size(), vec + 1));
  lent[vec] = where;
}

void Witness::lend(uint32_t vec, std::span<const M31> where) {
  if (!std::equal(values[vec].begin(), values[vec].end(), where.begin(), where.end()))
    throw std::logic_error("witness: lent values differ from the vector's");
  if (lent.size() < values.size()) lent.resize(values.size());
  lent[vec] = where;
  std::vector<M31>().swap(values[vec]);
}

void add_certificate_values(const Circuit& cert, Witness& w, bool strict) {
  const unsigned rb = cert.config.range_bits;
  for (const auto& wb : cert.weight_bounds) {
    const Vec& v = cert.vecs[wb.w];
    for (const auto* l : {&wb.dlo, &wb.dhi})
      for (uint32_t x : *l) w.values[x].assign(v.size(), M31());
    const std::span<const M31> weights = w.view(wb.w);
    for (size_t i = 0; i < v.size(); ++i) {
      const int64_t x = weights[i].to_signed();
      if (strict && (x < wb.lo || x > wb.hi))
        throw BadInput("weight " + v.name + " holds " + std::to_string(x) + ", outside its declared interval [" +
                       std::to_string(wb.lo) + ", " + std::to_string(wb.hi) + "]");
      put_limbs(w.values, wb.dlo, rb, i, x - wb.lo);
      put_limbs(w.values, wb.dhi, rb, i, wb.hi - x);
    }
  }
  count_multiplicities(cert, w, strict);
}

Witness build_witness(const Circuit& c, const model::Trace& t, bool strict) {
  Witness w;
  w.values.resize(c.vecs.size());
  fill_weights(c, w.values, t.graph);
  WitnessBuilder(c, t, nullptr, w, strict).ensure_all();
  return w;
}

WitnessBuilder::WitnessBuilder(const Circuit& c, const model::Trace& t, model::Trace* drain, Witness& w, bool strict,
                               std::function<void()> after_read)
    : c_(c), t_(t), drain_(drain), w_(w), strict_(strict), after_read_(std::move(after_read)), producer_(c.vecs.size(), kNothing), built_(c.vecs.size(), false),
      uses_(t.values.size(), 0) {
  w.values.resize(c.vecs.size());
  for (size_t i = 0; i < c.vecs.size(); ++i) {
    const Vec& v = c.vecs[i];
    if (v.kind == VecKind::Padding) producer_[i] = kEmbedded;
    else if (v.tensor >= 0 && v.kind != VecKind::Weight) producer_[i] = kEmbedded, ++uses_.at(size_t(v.tensor));
  }
  for (size_t k = 0; k < c.steps.size(); ++k) {
    auto mark = [&](const std::vector<uint32_t>& vs) {
      for (uint32_t v : vs) producer_[v] = int32_t(k);
    };
    if (auto* rq = std::get_if<RequantStep>(&c.steps[k])) {
      for (const auto* vs : {&rq->e, &rq->ep, &rq->en, &rq->r, &rq->dlo, &rq->dhi}) mark(*vs);
    } else if (auto* rm = std::get_if<ReduceMaxStep>(&c.steps[k])) {
      mark(rm->d), producer_[rm->sel] = int32_t(k);
    }
  }
  for (uint32_t v : c.mult_vecs) producer_[v] = kMultiplicity;
}

void WitnessBuilder::ensure(uint32_t vec) {
  if (built_[vec]) return;
  const int32_t p = producer_[vec];
  if (p == kEmbedded) {
    const Vec& v = c_.vecs[vec];
    if (v.kind == VecKind::Padding) {
      w_.values[vec] = padding_values(v);
    } else {
      w_.values[vec] = embed(v, t_.values.at(size_t(v.tensor)));
      if (drain_ && --uses_[size_t(v.tensor)] == 0) std::vector<M31>().swap(drain_->values[size_t(v.tensor)]);
    }
  } else if (p == kMultiplicity) {
    for (const auto& vs : c_.instance_vecs)
      for (uint32_t v : vs) ensure(v);
    count_multiplicities(c_, w_, strict_, after_read_);
    for (uint32_t v : c_.mult_vecs) built_[v] = true;
  } else if (p >= 0) {
    const Step& s = c_.steps[size_t(p)];
    if (auto* rq = std::get_if<RequantStep>(&s)) {
      ensure(rq->x), ensure(rq->q);
      requant_aux(c_, *rq, w_);
      for (const auto* vs : {&rq->e, &rq->ep, &rq->en, &rq->r, &rq->dlo, &rq->dhi})
        for (uint32_t v : *vs) built_[v] = true;
    } else {
      const auto& rm = std::get<ReduceMaxStep>(s);
      ensure(rm.x), ensure(rm.y);
      reduce_max_aux(c_, rm, w_);
      for (uint32_t v : rm.d) built_[v] = true;
      built_[rm.sel] = true;
    }
  }
  built_[vec] = true;
}

void WitnessBuilder::ensure_all() {
  for (uint32_t v = 0; v < c_.vecs.size(); ++v) ensure(v);
}

void count_multiplicities(const Circuit& c, Witness& w, bool strict, const std::function<void()>& after_read) {
  std::vector<std::vector<uint32_t>> counts;
  for (const lookup::Table& tab : c.tables) counts.emplace_back(tab.size(), 0);
  for (size_t k = 0; k < c.instances.size(); ++k) {
    std::vector<std::span<const M31>> src;
    for (uint32_t v : c.instance_vecs[k]) src.emplace_back(w.view(v));
    lookup::count(c.tables, c.instances[k], src, counts, strict);
    if (after_read) after_read();
  }
  for (size_t k = 0; k < c.tables.size(); ++k) w.values[c.mult_vecs[k]] = lookup::to_field(counts[k]);
}

}  // namespace zkm31::gkr
