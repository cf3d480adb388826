#!/usr/bin/env bash
# audit-verify.sh LOGDIR [--model-commitment HEX] [-j N] — re-checks an audit log from its files:
# every entry's chain link (seq, prev) and hash, its model against the pinned commitment (default
# LOGDIR/model.json), every proof (verify --model-commitment, and its IO commitment is the entry's),
# every window's Merkle root and the anchored root. Prints one line per problem, naming the entry;
# exit 0 when all holds, 1 when anything does not.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage="usage: audit-verify.sh LOGDIR [--model-commitment HEX] [-j N]"
[ $# -ge 1 ] || die "$usage"
log=$1; shift
pin= jobs=()
while [ $# -gt 0 ]; do
  case $1 in
    --model-commitment) pin=${2:-}; shift 2 ;;
    -j) jobs=(-j "${2:-}"); shift 2 ;;
    *) die "$usage" ;;
  esac
done
entries=$log/log.jsonl
[ -f "$entries" ] || die "no audit log in $log"
need calldata verify parallel jq
pinned_model "$log"
pin=${pin:-$MODEL_COMMITMENT}
make_tmp
bad=0
problem() { echo "audit-verify.sh: $*"; bad=1; }

# The chain: entry i has seq i, links to entry i−1's hash, and its hash is the Poseidon of its fields.
prev=0x0 i=0 n=$(wc -l < "$entries")
[ -z "$(tail -c 1 "$entries")" ] || problem "entry $n: incomplete (a crash mid-append; capture.sh repairs it)"
# One jq for all lines: each entry's fields, or "bad" for a line that is not an entry; then one
# calldata for all their hashes (seq, time, the digests' halves, io, prev: capture.sh's chain hash).
head -n "$n" "$entries" | jq -rR '(fromjson? | [.seq, .time, .model_commitment, .graph_digest, .io_commitment, .prev, .hash]
  | select(all(. != null)) | map(tostring) | join(" ")) // "bad"' > "$TMP/fields"
awk '$1 == "bad" { print "-"; next }
  { print $1, $2, "0x" substr($3, 1, 32), "0x" substr($3, 33, 32), "0x" substr($4, 1, 32), "0x" substr($4, 33, 32), $5, $6 }' \
  "$TMP/fields" | calldata hash poseidon --each-line > "$TMP/hashes"
exec {hashes}< "$TMP/hashes"
while read -r seq time mc gd io eprev hash; do
  read -r -u "$hashes" want
  if [ "$seq" = bad ]; then
    problem "entry $i: not a valid entry (line $((i + 1)))"; i=$((i + 1)); continue
  fi
  [ "$seq" = "$i" ] || problem "entry $i: has sequence number $seq (an entry deleted or reordered)"
  [ "$eprev" = "$prev" ] || problem "entry $i: does not link to the entry before it (an entry deleted, reordered or edited)"
  [ "$mc" = "$pin" ] || problem "entry $i: foreign model $mc (pinned: $pin)"
  [ "$want" = "$hash" ] || problem "entry $i: hash does not match its fields (edited)"
  echo "$seq $io" >> "$TMP/io"
  prev=$hash i=$((i + 1))
done < "$TMP/fields"

# Proofs: each verifies against the pinned model (GNU parallel), and proves the entry's IO (one
# calldata for all; one per proof if some proof does not even parse).
touch "$TMP/io"
# shellcheck disable=SC2016
parallel "${jobs[@]}" --colsep ' ' 'p='"$log"'/proofs/{1}.proof; [ -f "$p" ] || exit 0
  verify -q --threads 1 -i "$p" --graph '"$log"'/model.graph --model-commitment '"$pin"' > /dev/null 2>&1 ||
    echo "audit-verify.sh: entry {1}: proof does not verify against model '"$pin"'"' \
  :::: "$TMP/io" > "$TMP/proof-problems"
seqs=() want=() files=()
while read -r s c; do [ -f "$log/proofs/$s.proof" ] && seqs+=("$s") want+=("$c") files+=("$log/proofs/$s.proof"); done < "$TMP/io"
if [ ${#files[@]} -gt 0 ]; then
  ios=$(calldata io-commitment "${files[@]}" 2>/dev/null) || ios=$(for p in "${files[@]}"; do calldata io-commitment -i "$p" 2>/dev/null || echo -; done)
  mapfile -t got <<<"$ios"
  for k in "${!files[@]}"; do
    [ "${got[$k]}" = "${want[$k]}" ] || echo "audit-verify.sh: entry ${seqs[$k]}: the proof is for another inference (IO commitment differs)"
  done >> "$TMP/proof-problems"
fi
sort -k3,3n "$TMP/proof-problems"
[ -s "$TMP/proof-problems" ] && bad=1

# Windows: the root over the listed entries' hashes, and the anchored root.
for w in "$log"/windows/*/window.json; do
  [ -f "$w" ] || continue
  id=$(jq -r .window "$w")
  root=$(jq -r '.entries[]' "$w" | while read -r s; do sed -n "$((s + 1))p" "$entries"; done | jq -r .hash 2>/dev/null | calldata hash merkle 2>/dev/null) || root=
  [ "$root" = "$(jq -r .root "$w")" ] || problem "window $id: its entries' Merkle root is ${root:-(none)}, not the recorded $(jq -r .root "$w")"
  while read -r s sum; do
    if [ ! -f "$log/proofs/$s.proof" ]; then problem "entry $s: no proof (window $id)"
    elif [ "$sum" != null ] && [ "$(sha256sum < "$log/proofs/$s.proof" | cut -c1-64)" != "$sum" ]; then
      problem "entry $s: the proof is not the one window $id recorded"; fi
  done < <(jq -r '(reduce .proofs[] as $p ({}; .[$p.seq | tostring] = $p.sha256)) as $sum | .entries[] | "\(.) \($sum[tostring])"' "$w")
  a=$(dirname "$w")/anchor.json
  [ ! -f "$a" ] || [ "$(jq -r .root "$a")" = "$root" ] || problem "window $id: the anchored root $(jq -r .root "$a") is not its entries' root $root"
done
[ $bad -eq 0 ] || exit 1
echo "audit-verify.sh: $i entries, $(grep -c . "$TMP/io") chained, $(find "$log/proofs" -name '*.proof' 2>/dev/null | wc -l) proofs verified against $pin: OK"
