#!/usr/bin/env bash
# Runs every GoogleTest binary (through CTest) and every bats file, then prints one summary line.
# Usage: run-tests.sh [BUILD [ASAN_BUILD]]; with ASAN_BUILD its unit tests run too and are counted.
set -uo pipefail
build=${1:-build}
asan_build=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/$build/bin:$PATH"
export ZKM31_ROOT="$root"

passed=0 failed=0
# CTest in one build folder; adds its counts to passed/failed.
run_ctest() {
  local log summary total bad
  log=$(mktemp)
  ctest --test-dir "$1" --output-on-failure -j "$(nproc)" 2>&1 | tee "$log"
  summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [ -n "$summary" ]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
    passed=$((passed + total - bad)); failed=$((failed + bad))
  else
    failed=$((failed + 1))
  fi
  rm -f "$log"
}
run_ctest "$build"
# The unit tests built with ASan + UBSan (`make asan`): a sanitizer report fails the test.
[ -n "$asan_build" ] && run_ctest "$asan_build"

if compgen -G "$root/tests/e2e/*.bats" >/dev/null; then
  bats_log=$(mktemp)
  bats --tap "$root"/tests/e2e/*.bats 2>&1 | tee "$bats_log"
  ok=$(grep -cE '^ok ' "$bats_log" || true)
  notok=$(grep -cE '^not ok ' "$bats_log" || true)
  plan=$(grep -E '^1\.\.[0-9]+' "$bats_log" | head -n 1 | cut -d. -f3)
  passed=$((passed + ok)); failed=$((failed + notok))
  [ -n "$plan" ] && [ $((ok + notok)) -lt "$plan" ] && failed=$((failed + plan - ok - notok))
  rm -f "$bats_log"
fi

echo "zkm31 tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
