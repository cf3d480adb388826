#include "prove/proof.hpp"

#include <algorithm>
#include <chrono>
#include <malloc.h>

#include <optional>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "prove/cache.hpp"
#include "prove/certificate.hpp"
#include "prove/opening.hpp"
#include "prove/packing.hpp"
#include "prove/structure.hpp"

namespace zkm31::prove {

using artifact::BodyWriter;
using artifact::MapView;

namespace {

// The pages a phase has freed go back to the system (the allocator would keep those of many small
// freed vectors), and the mapped codewords' pages it read leave the resident set.
void return_free_memory() {
  malloc_trim(0);
  release_mapped_codewords();
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void absorb_statement(Channel& ch, const Options& o, const hash::Digest& graph_digest, const hash::Digest& weight_root,
                      std::span<const unsigned> model_logs, std::span<const M31> in, std::span<const M31> out) {
  ch.absorb_u64("version", kProofVersion);
  absorb_config(ch, o.pcs, o.gkr);
  ch.absorb_u64("commit_log", o.commit_log);
  ch.absorb_digest("graph_digest", graph_digest);
  ch.absorb_digest("weight_root", weight_root);
  for (unsigned l : model_logs) ch.absorb_u64("model_log_size", l);
  ch.absorb_digest("model_commitment", model_commitment(graph_digest, weight_root));
  ch.absorb_m31s("public_input", in);
  ch.absorb_m31s("public_output", out);
}

// The public vectors padded as the circuit lays them out, and their real entries checked against
// the tensors' proven intervals (the bounds the accumulator and requant arguments rely on).
void place_public(const gkr::Circuit& c, const model::Graph& g, const std::vector<uint32_t>& vecs,
                  std::span<const M31> flat, const std::string& what, std::vector<std::vector<M31>>& pub) {
  size_t at = 0;
  for (uint32_t v : vecs) {
    const gkr::Vec& vec = c.vecs[v];
    const model::Tensor& t = g.tensors[size_t(vec.tensor)];
    const size_t n = size_t(model::numel(t.shape));
    require(flat.size() - at >= n, what, "too few values");
    for (size_t i = 0; i < n; ++i) {
      const int64_t x = flat[at + i].to_signed();
      require(x >= t.lo && x <= t.hi, what, t.name + "[" + std::to_string(i) + "] = " + std::to_string(x) +
                                                 " is outside [" + std::to_string(t.lo) + ", " + std::to_string(t.hi) + "]");
    }
    pub[v] = gkr::embed(vec, flat.subspan(at, n));
    at += n;
  }
  require(at == flat.size(), what, "too many values");
}

}  // namespace

hash::Digest model_commitment(const hash::Digest& graph_digest, const hash::Digest& weight_root) {
  hash::Blake2s h;
  h.update(std::string_view("zkm31/model-commitment/v1"));
  h.update(graph_digest);
  h.update(weight_root);
  return h.finalize();
}

namespace {

constexpr unsigned kMinSpillLog = 20;  // one trace commitment of 2^20 entries or more is spilled

void check_commit_log(unsigned commit_log) {
  if (commit_log < kMinCommitLog || commit_log > pcs::kMaxLogSize)
    throw BadInput("commit_log " + std::to_string(commit_log) + " outside " + std::to_string(kMinCommitLog) + ".." +
                   std::to_string(pcs::kMaxLogSize));
}

}  // namespace

unsigned resolve_commit_log(const gkr::Compiled& cc, unsigned commit_log) {
  if (commit_log != kAutoCommitLog) return commit_log;
  unsigned log = kAutoMinCommitLog;
  for (const gkr::Circuit* c : {&cc.proof, &cc.certificate})
    for (const auto* members : {&c->weights, &c->committed})
      for (uint32_t v : *members) log = std::max(log, c->vecs[v].n_vars);
  return std::min(log, unsigned(pcs::kMaxLogSize));  // a larger vector is refused by its chunking
}

namespace {

Chunks weight_chunks(const gkr::Circuit& c, unsigned commit_log) { return Chunks::of(c, c.weights, commit_log, "weights"); }
// The trace's chunks follow the circuit's order (layer by layer): the prover builds each chunk's members
// just before committing it, reading few vectors of other chunks.
Chunks trace_chunks(const gkr::Circuit& c, unsigned commit_log) {
  return Chunks::of(c, c.committed, commit_log, "committed activations", ChunkOrder::Given);
}

// Test-only lie: the last pending claim on a trace vector is consumed without an opening.
void drop_last_claim(gkr::Ledger& ledger, const Chunks& trace) {
  for (size_t id = ledger.claims().size(); id-- > 0;) {
    const gkr::Claim& c = ledger.at(id);
    if (!c.consumed_by.empty()) continue;
    for (const Packing& p : trace.parts)
      if (std::find(p.vecs.begin(), p.vecs.end(), c.vec) != p.vecs.end()) return ledger.consume(id, "dropped");
  }
}

}  // namespace


hash::Digest model_commitment(const model::Graph& g, const Options& opt) {
  const gkr::Compiled cc = gkr::compile(g, opt.gkr);
  const gkr::Circuit& c = cc.proof;
  const unsigned commit_log = resolve_commit_log(cc, opt.commit_log);
  check_commit_log(commit_log);
  const Chunks mc = weight_chunks(c, commit_log);
  const std::vector<std::vector<M31>> values = gkr::weight_values(c, g);
  std::vector<hash::Digest> roots;
  for (const Packing& p : mc.parts) roots.push_back(commit_cached(p.pack(values), opt.pcs, opt.cache_dir).root());
  return model_commitment(model::graph_digest(g), chunks_root(roots, mc.log_sizes()));
}

namespace {

// `release`: the trace itself, whose weight data and activations are dropped as the witness takes them
// (the weights chunk by chunk, as they are committed).
std::vector<uint8_t> prove_impl(const model::Trace& t, model::Trace* release, const Options& given, ProveReport* report,
                                const std::function<void(const Part&)>& progress) {
  const double t0 = now();
  double mark = t0;
  size_t mark_bytes = 0;
  ProveReport rep;
  proof::Writer* writer = nullptr;
  auto part = [&](const std::string& name, size_t extra_bytes = 0) {
    const double tn = now();
    const size_t b = writer ? writer->data().size() * 16 : 0;
    Part p{name, tn - mark, b - mark_bytes + extra_bytes};
    mark = tn, mark_bytes = b;
    rep.parts.push_back(p);
    if (progress) progress(p);
  };
  pcs::check_floor(given.pcs, 0);  // parameter ranges
  const model::Graph& g = t.graph;
  const gkr::Compiled cc = gkr::compile(g, given.gkr);
  const gkr::Circuit& c = cc.proof;
  Options opt = given;
  opt.commit_log = resolve_commit_log(cc, given.commit_log);
  check_commit_log(opt.commit_log);
  // Refused before the witness is built (a tensor too large would allocate gigabytes first).
  const Chunks mc = weight_chunks(c, opt.commit_log);
  const Chunks tc = trace_chunks(c, opt.commit_log);
  const std::vector<M31> in = model::tensor_values(t, g.inputs), out = model::tensor_values(t, g.outputs);
  // A trace the prover owns is emptied as it goes: its weights chunk by chunk straight into the
  // weight commitment, then (after the certificate, which reads only weights) its activations.
  gkr::Witness w = release ? gkr::Witness{} : gkr::build_witness(c, t);
  w.values.resize(c.vecs.size());
  if (!release) part("witness");
  std::vector<pcs::Committed> model;
  rep.model_cached = true;
  for (const Packing& p : mc.parts) {
    bool hit = false;
    model.push_back(commit_cached(release ? p.drain_weights(c, release->graph) : p.pack(w.values), opt.pcs,
                                  opt.cache_dir, &hit));
    if (release) p.place(c, w, model.back().values());
    else p.lend(w, model.back().values());
    rep.model_cached &= hit;
    return_free_memory();  // the lent vectors' pages, before the next chunk is packed
  }
  part(rep.model_cached ? "weight commitment: cached" : "weight commitment: computed");
  const std::vector<hash::Digest> weight_roots = roots_of(model);
  rep.graph_digest = model::graph_digest(g);
  rep.weight_root = chunks_root(weight_roots, mc.log_sizes());
  rep.model_commitment = model_commitment(rep.graph_digest, rep.weight_root);
  const CertificateStatement cs{cc.certificate, rep.graph_digest, rep.weight_root, weight_roots, opt.pcs, opt.commit_log};
  Soundness tally;
  const std::vector<uint8_t> certificate =
      opt.forge_certificate ? prove_certificate(cs, w, model, true, &tally)
                            : certificate_cached(cs, w, model, opt.cache_dir, &rep.certificate_cached, &tally);
  for (size_t v = 0; v < c.vecs.size(); ++v)  // the certificate's own vectors are not read again
    if (cc.certificate.vecs[v].kind == gkr::VecKind::Certificate) std::vector<M31>().swap(w.values[v]);
  return_free_memory();
  part(rep.certificate_cached ? "weight certificate: cached" : "weight certificate: computed", certificate.size());
  // An owned trace's other vectors are built chunk by chunk below, each just before its chunk is packed.
  std::optional<gkr::WitnessBuilder> builder;
  if (release) builder.emplace(c, *release, release, w, true, release_mapped_codewords);
  // Trace chunks' codewords and values are spilled to the cache directory, to be read mapped: several
  // would add up in memory, and one large one would stay resident through the walk and the openings
  // (a small one is kept: its files would cost more than they spare).
  const bool large = tc.parts.size() > 1 || tc.parts[0].log_size >= kMinSpillLog;
  const std::string spill = large ? opt.cache_dir : "";
  std::vector<pcs::Committed> trace;
  for (const Packing& p : tc.parts) {
    if (builder)
      for (uint32_t v : p.vecs) builder->ensure(v);
    const bool altered = opt.commit_different && trace.empty();  // the witness keeps the honest values
    std::vector<M31> packed = altered ? p.pack(w.values) : p.pack_out(w);
    if (altered) packed[0] += M31(1);
    trace.push_back(commit_spilled(std::move(packed), opt.pcs, spill));
    if (!altered) p.place(c, w, trace.back().values());  // held once, inside the commitment
    return_free_memory();  // before the next chunk is packed
  }
  if (builder) builder->ensure_all(), builder.reset();  // what the walk reads and no chunk holds
  const std::vector<hash::Digest> trace_roots = roots_of(trace);
  part(release ? "witness and trace commitment" : "trace commitment");

  Channel ch(kProtocol);
  absorb_statement(ch, opt, rep.graph_digest, rep.weight_root, mc.log_sizes(), in, out);
  for (const hash::Digest& r : trace_roots) ch.absorb_digest("trace_commitment", r);
  proof::Writer wr(ch);
  writer = &wr;
  gkr::Side side{&wr, nullptr};
  gkr::Ledger ledger = gkr::walk(c, side, &w, w.values, opt.cheat, [&](const std::string& name) {
    // A step reads its own vectors: the mapped ones' pages go after it; a lookup tree (up to 2^22
    // leaves, whose layers it frees) also gives its freed pages back, or the next tree's peak adds to them.
    if (name.rfind(gkr::kLookupTreePart, 0) == 0) return_free_memory();
    else release_mapped_codewords();
    part(name);
  });

  return_free_memory();
  const auto drop_pages = [](size_t) { release_mapped_codewords(); };  // an opening reads its codeword whole
  const auto model_open = open_chunks(side, "model", ledger, mc, model, "model opening", &tally, drop_pages);
  part("model opening");
  if (opt.drop_opening) drop_last_claim(ledger, tc);
  // Each trace chunk goes once opened (the witness's views into it are not read again).
  const auto trace_open = open_chunks(side, "trace", ledger, tc, trace, "trace opening", &tally, [&](size_t i) {
    const pcs::Committed done = std::move(trace[i]);
    drop_pages(i);
  });
  part("trace opening");

  tally.challenges += ch.qm31_draws();
  tally.logup_fractions += logup_fractions(c);

  BodyWriter b(14);
  b.key("protocol"), b.pk.pack(std::string(kProtocol));
  b.key("graph"), b.bin(graph_structure(g));
  b.key("graph_digest"), b.bin(rep.graph_digest);
  b.key("weight_root"), b.bin(rep.weight_root);
  b.key("model_commitment"), b.bin(rep.model_commitment);
  write_digests(b, "weight_roots", weight_roots);
  b.key("weight_certificate"), b.bin(certificate);
  b.key("public_input"), b.m31s(in);
  b.key("public_output"), b.m31s(out);
  b.key("config");
  b.pk.pack_map(10);
  b.key("log_blowup"), b.pk.pack_uint32(opt.pcs.log_blowup);
  b.key("queries"), b.pk.pack_uint32(opt.pcs.queries);
  b.key("pow_bits"), b.pk.pack_uint32(opt.pcs.pow_bits);
  b.key("fold_step"), b.pk.pack_uint32(opt.pcs.fold_step);
  b.key("final_log"), b.pk.pack_uint32(opt.pcs.final_log);
  b.key("first_fold"), b.pk.pack_uint32(opt.pcs.first_fold);
  b.key("range_bits"), b.pk.pack_uint32(opt.gkr.range_bits);
  b.key("excess_bits"), b.pk.pack_uint32(opt.gkr.excess_bits);
  b.key("wide_log"), b.pk.pack_uint32(opt.gkr.wide_log);
  b.key("commit_log"), b.pk.pack_uint32(opt.commit_log);
  write_digests(b, "trace_commitment", trace_roots);
  b.key("stream"), b.m31s(stream_limbs(wr.data()));
  write_openings(b, "model_openings", model_open);
  write_openings(b, "trace_openings", trace_open);
  std::vector<uint8_t> bytes = artifact::wrap("proof", kProofVersion, b.bytes());
  rep.seconds = now() - t0;
  rep.proof_bytes = bytes.size();
  rep.security = security(opt.pcs, tally);
  if (report) *report = std::move(rep);
  return bytes;
}

}  // namespace

std::vector<uint8_t> prove(const model::Trace& t, const Options& opt, ProveReport* report,
                           const std::function<void(const Part&)>& progress) {
  return prove_impl(t, nullptr, opt, report, progress);
}

std::vector<uint8_t> prove(model::Trace&& t, const Options& opt, ProveReport* report,
                           const std::function<void(const Part&)>& progress) {
  return prove_impl(t, &t, opt, report, progress);
}

Verified verify(std::span<const uint8_t> bytes, const VerifyOptions& opt) {
  artifact::EnvelopeView env = artifact::unwrap_view(bytes, "proof", kProofVersion);
  auto handle = artifact::parse_body(env.body, "proof");
  MapView m(handle.get(), "proof");
  if (m.str("protocol") != kProtocol) throw BadInput("proof: unknown protocol " + m.str("protocol"));
  Verified out;
  out.graph = parse_graph_structure(m.bin("graph"));
  out.graph_digest = digest_field(m, "graph_digest");
  out.weight_root = digest_field(m, "weight_root");
  out.model_commitment = digest_field(m, "model_commitment");
  require(model::graph_digest(out.graph) == out.graph_digest, "statement", "graph digest does not match the embedded graph");
  require(model_commitment(out.graph_digest, out.weight_root) == out.model_commitment, "statement",
          "model commitment is not the hash of the graph digest and the weight root");
  if (opt.graph_digest) require(*opt.graph_digest == out.graph_digest, "statement", "proof is for another graph");
  if (opt.model_commitment)
    require(*opt.model_commitment == out.model_commitment, "statement", "proof is for another model commitment");

  MapView cfg = m.map("config");
  Options o;
  o.pcs.log_blowup = uint32_t(cfg.u64("log_blowup"));
  o.pcs.queries = uint32_t(cfg.u64("queries"));
  o.pcs.pow_bits = uint32_t(cfg.u64("pow_bits"));
  o.pcs.fold_step = uint32_t(cfg.u64("fold_step"));
  o.pcs.final_log = uint32_t(cfg.u64("final_log"));
  o.pcs.first_fold = uint32_t(cfg.u64("first_fold"));
  o.gkr.range_bits = unsigned(cfg.u64("range_bits"));
  o.gkr.excess_bits = unsigned(cfg.u64("excess_bits"));
  o.gkr.wide_log = unsigned(cfg.u64("wide_log"));
  o.commit_log = unsigned(cfg.u64("commit_log"));
  check_commit_log(o.commit_log);
  // The conjectured floor is checked before any work (and by every opening); the provable one needs
  // the verifier's counts and is checked at the end.
  const double conjectured_floor = opt.floor_kind == FloorKind::Conjectured ? opt.floor_bits : 0;
  pcs::check_floor(o.pcs, conjectured_floor);
  const gkr::Compiled cc = gkr::compile(out.graph, o.gkr);
  const gkr::Circuit& c = cc.proof;

  const std::vector<M31> in = m.m31s("public_input"), outv = m.m31s("public_output");
  std::vector<std::vector<M31>> pub(c.vecs.size());
  place_public(c, out.graph, c.inputs, in, "public input", pub);
  place_public(c, out.graph, c.outputs, outv, "public output", pub);
  const Chunks mc = weight_chunks(c, o.commit_log);
  const Chunks tc = trace_chunks(c, o.commit_log);
  out.weight_roots = digests_field(m, "weight_roots", mc.parts.size());
  const std::vector<hash::Digest>& weight_roots = out.weight_roots;
  require(chunks_root(weight_roots, mc.log_sizes()) == out.weight_root, "statement",
          "weight root is not the root of the weight chunks");
  Soundness tally;
  verify_certificate(m.bin("weight_certificate"),
                     {cc.certificate, out.graph_digest, out.weight_root, weight_roots, o.pcs, o.commit_log},
                     conjectured_floor, &tally);

  Channel ch(kProtocol);
  absorb_statement(ch, o, out.graph_digest, out.weight_root, mc.log_sizes(), in, outv);
  const std::vector<hash::Digest> trace_roots = digests_field(m, "trace_commitment", tc.parts.size());
  for (const hash::Digest& r : trace_roots) ch.absorb_digest("trace_commitment", r);
  const std::vector<QM31> stream = read_stream(m, "stream");
  proof::Reader rd(ch, stream);
  gkr::Side side{nullptr, &rd};
  gkr::Ledger ledger = gkr::walk(c, side, nullptr, pub);
  verify_chunk_openings(side, "model", ledger, mc, weight_roots, m, "model_openings", o.pcs, conjectured_floor,
                        "model opening", &tally);
  verify_chunk_openings(side, "trace", ledger, tc, trace_roots, m, "trace_openings", o.pcs, conjectured_floor,
                        "trace opening", &tally);
  rd.finish();
  ledger.check_all_consumed();
  tally.challenges += ch.qm31_draws();
  tally.logup_fractions += logup_fractions(c);
  out.security = security(o.pcs, tally);
  check_floor(out.security, opt.floor_kind, opt.floor_bits);

  size_t at = 0;
  for (uint32_t v : c.outputs) {
    const size_t n = size_t(model::numel(c.vecs[v].dims));
    std::vector<int64_t> vals;
    for (size_t i = 0; i < n; ++i) vals.push_back(outv[at + i].to_signed());
    out.outputs.push_back(std::move(vals));
    at += n;
  }
  return out;
}

}  // namespace zkm31::prove
