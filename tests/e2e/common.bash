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

# tamper_each DELTA TENSOR…: each tensor of $TMP/run.trace changed by DELTA in one entry makes
# gkr-prove refuse (exit 2, one "gkr-prove: error:" line, no proof left behind) or verify reject (exit 1).
tamper_each() {
  local delta=$1 tensor
  shift
  for tensor in "$@"; do
    /usr/bin/python3 "$ROOT/tests/e2e/prove_edit.py" trace "$TMP/run.trace" "$TMP/bad.trace" "$tensor" "$delta"
    rm -f "$TMP/bad.proof"
    if gkr-prove -q -i "$TMP/bad.trace" -o "$TMP/bad.proof" 2>"$TMP/err"; then
      run verify -q -i "$TMP/bad.proof"
      assert_failure 1
    else
      [ $? -eq 2 ] || fail "gkr-prove crashed on $tensor: $(cat "$TMP/err")"
      grep -q "^gkr-prove: error: " "$TMP/err" || fail "$tensor: $(cat "$TMP/err")"
      [ ! -e "$TMP/bad.proof" ] || fail "gkr-prove left a proof behind"
    fi
  done
}

# start_server SCENARIO [extra args]: tests/starknet/rpc_server.py (a local JSON-RPC stand-in) on
# 127.0.0.1; sets RPC to its URL and SERVER_PID (stop_server, from teardown, ends it).
start_server() {
  /usr/bin/python3 "$ROOT/tests/starknet/rpc_server.py" --scenario "$1" --port-file "$BATS_TEST_TMPDIR/port" \
    --log "$BATS_TEST_TMPDIR/requests.log" --lifetime 30 "${@:2}" 3>&- &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
  [ -s "$BATS_TEST_TMPDIR/port" ] || fail "rpc_server.py did not start"
  RPC="http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")/rpc"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
}
