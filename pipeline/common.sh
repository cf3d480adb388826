#!/usr/bin/env bash
# Shared helpers for the pipeline scripts: locate the zkm31 binaries, fail with one clear line,
# and a temporary directory removed on exit.
set -euo pipefail

ZKM31_ROOT=${ZKM31_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# need TOOL...: each tool on PATH, or in $ZKM31_ROOT/build/bin (then added to PATH).
need() {
  local t
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      if [ -x "$ZKM31_ROOT/build/bin/$t" ]; then
        PATH="$ZKM31_ROOT/build/bin:$PATH"
      else
        die "'$t' not found: build it first (make) or put it on PATH"
      fi
    fi
  done
  export PATH
}

# make_tmp: sets TMP to a fresh directory removed when the script exits.
make_tmp() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/zkm31.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
}

# seconds since the epoch with nanoseconds, for timings
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
