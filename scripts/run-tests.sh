#!/usr/bin/env bash
# Runs every GoogleTest binary (through CTest) and every bats file, then prints one summary line.
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/$build/bin:$PATH"
export ZKM31_ROOT="$root"

passed=0 failed=0
ctest_log=$(mktemp)
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" 2>&1 | tee "$ctest_log"
summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$ctest_log" | tail -n 1)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
  passed=$((passed + total - bad)); failed=$((failed + bad))
else
  failed=$((failed + 1))
fi
rm -f "$ctest_log"

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
