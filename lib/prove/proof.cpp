#include "prove/proof.hpp"

#include <chrono>

#include "artifact/artifact.hpp"
#include "artifact/body.hpp"
#include "error/error.hpp"
#include "gkr/merge.hpp"
#include "prove/cache.hpp"
#include "prove/packing.hpp"
#include "prove/structure.hpp"

namespace zkm31::prove {

using artifact::BodyWriter;
using artifact::MapView;

namespace {

constexpr size_t kMaxClaimsPerOpening = 64;

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void absorb_statement(Channel& ch, const pcs::Config& pc, const gkr::Config& gc, const hash::Digest& graph_digest,
                      const hash::Digest& model_root, unsigned model_log, std::span<const M31> in,
                      std::span<const M31> out) {
  ch.absorb_u64("version", kProofVersion);
  for (uint64_t v : {uint64_t(pc.log_blowup), uint64_t(pc.queries), uint64_t(pc.pow_bits), uint64_t(pc.fold_step),
                     uint64_t(pc.final_log), uint64_t(pc.first_fold), uint64_t(gc.range_bits), uint64_t(gc.excess_bits),
                     uint64_t(gc.wide_log)})
    ch.absorb_u64("config", v);
  ch.absorb_digest("graph_digest", graph_digest);
  ch.absorb_digest("model_commitment", model_root);
  ch.absorb_u64("model_log_size", model_log);
  ch.absorb_m31s("public_input", in);
  ch.absorb_m31s("public_output", out);
}

std::vector<std::vector<pcs::Claim>> chunks(const std::vector<BigClaim>& claims) {
  std::vector<std::vector<pcs::Claim>> out;
  for (size_t i = 0; i < claims.size(); i += kMaxClaimsPerOpening) {
    out.emplace_back();
    for (size_t j = i; j < std::min(claims.size(), i + kMaxClaimsPerOpening); ++j)
      out.back().push_back({claims[j].point, claims[j].value});
  }
  return out;
}

// More claims on one commitment than one opening takes are first merged into a single claim.
std::vector<BigClaim> batch_claims(gkr::Side& side, const std::string& label, std::vector<BigClaim> claims,
                                   unsigned n, std::span<const M31> big) {
  if (claims.size() <= kMaxClaimsPerOpening) return claims;
  gkr::Merged m = gkr::merge_claims(side, label, claims, n, big);
  return {{std::move(m.point), m.value}};
}

std::vector<M31> concat(const model::Trace& t, const std::vector<uint32_t>& ids) {
  std::vector<M31> out;
  for (uint32_t id : ids) out.insert(out.end(), t.values.at(id).begin(), t.values.at(id).end());
  return out;
}

std::vector<M31> to_limbs(std::span<const QM31> xs) {
  std::vector<M31> out;
  out.reserve(xs.size() * 4);
  for (const QM31& x : xs)
    for (M31 l : x.limbs()) out.push_back(l);
  return out;
}

hash::Digest digest_field(const MapView& m, std::string_view key) {
  auto b = m.bin(key);
  if (b.size() != 32) throw BadInput(m.where() + "." + std::string(key) + ": expected 32 bytes");
  hash::Digest d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

void write_openings(BodyWriter& w, std::string_view key, const std::vector<pcs::OpeningProof>& ps) {
  w.key(key);
  w.pk.pack_array(uint32_t(ps.size()));
  for (const auto& p : ps) p.write(w);
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

hash::Digest model_commitment(const model::Graph& g, const Options& opt) {
  gkr::Circuit c = gkr::compile(g, opt.gkr);
  return commit_cached(Packing::of(c, c.weights).pack(gkr::weight_values(c, g)), opt.pcs, opt.cache_dir).root();
}

std::vector<uint8_t> prove(const model::Trace& t, const Options& opt, ProveReport* report,
                           const std::function<void(const Part&)>& progress) {
  const double t0 = now();
  double mark = t0;
  size_t mark_bytes = 0;
  ProveReport rep;
  proof::Writer* writer = nullptr;
  auto part = [&](const std::string& name) {
    const double tn = now();
    const size_t b = writer ? writer->data().size() * 16 : 0;
    Part p{name, tn - mark, b - mark_bytes};
    mark = tn, mark_bytes = b;
    rep.parts.push_back(p);
    if (progress) progress(p);
  };
  pcs::check_floor(opt.pcs, 0);  // parameter ranges
  const model::Graph& g = t.graph;
  gkr::Circuit c = gkr::compile(g, opt.gkr);
  gkr::Witness w = gkr::build_witness(c, t);
  part("witness");
  Packing mp = Packing::of(c, c.weights), tp = Packing::of(c, c.committed);
  pcs::Committed model = commit_cached(mp.pack(w.values), opt.pcs, opt.cache_dir, &rep.model_cached);
  part(rep.model_cached ? "model commitment: cached" : "model commitment: computed");
  std::vector<M31> trace_big = tp.pack(w.values);
  if (opt.commit_different) trace_big[0] += M31(1);
  pcs::Committed trace = pcs::commit(std::move(trace_big), opt.pcs);
  part("trace commitment");

  const std::vector<M31> in = concat(t, g.inputs), out = concat(t, g.outputs);
  rep.graph_digest = model::graph_digest(g);
  rep.model_root = model.root();
  Channel ch(kProtocol);
  absorb_statement(ch, opt.pcs, opt.gkr, rep.graph_digest, model.root(), mp.log_size, in, out);
  ch.absorb_digest("trace_commitment", trace.root());
  proof::Writer wr(ch);
  writer = &wr;
  gkr::Side side{&wr, nullptr};
  gkr::Ledger ledger = gkr::walk(c, side, &w, w.values, opt.cheat, part);

  std::vector<pcs::OpeningProof> model_open, trace_open;
  auto mc = batch_claims(side, "model", take_claims(ledger, mp, "model opening"), mp.log_size, model.values());
  for (const auto& chunk : chunks(mc)) model_open.push_back(pcs::open(model, chunk, ch));
  part("model opening");
  std::vector<BigClaim> tc = take_claims(ledger, tp, "trace opening");
  if (opt.drop_opening && !tc.empty()) tc.pop_back();
  tc = batch_claims(side, "trace", std::move(tc), tp.log_size, trace.values());
  for (const auto& chunk : chunks(tc)) trace_open.push_back(pcs::open(trace, chunk, ch));
  part("trace opening");

  BodyWriter b(12);
  b.key("protocol"), b.pk.pack(std::string(kProtocol));
  b.key("graph"), b.bin(graph_structure(g));
  b.key("graph_digest"), b.bin(rep.graph_digest);
  b.key("model_commitment"), b.bin(model.root());
  b.key("model_log_size"), b.pk.pack_uint32(mp.log_size);
  b.key("public_input"), b.m31s(in);
  b.key("public_output"), b.m31s(out);
  b.key("config");
  b.pk.pack_map(9);
  b.key("log_blowup"), b.pk.pack_uint32(opt.pcs.log_blowup);
  b.key("queries"), b.pk.pack_uint32(opt.pcs.queries);
  b.key("pow_bits"), b.pk.pack_uint32(opt.pcs.pow_bits);
  b.key("fold_step"), b.pk.pack_uint32(opt.pcs.fold_step);
  b.key("final_log"), b.pk.pack_uint32(opt.pcs.final_log);
  b.key("first_fold"), b.pk.pack_uint32(opt.pcs.first_fold);
  b.key("range_bits"), b.pk.pack_uint32(opt.gkr.range_bits);
  b.key("excess_bits"), b.pk.pack_uint32(opt.gkr.excess_bits);
  b.key("wide_log"), b.pk.pack_uint32(opt.gkr.wide_log);
  b.key("trace_commitment"), b.bin(trace.root());
  b.key("stream"), b.m31s(to_limbs(wr.data()));
  write_openings(b, "model_openings", model_open);
  write_openings(b, "trace_openings", trace_open);
  std::vector<uint8_t> bytes = artifact::wrap("proof", kProofVersion, b.bytes());
  rep.seconds = now() - t0;
  rep.proof_bytes = bytes.size();
  rep.security_bits = pcs::security_bits(opt.pcs);
  if (report) *report = std::move(rep);
  return bytes;
}

Verified verify(std::span<const uint8_t> bytes, const VerifyOptions& opt) {
  artifact::Envelope env = artifact::unwrap(bytes, "proof", kProofVersion);
  auto handle = artifact::parse_body(env.body, "proof");
  MapView m(handle.get(), "proof");
  if (m.str("protocol") != kProtocol) throw BadInput("proof: unknown protocol " + m.str("protocol"));
  Verified out;
  out.graph = parse_graph_structure(m.bin("graph"));
  out.graph_digest = digest_field(m, "graph_digest");
  out.model_root = digest_field(m, "model_commitment");
  require(model::graph_digest(out.graph) == out.graph_digest, "statement", "graph digest does not match the embedded graph");
  if (opt.graph_digest) require(*opt.graph_digest == out.graph_digest, "statement", "proof is for another graph");
  if (opt.model_root) require(*opt.model_root == out.model_root, "statement", "proof is for another model commitment");

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
  pcs::check_floor(o.pcs, opt.floor_bits);
  out.security_bits = pcs::security_bits(o.pcs);
  gkr::Circuit c = gkr::compile(out.graph, o.gkr);

  const std::vector<M31> in = m.m31s("public_input"), outv = m.m31s("public_output");
  std::vector<std::vector<M31>> pub(c.vecs.size());
  place_public(c, out.graph, c.inputs, in, "public input", pub);
  place_public(c, out.graph, c.outputs, outv, "public output", pub);
  Packing mp = Packing::of(c, c.weights), tp = Packing::of(c, c.committed);
  require(m.u64("model_log_size") == mp.log_size, "statement", "model commitment size does not match the graph");

  Channel ch(kProtocol);
  absorb_statement(ch, o.pcs, o.gkr, out.graph_digest, out.model_root, mp.log_size, in, outv);
  const hash::Digest trace_root = digest_field(m, "trace_commitment");
  ch.absorb_digest("trace_commitment", trace_root);
  const std::vector<M31> limbs = m.m31s("stream");
  if (limbs.size() % 4) throw BadInput("proof.stream: not a whole number of QM31 elements");
  std::vector<QM31> stream(limbs.size() / 4);
  for (size_t i = 0; i < stream.size(); ++i)
    stream[i] = QM31::from_limbs({limbs[4 * i], limbs[4 * i + 1], limbs[4 * i + 2], limbs[4 * i + 3]});
  proof::Reader rd(ch, stream);
  gkr::Side side{nullptr, &rd};
  gkr::Ledger ledger = gkr::walk(c, side, nullptr, pub);

  auto check_openings = [&](const Packing& p, const hash::Digest& root, std::string_view key, const std::string& what,
                            const std::string& label) {
    const auto cs = chunks(batch_claims(side, label, take_claims(ledger, p, what), p.log_size, {}));
    const std::vector<msgpack::object> proofs = m.array(key);
    require(proofs.size() == cs.size(), what, "expected " + std::to_string(cs.size()) + " openings, found " +
                                                  std::to_string(proofs.size()));
    for (size_t i = 0; i < cs.size(); ++i) {
      pcs::OpeningProof op = pcs::OpeningProof::read(MapView(proofs[i], "proof." + std::string(key)));
      require(op.config == o.pcs, what, "opening config differs from the proof config");
      pcs::verify(root, p.log_size, cs[i], op, ch, opt.floor_bits);
    }
  };
  check_openings(mp, out.model_root, "model_openings", "model opening", "model");
  check_openings(tp, trace_root, "trace_openings", "trace opening", "trace");
  rd.finish();
  ledger.check_all_consumed();

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
