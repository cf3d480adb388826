// The audit pipeline as an operator runs it: 1000 captured mlp_digits inferences (captured before the
// clock starts), then pipeline/audit-prove.sh proves and verifies the window with GNU parallel on
// this machine's cores (warm model cache); audit-verify.sh's re-check is timed into the note.
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

zkm31::bench::Result audit_window() {
  const fs::path bin = fs::canonical("/proc/self/exe").parent_path();
  // The repository: $ZKM31_ROOT, else the one whose build/bin holds this runner.
  const char* root_env = std::getenv("ZKM31_ROOT");
  const fs::path kRoot = root_env ? fs::absolute(root_env) : bin.parent_path().parent_path();
  const fs::path models = kRoot.parent_path() / "shared" / "models", data = kRoot / "tests" / "data";
  char tmpl[] = "/tmp/zkm31-audit-bench.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  const std::string dir = tmpl, pipeline = (kRoot / "pipeline").string();
  const std::string env = "export PATH=\"" + bin.string() + ":$PATH\"; cd \"" + dir + "\"; ";
  // The directory goes whatever happens.
  struct Cleanup {
    std::string dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  sh(env + "onnx2graph -q \"" + (models / "mlp_digits.onnx").string() + "\" -o model.graph; "
       "jq -c \"[range(1000)] as \\$r | .X as \\$x | \\$r[] | {name: \\\"input\\\", shape: [1, 64], data: \\$x[. % (\\$x | length)]}\" \"" +
       (data / "digits_test.json").string() + "\" | while read -r x; do \"" + pipeline + "/capture.sh\" --log log --model model.graph <<< \"$x\" > /dev/null; done; "
       "graph-forward -q --input \"" + (models / "mlp_digits.input.json").string() + "\" --graph model.graph | gkr-prove -q > /dev/null");
  zkm31::bench::Result r;
  r.seconds = zkm31::bench::time_once([&] { sh(env + "\"" + pipeline + "/audit-prove.sh\" log > /dev/null"); });
  const double reverify = zkm31::bench::time_once([&] { sh(env + "\"" + pipeline + "/audit-verify.sh\" log > /dev/null"); });
  r.throughput = 1000 / r.seconds;
  char note[160];
  std::snprintf(note, sizeof note, "1000 inferences proven + verified by GNU parallel (-j cores); audit-verify re-check %.1f s", reverify);
  r.note = note;
  return r;
}
}  // namespace

ZKM31_BENCH("audit_window_1000", audit_window);
