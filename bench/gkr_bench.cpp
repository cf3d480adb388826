// gkr-prove workloads: one committed 16×4096×4096 layer (its claim-walk reduction and the opening
// of its weight claim, beside the integer forward pass of the same layer), the weight commitment,
// and whole proofs / verifications of the shared digits models.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "bench.hpp"
#include "linear_layer.hpp"
#include "gkr/walk.hpp"
#include "model/forward.hpp"
#include "onnx/import.hpp"
#include "parallel/parallel.hpp"
#include "pcs/pcs.hpp"
#include "poly/multilinear.hpp"
#include "prove/packing.hpp"
#include "prove/proof.hpp"

using namespace zkm31;

namespace {

using bench::kInner, bench::kCols;

std::vector<M31> field(const std::vector<int32_t>& v) {
  std::vector<M31> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = M31::from_signed(v[i]);
  return out;
}

// The per-proof work of one committed layer: the output claim, the matmul reduction (row
// restriction + inner sumcheck) and the batched opening of the weight claim against the model
// commitment made beforehand. The weights' int8 bound is per model, not per proof: the weight
// certificate (prove/certificate.hpp), cached beside the model commitment. As gkr-prove does with a
// trace handed over, the graph's own copy of the weights is dropped once the witness holds them
// (after the forward baseline, which reads it).
bench::Result prove_matmul() {
  bench::LinearLayer l = bench::linear_layer(7);
  gkr::Circuit c = gkr::compile(l.graph, gkr::Config{}).proof;
  gkr::Witness w;
  w.values = gkr::weight_values(c, l.graph);
  auto y = model::forward_int(l.graph, {l.x});
  const auto& step = std::get<gkr::MatMulStep>(c.steps[0]);
  w.values[step.a] = gkr::embed(c.vecs[step.a], field(l.x));
  w.values[step.y] = gkr::embed(c.vecs[step.y], field(y[2]));
  double forward = bench::time_median(3, [&] { y = model::forward_int(l.graph, {l.x}); });
  // As gkr-prove does: the graph's weight copies go once the witness holds them (it never reads the
  // float originals), and the witness then reads the weights inside the model commitment.
  for (auto& wd : l.graph.weights) std::vector<int32_t>().swap(wd.values), std::vector<float>().swap(wd.original);
  prove::Options opt;
  prove::Packing mp = prove::Packing::of(c, c.weights);
  pcs::Committed model = pcs::commit(mp.pack(w.values), opt.pcs);
  mp.lend(w, model.values());
  double secs = bench::time_median(3, [&] {
    Channel ch("bench/matmul");
    proof::Writer wr(ch);
    gkr::Side side{&wr, nullptr};
    gkr::WalkState st(c, side, &w, w.values, gkr::CheatMode::None);
    std::vector<QM31> rho = side.draws("output", c.vecs[step.y].n_vars);
    st.ledger.add(step.y, rho, poly::evaluate(std::span<const M31>(w.values[step.y]), rho), "output");
    gkr::reduce_matmul(st, step);
    std::vector<pcs::Claim> claims;
    for (const auto& b : prove::take_claims(st.ledger, mp, "bench")) claims.push_back({b.point, b.value});
    pcs::open(model, claims, ch);
  });
  bench::Result r;
  r.seconds = secs;
  r.ratio = secs / forward;
  r.note = "walk step + weight opening; forward " + std::to_string(forward * 1e3).substr(0, 6) + " ms";
  return r;
}

// A whole proof of the same layer from its trace with nothing cached (model commitment, the 2^24-leaf
// weight certificate, the claim walk and both openings): the peak memory of the largest proof, one run.
bench::Result prove_layer_uncached() {
  bench::LinearLayer l = bench::linear_layer(7);
  const auto y = model::forward_int(l.graph, {l.x});
  model::Trace t;
  t.digest = model::graph_digest(l.graph);
  t.values.resize(l.graph.tensors.size());
  t.values[0] = field(l.x), t.values[2] = field(y[2]);
  t.float_outputs = {std::vector<float>(y[2].size())};  // the float track is not proven
  t.graph = std::move(l.graph);
  prove::ProveReport rep;
  const std::vector<uint8_t> proof = prove::prove(std::move(t), prove::Options{}, &rep);
  bench::Result r;
  r.seconds = rep.seconds;
  r.proof_bytes = double(proof.size());
  char note[160];
  std::snprintf(note, sizeof note, "gkr-prove's work, no cache: commitment + weight certificate + walk + openings%s",
                prove::verify(proof, {}).outputs.at(0).size() == y[2].size() ? "" : " (VERIFY MISMATCH)");
  r.note = note;
  return r;
}

bench::Result commit_weights() {
  bench::LinearLayer l = bench::linear_layer(7);
  gkr::Circuit c = gkr::compile(l.graph, gkr::Config{}).proof;
  std::vector<M31> packed = prove::Packing::of(c, c.weights).pack(gkr::weight_values(c, l.graph));
  prove::Options opt;
  double secs = bench::time_median(3, [&] { pcs::commit(packed, opt.pcs); });
  bench::Result r;
  r.seconds = secs;
  r.throughput = double(kInner * kCols) / secs;
  r.note = "weights/s into the model commitment";
  return r;
}

std::string shared(const std::string& file) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "shared" / "models" / file).string();
}

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("missing " + path);
  return {std::istreambuf_iterator<char>(f), {}};
}

model::Trace digits_trace(const std::string& name) {
  auto bytes = slurp(shared(name + ".onnx"));
  model::Graph g = onnx_import::import_onnx(bytes, onnx_import::ImportOptions{});
  auto text = slurp(shared(name + ".input.json"));
  return model::run_forward(g, model::parse_inputs_json(std::string(text.begin(), text.end())));
}

// The directory of the running zkm31-bench: the tools are built beside it.
std::string tool_dir() { return std::filesystem::canonical("/proc/self/exe").parent_path().string(); }

// The whole shell pipeline as a user runs it (import | forward | prove | verify), timed as processes;
// the ratio is gkr-prove alone on one core ÷ the integer forward pass.
bench::Result e2e(const std::string& name) {
  const std::string bin = tool_dir();
  const std::string pipeline = "set -o pipefail; \"" + bin + "/onnx2graph\" -q \"" + shared(name + ".onnx") + "\" | \"" +
                               bin + "/graph-forward\" -q --input \"" + shared(name + ".input.json") + "\" | \"" + bin +
                               "/gkr-prove\" -q --no-cache | \"" + bin + "/verify\" -q > /dev/null";
  const std::string command = "bash -c '" + pipeline + "'";
  double whole = bench::time_median(3, [&] {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("pipeline failed: " + pipeline);
  });
  model::Trace t = digits_trace(name);
  std::vector<std::vector<int32_t>> in;
  for (uint32_t id : t.graph.inputs) {
    std::vector<int32_t> v;
    for (M31 x : t.values[id]) v.push_back(int32_t(x.to_signed()));
    in.push_back(std::move(v));
  }
  parallel::set_thread_count(1);
  double forward = bench::time_median(5, [&] { model::forward_int(t.graph, in); });
  std::vector<uint8_t> proof;
  double prove_secs = bench::time_median(3, [&] { proof = prove::prove(t, prove::Options{}); });
  bench::Result r;
  r.seconds = whole;
  r.ratio = prove_secs / forward;
  r.proof_bytes = double(proof.size());
  char note[160];
  std::snprintf(note, sizeof note, "whole shell pipeline; gkr-prove alone %.3f s on 1 core (ratio vs forward)", prove_secs);
  r.note = note;
  return r;
}

bench::Result verify_digits(const std::string& name) {
  std::vector<uint8_t> proof = prove::prove(digits_trace(name), prove::Options{});
  double secs = bench::time_median(5, [&] { prove::verify(proof, prove::VerifyOptions{}); });
  bench::Result r;
  r.seconds = secs;
  r.proof_bytes = double(proof.size());
  r.note = "96-bit floor";
  return r;
}

}  // namespace

ZKM31_BENCH("prove_matmul_16x4096x4096", prove_matmul);
ZKM31_BENCH("commit_weights_4096x4096", commit_weights);
ZKM31_BENCH("prove_layer_16x4096x4096_uncached", prove_layer_uncached);
ZKM31_BENCH("e2e_mlp_digits", [] { return e2e("mlp_digits"); });
ZKM31_BENCH("e2e_cnn_digits", [] { return e2e("cnn_digits"); });
ZKM31_BENCH("verify_mlp_digits", [] { return verify_digits("mlp_digits"); });
ZKM31_BENCH("verify_cnn_digits", [] { return verify_digits("cnn_digits"); });
