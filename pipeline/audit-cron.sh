#!/usr/bin/env bash
# audit-cron.sh LOGDIR [--window SECONDS] [prove flags…] — for cron: proves, reports and (when
# $ZKM31_ANCHOR_ARGS holds audit-anchor.sh's flags) anchors the last complete window: the latest
# [k·SECONDS, (k+1)·SECONDS) (default an hour) that has ended. Holds LOGDIR/.cron.lock: a second run
# while one is active exits 0 with a notice. Everything goes to LOGDIR/cron.log.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 1 ] || die "usage: audit-cron.sh LOGDIR [--window SECONDS] [audit-prove.sh flags…]"
log=$1; shift
period=3600
if [ "${1:-}" = --window ]; then period=${2:-}; shift 2; fi
[[ $period =~ ^[1-9][0-9]*$ ]] || die "--window: expected seconds, got $period"
[ -d "$log" ] || die "no audit log in $log"
exec >> "$log/cron.log" 2>&1
stamp() { echo "[$(date -u +%FT%TZ)] audit-cron.sh: $*"; }
hold_lock -n "$log/.cron.lock" || { stamp "another run is active; nothing to do"; exit 0; }
here=$(dirname "${BASH_SOURCE[0]}")
until=$(( $(date +%s) / period * period * 1000 )) since=$(( until - period * 1000 ))
stamp "window [$since, $until)"
if ! id=$("$here/audit-prove.sh" "$log" --since "$since" --until "$until" "$@"); then
  [ -n "$id" ] || { stamp "nothing proven"; exit 1; }
  stamp "window $id: some entries failed (see above)"
  "$here/audit-report.sh" "$log" "$id"
  exit 1
fi
"$here/audit-report.sh" "$log" "$id"
if [ -n "${ZKM31_ANCHOR_ARGS:-}" ]; then
  # shellcheck disable=SC2086
  "$here/audit-anchor.sh" "$log" "$id" $ZKM31_ANCHOR_ARGS || { stamp "window $id: anchoring failed"; exit 1; }
fi
stamp "window $id done"
