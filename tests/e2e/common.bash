# Loaded by every bats file: assertions and the repository paths the tests use.
bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
ROOT=${ZKM31_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
DATA="$ROOT/tests/data"
SHARED="$ROOT/../shared/models"
# gkr-prove caches model commitments under $XDG_CACHE_HOME: keep the tests out of the real ~/.cache.
export XDG_CACHE_HOME="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/xdg-cache"

# float_matches_torch GRAPH INPUT TORCH_OUTPUT: graph-forward's float track is within 1e-4 of torch
# (uses $TMP).
float_matches_torch() {
  graph-forward -q --input "$2" --json-out "$TMP/f.json" --graph "$1" -o "$TMP/f.trace"
  run jq -n --slurpfile a "$TMP/f.json" --slurpfile t "$3" \
    '[range(0; $t[0].data | length) as $i | ($a[0].outputs[0].float[$i] - $t[0].data[$i]) | fabs] | max < 1e-4'
  assert_output true
}
