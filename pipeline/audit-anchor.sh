#!/usr/bin/env bash
# audit-anchor.sh LOGDIR WINDOW --rpc URL --account ADDR --contract REGISTRY [--function NAME] [submit flags…]
# Sends the window's root to an audit registry contract with submit invoke: NAME (default
# record_window) gets [root, first entry, last entry, entry count, model commitment hi, lo]. Flags
# after these go to submit (key file, --wait, --nonce, fees, …). Writes WINDOW/anchor.json with the
# root, the calldata and the transaction; audit-verify.sh compares that root with the entries'.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
usage="usage: audit-anchor.sh LOGDIR WINDOW --rpc URL --account ADDR --contract REGISTRY [--function NAME] [submit flags…]"
[ $# -ge 2 ] || die "$usage"
log=$1 id=$2; shift 2
win=$log/windows/$id function=record_window contract= args=()
while [ $# -gt 0 ]; do
  case $1 in
    --function) function=${2:-}; shift 2 ;;
    --contract) contract=${2:-}; args+=("$1" "${2:-}"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$contract" ] || die "$usage"
[ -f "$win/window.json" ] || die "no window $id in $log (audit-prove.sh makes it)"
need submit jq
[ "$(jq '.missing | length' "$win/window.json")" -eq 0 ] || die "window $id has entries without a proof: prove them before anchoring"
read -r root first last count mc < <(jq -r '[.root, .entries[0], .entries[-1], (.entries | length), .model_commitment] | join(" ")' "$win/window.json")
# shellcheck disable=SC2046
calldata=("$root" "$first" "$last" "$count" $(felt_pair "$mc"))
sent=$(printf '%s\n' "${calldata[@]}" | submit invoke --function "$function" "${args[@]}" --json) || exit
jq -n --arg window "$id" --arg root "$root" --arg contract "$contract" --arg function "$function" \
  --argjson calldata "$(printf '%s\n' "${calldata[@]}" | jq -Rsc 'split("\n") | map(select(length > 0))')" --argjson sent "$sent" \
  '{window: $window, root: $root, contract: $contract, function: $function, calldata: $calldata} + $sent' > "$win/anchor.json.tmp"
mv "$win/anchor.json.tmp" "$win/anchor.json"
jq -r .transaction_hash "$win/anchor.json"
