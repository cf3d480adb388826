#include "prove/opening.hpp"

#include "error/error.hpp"
#include "gkr/merge.hpp"

namespace zkm31::prove {

namespace {

std::vector<std::vector<pcs::Claim>> chunks_of_claims(const std::vector<BigClaim>& claims) {
  std::vector<std::vector<pcs::Claim>> out;
  for (size_t i = 0; i < claims.size(); i += kMaxClaimsPerOpening) {
    out.emplace_back();
    for (size_t j = i; j < std::min(claims.size(), i + kMaxClaimsPerOpening); ++j)
      out.back().push_back({claims[j].point, claims[j].value});
  }
  return out;
}

}  // namespace

std::vector<BigClaim> batch_claims(gkr::Side& side, const std::string& label, std::vector<BigClaim> claims,
                                   unsigned n, std::span<const M31> big) {
  if (claims.size() <= kMaxClaimsPerOpening) return claims;
  gkr::Merged m = gkr::merge_claims(side, label, claims, n, big);
  return {{std::move(m.point), m.value}};
}

std::vector<pcs::OpeningProof> open_claims(gkr::Side& side, const std::string& label, std::vector<BigClaim> claims,
                                           const pcs::Committed& committed) {
  std::vector<pcs::OpeningProof> out;
  for (const auto& chunk : chunks_of_claims(batch_claims(side, label, std::move(claims), committed.log_size(), committed.values())))
    out.push_back(pcs::open(committed, chunk, side.channel()));
  return out;
}

size_t verify_openings(gkr::Side& side, const std::string& label, gkr::Ledger& ledger, const Packing& p,
                     const hash::Digest& root, const artifact::MapView& body, std::string_view key,
                     const pcs::Config& config, double floor_bits, const std::string& what) {
  const auto cs = chunks_of_claims(batch_claims(side, label, take_claims(ledger, p, what), p.log_size, {}));
  const std::vector<msgpack::object> proofs = body.array(key);
  require(proofs.size() == cs.size(), what, "expected " + std::to_string(cs.size()) + " openings, found " +
                                                std::to_string(proofs.size()));
  for (size_t i = 0; i < cs.size(); ++i) {
    pcs::OpeningProof op = pcs::OpeningProof::read(artifact::MapView(proofs[i], body.where() + "." + std::string(key)));
    require(op.config == config, what, "opening config differs from the proof config");
    pcs::verify(root, p.log_size, cs[i], op, side.channel(), floor_bits);
  }
  return cs.size();
}

std::vector<pcs::OpeningProof> open_chunks(gkr::Side& side, const std::string& label, gkr::Ledger& ledger,
                                           const Chunks& chunks, std::span<const pcs::Committed> committed,
                                           const std::string& by, Soundness* tally,
                                           const std::function<void(size_t)>& opened) {
  std::vector<pcs::OpeningProof> out;
  for (size_t i = 0; i < chunks.parts.size(); ++i) {
    const auto ps = open_claims(side, label, take_claims(ledger, chunks.parts[i], by), committed[i]);
    if (tally) tally->add_openings(ps.size(), chunks.parts[i].log_size);
    out.insert(out.end(), ps.begin(), ps.end());
    if (opened) opened(i);
  }
  return out;
}

void verify_chunk_openings(gkr::Side& side, const std::string& label, gkr::Ledger& ledger, const Chunks& chunks,
                           std::span<const hash::Digest> roots, const artifact::MapView& body, std::string_view key,
                           const pcs::Config& config, double floor_bits, const std::string& what, Soundness* tally) {
  const std::vector<msgpack::object> proofs = body.array(key);
  size_t next = 0;
  for (size_t i = 0; i < chunks.parts.size(); ++i) {
    const Packing& p = chunks.parts[i];
    const auto cs = chunks_of_claims(batch_claims(side, label, take_claims(ledger, p, what), p.log_size, {}));
    require(proofs.size() - next >= cs.size(), what,
            "expected at least " + std::to_string(next + cs.size()) + " openings, found " + std::to_string(proofs.size()));
    for (const auto& claims : cs) {
      pcs::OpeningProof op =
          pcs::OpeningProof::read(artifact::MapView(proofs[next++], body.where() + "." + std::string(key)));
      require(op.config == config, what, "opening config differs from the proof config");
      pcs::verify(roots[i], p.log_size, claims, op, side.channel(), floor_bits);
    }
    if (tally) tally->add_openings(cs.size(), p.log_size);
  }
  require(next == proofs.size(), what, "expected " + std::to_string(next) + " openings, found " + std::to_string(proofs.size()));
}

hash::Digest chunks_root(std::span<const hash::Digest> roots, std::span<const unsigned> log_sizes) {
  if (roots.size() != log_sizes.size()) throw std::logic_error("chunks_root: one log size per root");
  if (roots.size() == 1) return roots[0];
  hash::Blake2s h;
  h.update(std::string_view("zkm31/chunk-root/v1"));
  h.update_u64(roots.size());
  for (size_t i = 0; i < roots.size(); ++i) h.update_u64(log_sizes[i]), h.update(roots[i]);
  return h.finalize();
}

std::vector<hash::Digest> roots_of(std::span<const pcs::Committed> committed) {
  std::vector<hash::Digest> out;
  for (const auto& c : committed) out.push_back(c.root());
  return out;
}

void write_openings(artifact::BodyWriter& w, std::string_view key, const std::vector<pcs::OpeningProof>& ps) {
  w.key(key);
  w.pk.pack_array(uint32_t(ps.size()));
  for (const auto& p : ps) p.write(w);
}

void absorb_config(Channel& ch, const pcs::Config& pc, const gkr::Config& gc) {
  for (uint64_t v : {uint64_t(pc.log_blowup), uint64_t(pc.queries), uint64_t(pc.pow_bits), uint64_t(pc.fold_step),
                     uint64_t(pc.final_log), uint64_t(pc.first_fold), uint64_t(gc.range_bits), uint64_t(gc.excess_bits),
                     uint64_t(gc.wide_log)})
    ch.absorb_u64("config", v);
}

std::vector<M31> stream_limbs(std::span<const QM31> xs) {
  std::vector<M31> out;
  out.reserve(xs.size() * 4);
  for (const QM31& x : xs)
    for (M31 l : x.limbs()) out.push_back(l);
  return out;
}

std::vector<QM31> read_stream(const artifact::MapView& body, std::string_view key) {
  const std::vector<M31> limbs = body.m31s(key);
  if (limbs.size() % 4) throw BadInput(body.where() + "." + std::string(key) + ": not a whole number of QM31 elements");
  std::vector<QM31> out(limbs.size() / 4);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = QM31::from_limbs({limbs[4 * i], limbs[4 * i + 1], limbs[4 * i + 2], limbs[4 * i + 3]});
  return out;
}

hash::Digest digest_field(const artifact::MapView& body, std::string_view key) {
  auto b = body.bin(key);
  if (b.size() != 32) throw BadInput(body.where() + "." + std::string(key) + ": expected 32 bytes");
  hash::Digest d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

std::vector<hash::Digest> digests_field(const artifact::MapView& body, std::string_view key, size_t count) {
  const auto b = body.bin(key);
  if (b.size() != 32 * count)
    throw BadInput(body.where() + "." + std::string(key) + ": expected " + std::to_string(count) + " digests of 32 bytes");
  std::vector<hash::Digest> out(count);
  for (size_t i = 0; i < count; ++i) std::copy_n(b.begin() + 32 * i, 32, out[i].begin());
  return out;
}

void write_digests(artifact::BodyWriter& w, std::string_view key, std::span<const hash::Digest> ds) {
  std::vector<uint8_t> b;
  for (const auto& d : ds) b.insert(b.end(), d.begin(), d.end());
  w.key(key), w.bin(b);
}

}  // namespace zkm31::prove
