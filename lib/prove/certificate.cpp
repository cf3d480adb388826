#include "prove/certificate.hpp"

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "gkr/walk.hpp"
#include "prove/cache.hpp"
#include "prove/proof.hpp"
#include "prove/opening.hpp"
#include "prove/packing.hpp"

namespace zkm31::prove {

using artifact::BodyWriter;
using artifact::MapView;

namespace {

constexpr std::string_view kKind = "weight-certificate";
constexpr const char* kWhere = "weight certificate";

void absorb_statement(Channel& ch, const CertificateStatement& s, const Chunks& model, std::span<const hash::Digest> own_roots,
                      const Chunks& own) {
  ch.absorb_u64("version", kCertificateVersion);
  absorb_config(ch, s.pcs, s.circuit.config);
  ch.absorb_u64("commit_log", s.commit_log);
  ch.absorb_digest("graph_digest", s.graph_digest);
  ch.absorb_digest("weight_root", s.weight_root);
  for (unsigned l : model.log_sizes()) ch.absorb_u64("model_log_size", l);
  for (size_t i = 0; i < own_roots.size(); ++i) {
    ch.absorb_digest("certificate_commitment", own_roots[i]);
    ch.absorb_u64("certificate_log_size", own.parts[i].log_size);
  }
}

Chunks model_chunks(const CertificateStatement& s) { return Chunks::of(s.circuit, s.circuit.weights, s.commit_log, "weights"); }
Chunks own_chunks(const CertificateStatement& s) {
  return Chunks::of(s.circuit, s.circuit.committed, s.commit_log, "weight certificate vectors");
}

}  // namespace

std::vector<uint8_t> prove_certificate(const CertificateStatement& s, gkr::Witness& w,
                                       std::span<const pcs::Committed> model, bool forge, Soundness* tally) {
  const gkr::Circuit& c = s.circuit;
  gkr::add_certificate_values(c, w, !forge);
  const Chunks mc = model_chunks(s), cc = own_chunks(s);
  if (mc.parts.size() != model.size()) throw std::logic_error("weight certificate: weight commitment of other chunks");
  for (size_t i = 0; i < model.size(); ++i)
    if (mc.parts[i].log_size != model[i].log_size()) throw std::logic_error("weight certificate: weight chunk of another size");
  std::vector<pcs::Committed> own;
  for (const Packing& p : cc.parts) own.push_back(pcs::commit(p.pack(w.values), s.pcs));
  const std::vector<hash::Digest> own_roots = roots_of(own);
  Channel ch(kCertificateProtocol);
  absorb_statement(ch, s, mc, own_roots, cc);
  proof::Writer wr(ch);
  gkr::Side side{&wr, nullptr};
  gkr::Ledger ledger = gkr::walk(c, side, &w, w.values, forge ? gkr::CheatMode::ForgedWitness : gkr::CheatMode::None);
  // Each weight chunk's codeword is read whole by its opening: its pages go before the next one's.
  const auto model_open = open_chunks(side, "model", ledger, mc, model, "model opening", tally,
                                      [](size_t) { release_mapped_codewords(); });
  const auto own_open = open_chunks(side, "certificate", ledger, cc, own, "certificate opening", tally);
  if (tally) {
    tally->challenges += ch.qm31_draws();
    tally->logup_fractions += logup_fractions(c);
  }

  BodyWriter b(7);
  b.key("protocol"), b.pk.pack(std::string(kCertificateProtocol));
  b.key("graph_digest"), b.bin(s.graph_digest);
  b.key("weight_root"), b.bin(s.weight_root);
  write_digests(b, "certificate_commitment", own_roots);
  b.key("stream"), b.m31s(stream_limbs(wr.data()));
  write_openings(b, "model_openings", model_open);
  write_openings(b, "certificate_openings", own_open);
  return artifact::wrap(kKind, kCertificateVersion, b.bytes());
}

void verify_certificate(std::span<const uint8_t> bytes, const CertificateStatement& s, double floor_bits,
                        Soundness* tally) {
  try {
    artifact::EnvelopeView env = artifact::unwrap_view(bytes, kKind, kCertificateVersion);
    auto handle = artifact::parse_body(env.body, kWhere);
    MapView m(handle.get(), "weight_certificate");
    if (m.str("protocol") != kCertificateProtocol) throw BadInput("unknown protocol " + m.str("protocol"));
    require(digest_field(m, "graph_digest") == s.graph_digest, kWhere, "made for another graph");
    require(digest_field(m, "weight_root") == s.weight_root, kWhere, "made for other weights");
    const gkr::Circuit& c = s.circuit;
    const Chunks mc = model_chunks(s), cc = own_chunks(s);
    require(s.weight_roots.size() == mc.parts.size() && chunks_root(s.weight_roots, mc.log_sizes()) == s.weight_root,
            kWhere, "the weight chunks' roots do not have the weight root");
    const std::vector<hash::Digest> own_roots = digests_field(m, "certificate_commitment", cc.parts.size());
    Channel ch(kCertificateProtocol);
    absorb_statement(ch, s, mc, own_roots, cc);
    const std::vector<QM31> stream = read_stream(m, "stream");
    proof::Reader rd(ch, stream);
    gkr::Side side{nullptr, &rd};
    const std::vector<std::vector<M31>> no_public(c.vecs.size());
    try {
      gkr::Ledger ledger = gkr::walk(c, side, nullptr, no_public);
      // Counted apart: a rejected certificate adds nothing to the caller's tally.
      Soundness counted;
      verify_chunk_openings(side, "model", ledger, mc, s.weight_roots, m, "model_openings", s.pcs, floor_bits,
                            "model opening", &counted);
      verify_chunk_openings(side, "certificate", ledger, cc, own_roots, m, "certificate_openings", s.pcs, floor_bits,
                            "certificate opening", &counted);
      rd.finish();
      ledger.check_all_consumed();
      if (tally) {
        tally->challenges += ch.qm31_draws();
        tally->logup_fractions += logup_fractions(c);
        tally->openings.insert(tally->openings.end(), counted.openings.begin(), counted.openings.end());
      }
    } catch (const Rejected& e) {
      throw Rejected(std::string(kWhere) + ": " + e.where(), e.check());
    }
  } catch (const Rejected&) {
    throw;
  } catch (const BadInput& e) {
    throw BadInput(std::string(kWhere) + ": " + e.what());
  }
}

std::string certificate_path(const std::string& dir, const CertificateStatement& s) {
  // The model identity binds the weights (through their root, which also binds the PCS config) and
  // the graph; the walk config completes the statement.
  const hash::Digest identity = model_commitment(s.graph_digest, s.weight_root);
  std::vector<uint8_t> key(identity.begin(), identity.end());
  const gkr::Config& g = s.circuit.config;
  for (uint32_t w : {s.pcs.log_blowup, s.pcs.queries, s.pcs.pow_bits, s.pcs.fold_step, s.pcs.final_log,
                     s.pcs.first_fold, uint32_t(g.range_bits), uint32_t(g.excess_bits), uint32_t(g.wide_log),
                     uint32_t(s.commit_log)})
    for (int i = 0; i < 4; ++i) key.push_back(uint8_t(w >> (8 * i)));
  return cache_file(dir, key, ".certificate");
}

std::vector<uint8_t> certificate_cached(const CertificateStatement& s, gkr::Witness& w,
                                        std::span<const pcs::Committed> model, const std::string& dir, bool* hit,
                                        Soundness* tally) {
  if (hit) *hit = false;
  if (dir.empty()) return prove_certificate(s, w, model, false, tally);
  const std::string path = certificate_path(dir, s);
  std::vector<uint8_t> bytes;
  if (read_cached(path, "weight-certificate", [&](std::span<const uint8_t> file) {
        verify_certificate(file, s, 0, tally);
        bytes.assign(file.begin(), file.end());
      })) {
    if (hit) *hit = true;
    return bytes;
  }
  bytes = prove_certificate(s, w, model, false, tally);
  write_cached(path, "weight-certificate", bytes);
  return bytes;
}

}  // namespace zkm31::prove
