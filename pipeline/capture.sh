#!/bin/bash
# capture.sh [--log LOGDIR] --model MODEL.graph [--age-recipient R]... < x.json — run the integer
# forward pass, print its output (graph-forward --json-out) and append one chain-linked entry to the
# audit log LOGDIR (default $ZKM31_AUDIT_DIR):
#   log.jsonl          {"seq","time" (ms since the epoch),"model_commitment","graph_digest","io_commitment","prev","hash"}
#   inputs/SEQ.json    the input (inputs/SEQ.json.age when encrypted to auditors with age)
#   model.graph, model.json, model.checksum   the log's model, its identity and its file checksum, pinned by the first capture
# hash = Poseidon(seq, time, model_commitment hi/lo, graph_digest hi/lo, io_commitment, prev); the
# first entry's prev is 0x0. Appends hold LOGDIR/.lock (taken by calldata audit-entry --append); a torn
# last line (a crash mid-append) is cut first.
# Kept to few subprocesses (bash builtins where they do): its cost per inference is a measured figure.
source "${BASH_SOURCE[0]%/*}/common.sh"
log=${ZKM31_AUDIT_DIR:-} model= age_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --log) log=${2:-}; shift 2 ;;
    --model) model=${2:-}; shift 2 ;;
    --age-recipient) age_args+=(-r "${2:-}"); shift 2 ;;
    --age-recipients-file) age_args+=(-R "${2:-}"); shift 2 ;;
    *) die "usage: capture.sh [--log LOGDIR] --model MODEL.graph [--age-recipient R | --age-recipients-file F]... < input.json" ;;
  esac
done
[ -n "$log" ] || die "no audit log: give --log LOGDIR or set ZKM31_AUDIT_DIR"
[ -f "$model" ] || die "no such model: ${model:-(none given: --model)}"
need graph-forward gkr-prove calldata flock
[ ${#age_args[@]} -eq 0 ] || need age
[ -d "$log/inputs" ] || mkdir -p "$log/inputs" || die "cannot create the audit log $log"
tmp=$log/inputs/.capture.$$
enable -f /usr/lib/bash/rm rm 2> /dev/null || true  # Debian's bash-builtins: no process for the clean-up
trap 'rm -f "$tmp".*' EXIT
IFS= read -r -d '' input || true
# The input as it will be stored (calldata moves it into inputs/ under the entry's number); a plain
# one is also graph-forward's input (a here-string would cost a fork), a sealed one never touches the disk.
if [ ${#age_args[@]} -gt 0 ]; then
  stored=$tmp.json.age
  printf '%s' "$input" | age "${age_args[@]}" -o "$stored" || die "age could not encrypt the input"
  out=$(graph-forward -q --input - --graph "$model" -o "$tmp.trace" --json-out - <<<"$input")
else
  stored=$tmp.json
  printf '%s' "$input" > "$stored"
  out=$(graph-forward -q --input "$stored" --graph "$model" -o "$tmp.trace" --json-out -)
fi
[[ $out =~ \"graph_checksum\":\"([0-9a-f]{32})\" ]] || die "graph-forward wrote no graph checksum"
checksum=${BASH_REMATCH[1]}

if [ ! -f "$log/model.json" ]; then  # the first capture pins the model (under the lock, then released)
  hold_lock "$log/.lock"
  if [ ! -f "$log/model.json" ]; then
    gkr-prove -q --commit-model --json -i "$model" > "$tmp.model"
    cp "$model" "$log/model.graph"
    echo "$checksum" > "$log/model.checksum"
    mv "$tmp.model" "$log/model.json"
  fi
  exec {LOCK_FD}>&-
fi
pinned_model "$log"
# The same model file as the pinned one (its checksum), else the same model commitment.
pinned_checksum=
[ ! -f "$log/model.checksum" ] || read -r pinned_checksum < "$log/model.checksum"
if [ "$checksum" != "$pinned_checksum" ]; then
  other=$(gkr-prove -q --commit-model -i "$model")
  [ "$other" = "$MODEL_COMMITMENT" ] || die "$log is pinned to model $MODEL_COMMITMENT, not $other: start a new log for another model"
fi
# calldata takes the log's lock, cuts a torn last line (a crash mid-append), reads the clock (so times
# rise with sequence numbers), chains the entry to the last one, stores the input and appends.
calldata audit-entry --append --repair --log "$log/log.jsonl" -i "$tmp.trace" --store-input "$stored" \
  --model-commitment "$MODEL_COMMITMENT" --graph-digest "$GRAPH_DIGEST" > /dev/null || die "cannot append to $log/log.jsonl"
printf '%s\n' "$out"
