#!/usr/bin/env bash
# audit-prove.sh LOGDIR [--since T] [--until T] [--part I/N] [-j N] [--sshloginfile FILE] [--age-identity FILE]
# Proves every entry of the window (time in [since, until): ms since the epoch or a `date -d` time;
# default: the whole log) that has no proof yet, with GNU parallel: one job per entry runs
# graph-forward | gkr-prove and verifies the proof against the log's model commitment, on this host
# or on the hosts of --sshloginfile (files moved by parallel with rsync; the tools must be on the
# hosts' PATH). --joblog + --resume-failed: a killed run continues where it stopped; a failed job is
# retried once and then reported (exit 1). --part I/N proves only every N-th job from the I-th
# (a Slurm array task). Writes LOGDIR/windows/FIRST-LAST/window.json (entries, Poseidon Merkle root
# of their hashes, proof digests) and prints the window id.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage="usage: audit-prove.sh LOGDIR [--since T] [--until T] [--part I/N] [-j N] [--sshloginfile FILE] [--age-identity FILE]"
[ $# -ge 1 ] || die "$usage"
log=$(realpath "$1"); shift
since=0 until=99999999999999 part=0/1 hosts=(-S :) files=() jobs=() identity=${ZKM31_AGE_IDENTITY:-}
while [ $# -gt 0 ]; do
  case $1 in
    --since) since=$(to_ms "${2:-}"); shift 2 ;;
    --until) until=$(to_ms "${2:-}"); shift 2 ;;
    --part) part=${2:-}; shift 2 ;;
    -j) jobs=(-j "${2:-}"); shift 2 ;;
    --sshloginfile) [ -f "${2:-}" ] || die "no such sshloginfile: ${2:-}"
      hosts=(--sshloginfile "$(realpath "$2")") files=(--cleanup); shift 2 ;;
    --age-identity) identity=${2:-}; shift 2 ;;
    *) die "$usage" ;;
  esac
done
[[ $part =~ ^([0-9]+)/([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] || die "--part: expected I/N with 0 ≤ I < N, got $part"
[ -f "$log/log.jsonl" ] || die "no audit log in $log (capture.sh writes it)"
need calldata parallel jq
pinned_model "$log"

window_seqs=$(jq -r --argjson a "$since" --argjson b "$until" 'select(.time >= $a and .time < $b) | .seq' "$log/log.jsonl") ||
  die "$log/log.jsonl is damaged: run audit-verify.sh"
[ -n "$window_seqs" ] || die "no entries in the window [$since, $until)"
id="$(head -n 1 <<<"$window_seqs")-$(tail -n 1 <<<"$window_seqs")"
name=${part/\//-of-}
win=$log/windows/$id work=$log/windows/$id/work.$name
# This run's files, under a name of its own: remote hosts keep them at the same path under their home.
run=run.$(hostname).$$
mkdir -p "$work/$run/in" "$log/proofs"
hold_lock "$win/.lock.$name"
# The job list is fixed when the window is first proven, so --resume-failed maps jobs to entries.
list=$win/jobs.$name
if [ ! -f "$list" ]; then
  n=0
  while read -r s; do
    [ -f "$log/proofs/$s.proof" ] || { [ $((n % ${part#*/})) -eq "${part%/*}" ] && echo "$s"; n=$((n + 1)); }
  done <<<"$window_seqs" > "$list.tmp"
  mv "$list.tmp" "$list"
fi
trap 'rm -rf "${work:?}/$run/in" "$work/$run/model.graph"; rmdir "$work/$run/proofs" "$work/$run" 2> /dev/null || true' EXIT  # plaintext inputs live only while the jobs run

while read -r s; do
  [ -n "$s" ] || continue
  if [ -f "$log/inputs/$s.json.age" ]; then
    [ -n "$identity" ] || die "entry $s is encrypted: give --age-identity FILE (or ZKM31_AGE_IDENTITY)"
    age -d -i "$identity" -o "$work/$run/in/$s.json" "$log/inputs/$s.json.age" || die "entry $s: age could not decrypt the input"
  else
    cp "$log/inputs/$s.json" "$work/$run/in/$s.json" || die "entry $s: input missing"
  fi
done < "$list"
cp "$log/model.graph" "$work/$run/model.graph"
# Files parallel moves to and from the remote hosts.
[ ${#files[@]} -eq 0 ] || files+=(--basefile "$run/model.graph" --transferfile "$run/in/{}.json" --return "$run/proofs/{}.proof")

# One thread per tool: parallel runs one job per core. (Remote hosts make their proofs folder per job.)
mkdir -p "$work/$run/proofs"
mk=
[ ${#files[@]} -eq 0 ] || mk="mkdir -p proofs && "
job="cd $run && ${mk}graph-forward -q --threads 1 --input in/{}.json --graph model.graph -o - | gkr-prove -q --threads 1 -o proofs/{}.proof"
job+=" && verify -q --threads 1 -i proofs/{}.proof --graph model.graph --model-commitment $MODEL_COMMITMENT > /dev/null"
status=0
if [ -s "$list" ]; then
  (cd "$work" && parallel --joblog "../joblog.$name" --resume-failed --retries 2 "${jobs[@]}" "${hosts[@]}" "${files[@]}" \
    --env PATH --env XDG_CACHE_HOME "$job" :::: "$list") || status=1
fi

# Keep the proofs whose jobs succeeded and whose IO commitment is the entry's (one calldata for all;
# one per proof if some proof does not even parse). Also those a killed run had finished: its jobs
# are in the joblog.
declare -A io_of
while IFS=$'\t' read -r s c; do io_of[$s]=$c; done < <(jq -r '[.seq, .io_commitment] | @tsv' "$log/log.jsonl")
mapfile -t made < <(compgen -G "$work/run.*/proofs/*.proof" || true)
if [ ${#made[@]} -gt 0 ]; then
  ios=$(calldata io-commitment "${made[@]}" 2>/dev/null) || ios=$(for p in "${made[@]}"; do calldata io-commitment -i "$p" 2>/dev/null || echo bad; done)
  mapfile -t io_made <<<"$ios"
  for k in "${!made[@]}"; do
    p=${made[$k]} s=${made[$k]##*/} s=${s%.proof}
    if [ "${io_made[$k]}" = "${io_of[$s]:-}" ]; then mv "$p" "$log/proofs/$s.proof"; else
      echo "audit-prove.sh: entry $s: the proof's IO commitment is not the entry's" >&2; rm -f "$p"; status=1; fi
  done
fi
failed=()
while read -r s; do [ -f "$log/proofs/$s.proof" ] || failed+=("$s"); done <<<"$window_seqs"
[ ${#failed[@]} -eq 0 ] || [ "$part" != 0/1 ] || { echo "audit-prove.sh: window $id: no proof for entries ${failed[*]} (failed twice or not run)" >&2; status=1; }

root=$(jq -r --argjson a "$since" --argjson b "$until" 'select(.time >= $a and .time < $b) | .hash' "$log/log.jsonl" | calldata hash merkle)
# The window's proofs with their SHA-256 and size: one sha256sum and one stat for all.
proofs=$(cd "$log/proofs" && while read -r s; do [ -f "$s.proof" ] && echo "$s.proof"; done <<<"$window_seqs" |
  { mapfile -t ps; [ ${#ps[@]} -eq 0 ] || paste -d ' ' <(sha256sum "${ps[@]}") <(stat -c %s "${ps[@]}"); } |
  jq -Rc 'split(" +"; null) | {seq: (.[1] | rtrimstr(".proof") | tonumber), sha256: .[0], bytes: (.[2] | tonumber)}')
jq -n --arg id "$id" --argjson since "$since" --argjson until "$until" --arg root "$root" --arg mc "$MODEL_COMMITMENT" \
  --argjson seqs "$(jq -sc . <<<"$window_seqs")" --argjson proofs "$(jq -sc . <<<"$proofs")" \
  --argjson failed "$(printf '%s\n' "${failed[@]}" | jq -sc 'map(select(. != null))')" \
  '{window: $id, since: $since, until: $until, model_commitment: $mc, entries: $seqs, root: $root, proofs: $proofs, missing: $failed}' \
  > "$win/window.json.tmp"
mv "$win/window.json.tmp" "$win/window.json"
echo "$id"
exit $status
