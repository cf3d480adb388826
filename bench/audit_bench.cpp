// The audit pipeline as an operator runs it: 1000 captured mlp_digits inferences (captured before the
// clock starts), then pipeline/audit-prove.sh proves and verifies the window with GNU parallel on
// this machine's cores (warm model cache); audit-verify.sh's re-check is timed into the note. And
// what capture.sh costs per inference beyond the forward pass.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "bench.hpp"

namespace {
namespace fs = std::filesystem;

void sh(const std::string& script) {
  const std::string command = "bash -euo pipefail -c '" + script + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + script);
}

// A scratch directory (removed with it), the PATH and paths every audit row uses.
struct Scratch {
  fs::path root, models, data;
  std::string dir, pipeline, env;
  Scratch() {
    const fs::path bin = fs::canonical("/proc/self/exe").parent_path();
    // The repository: $ZKM31_ROOT, else the one whose build/bin holds this runner.
    const char* root_env = std::getenv("ZKM31_ROOT");
    root = root_env ? fs::absolute(root_env) : bin.parent_path().parent_path();
    models = root.parent_path() / "shared" / "models", data = root / "tests" / "data";
    char tmpl[] = "/tmp/zkm31-audit-bench.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl, pipeline = (root / "pipeline").string();
    env = "export PATH=\"" + bin.string() + ":$PATH\"; cd \"" + dir + "\"; ";
    sh(env + "onnx2graph -q \"" + (models / "mlp_digits.onnx").string() + "\" -o model.graph");
  }
  ~Scratch() { fs::remove_all(dir); }
};

zkm31::bench::Result audit_window() {
  const Scratch s;
  sh(s.env + "jq -c \"[range(1000)] as \\$r | .X as \\$x | \\$r[] | {name: \\\"input\\\", shape: [1, 64], data: \\$x[. % (\\$x | length)]}\" \"" +
     (s.data / "digits_test.json").string() + "\" | while read -r x; do \"" + s.pipeline + "/capture.sh\" --log log --model model.graph <<< \"$x\" > /dev/null; done; "
     "graph-forward -q --input \"" + (s.models / "mlp_digits.input.json").string() + "\" --graph model.graph | gkr-prove -q > /dev/null");
  zkm31::bench::Result r;
  r.seconds = zkm31::bench::time_once([&] { sh(s.env + "\"" + s.pipeline + "/audit-prove.sh\" log > /dev/null"); });
  const double reverify = zkm31::bench::time_once([&] { sh(s.env + "\"" + s.pipeline + "/audit-verify.sh\" log > /dev/null"); });
  r.throughput = 1000 / r.seconds;
  char note[160];
  std::snprintf(note, sizeof note, "1000 inferences proven + verified by GNU parallel (-j cores); audit-verify re-check %.1f s", reverify);
  r.note = note;
  return r;
}

// What capture.sh adds to an inference: 200 captures of mlp_digits against 200 runs of the forward
// pass alone (graph-forward writing its trace and --json-out), as processes, after one capture that
// pins the model.
zkm31::bench::Result capture_overhead() {
  const Scratch s;
  const std::string input = (s.models / "mlp_digits.input.json").string();
  sh(s.env + "\"" + s.pipeline + "/capture.sh\" --log log --model model.graph < \"" + input + "\" > /dev/null");
  constexpr int kRuns = 200;
  const std::string loop = "for i in $(seq " + std::to_string(kRuns) + "); do ";
  const double forward = zkm31::bench::time_once([&] {
    sh(s.env + loop + "graph-forward -q --input \"" + input + "\" --graph model.graph -o t.trace --json-out t.json; done");
  }) / kRuns;
  const double capture = zkm31::bench::time_once([&] {
    sh(s.env + loop + "\"" + s.pipeline + "/capture.sh\" --log log --model model.graph < \"" + input + "\" > /dev/null; done");
  }) / kRuns;
  zkm31::bench::Result r;
  r.seconds = capture - forward;
  char note[160];
  std::snprintf(note, sizeof note, "per inference: capture %.1f ms - forward pass %.1f ms (mlp_digits, processes)", capture * 1e3, forward * 1e3);
  r.note = note;
  return r;
}
}  // namespace

ZKM31_BENCH("audit_window_1000", audit_window);
ZKM31_BENCH("audit_capture_overhead", capture_overhead);
