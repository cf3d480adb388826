#!/usr/bin/env bash
# Shared helpers for the pipeline scripts: locate the zkm31 binaries, fail with one clear line,
# and a temporary directory removed on exit.
set -euo pipefail

# (no subprocess here: capture.sh runs once per inference)
_here=${BASH_SOURCE[0]%/*}
[[ $_here = /* ]] || _here=$PWD/$_here
ZKM31_ROOT=${ZKM31_ROOT:-$_here/..}

die() {
  echo "${0##*/}: $*" >&2
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

# --- audit logs (capture.sh, audit-*.sh): LOGDIR/log.jsonl, inputs/, proofs/, windows/, model.{graph,json}
# felt_pair HEX64: a 32-byte digest as two felts, its big-endian halves (as calldata encodes digests).
felt_pair() { echo "0x${1:0:32} 0x${1:32:32}"; }
# hold_lock FILE: an exclusive flock on FILE until the script exits (-n: give up at once, status 1).
hold_lock() {
  exec {LOCK_FD}>"${@: -1}"
  flock "${@:1:$#-1}" "$LOCK_FD"
}
# pinned_model LOGDIR: sets MODEL_COMMITMENT and GRAPH_DIGEST from LOGDIR/model.json (no subprocess).
pinned_model() {
  [[ $(<"$1/model.json") =~ \"graph_digest\":\"([0-9a-f]{64})\",\"model_commitment\":\"([0-9a-f]{64})\" ]] ||
    die "$1/model.json: not a model identity"
  GRAPH_DIGEST=${BASH_REMATCH[1]} MODEL_COMMITMENT=${BASH_REMATCH[2]}
}
# to_ms T: a time as milliseconds since the epoch (T: milliseconds, or anything `date -d` reads).
to_ms() {
  if [[ $1 =~ ^[0-9]+$ ]]; then echo "$1"; else date -d "$1" +%s%3N || die "bad time: $1"; fi
}
