#!/usr/bin/env bash
# audit-report.sh LOGDIR WINDOW — writes LOGDIR/windows/WINDOW/report.json (window, model, counts,
# root, per-entry proof size and proving time from the joblog, failures) and report.html: a summary,
# plots of proving time and proof size over the window (SVG written here) and a table of the inferences.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -eq 2 ] || die "usage: audit-report.sh LOGDIR WINDOW"
log=$1 win=$1/windows/$2
[ -f "$win/window.json" ] || die "no window $2 in $log (audit-prove.sh makes it)"
need jq
# Per job: the last run's seconds and exit status (the seq is the input file's name in the command).
runs=$(cat "$win"/joblog.* 2>/dev/null | awk -F '\t' '$1 != "Seq" && match($9, /in\/[0-9]+\.json/) {
  s = substr($9, RSTART + 3, RLENGTH - 8); printf "{\"seq\":%d,\"seconds\":%s,\"exit\":%d,\"host\":\"%s\"}\n", s, $4 + 0, $7, $2 }' | jq -sc .)
jq --argjson runs "$runs" --slurpfile entries "$log/log.jsonl" '
  (reduce $runs[] as $r ({}; .[$r.seq | tostring] = $r)) as $run
  | (reduce $entries[] as $e ({}; .[$e.seq | tostring] = $e)) as $entry
  | (reduce .proofs[] as $p ({}; .[$p.seq | tostring] = $p)) as $proof
  | . as $w
  | [.entries[] | tostring | {seq: tonumber, time: $entry[.].time, io_commitment: $entry[.].io_commitment, hash: $entry[.].hash,
      proof_bytes: $proof[.].bytes, proof_sha256: $proof[.].sha256, prove_seconds: $run[.].seconds, host: $run[.].host}] as $rows
  | {window, since, until, model_commitment, graph_digest: $entries[0].graph_digest, root,
     counts: {entries: ($rows | length), proven: ([$rows[] | select(.proof_bytes)] | length), failed: (.missing | length)},
     proof_bytes: {total: ([$rows[].proof_bytes // 0] | add), max: ([$rows[].proof_bytes // 0] | max)},
     prove_seconds: {total: ([$rows[].prove_seconds // 0] | add), max: ([$rows[].prove_seconds // 0] | max)},
     failures: [.missing[] | {seq: ., last_exit: $run[tostring].exit}], inferences: $rows}' \
  "$win/window.json" > "$win/report.json.tmp"
mv "$win/report.json.tmp" "$win/report.json"

# A line plot of one per-inference field (SVG, 640×200, axes labelled with the range).
jq -r '
  def plot($field; $unit):
    [.inferences[] | select(.[$field]) | [.seq, .[$field]]] as $pts
    | if ($pts | length) == 0 then "<p>no data</p>" else
      ([$pts[][0]] | min) as $x0 | ([$pts[][0]] | max) as $x1 | ([$pts[][1]] | max) as $y1
      | def x($v): 50 + (if $x1 > $x0 then ($v - $x0) * 570 / ($x1 - $x0) else 285 end);
        def y($v): 170 - (if $y1 > 0 then $v * 150 / $y1 else 0 end);
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"200\" role=\"img\" aria-label=\"\($field)\">"
      + "<line x1=\"50\" y1=\"170\" x2=\"620\" y2=\"170\" stroke=\"#444\"/><line x1=\"50\" y1=\"20\" x2=\"50\" y2=\"170\" stroke=\"#444\"/>"
      + "<text x=\"4\" y=\"24\" font-size=\"11\">\($y1) \($unit)</text><text x=\"4\" y=\"170\" font-size=\"11\">0</text>"
      + "<text x=\"50\" y=\"190\" font-size=\"11\">entry \($x0)</text><text x=\"560\" y=\"190\" font-size=\"11\">entry \($x1)</text>"
      + "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"1.5\" points=\""
      + ([$pts[] | "\(x(.[0])),\(y(.[1]))"] | join(" ")) + "\"/></svg>" end;
  def cell: "<td>\(. // "—" | tostring | @html)</td>";
  "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>zkm31 audit window \(.window)</title>"
  + "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;font-size:13px}"
  + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}code,td{font-family:monospace}.bad{color:#b91c1c}</style></head><body>"
  + "<h1>Audit window \(.window | @html)</h1>"
  + "<p>Model commitment <code>\(.model_commitment)</code>, graph digest <code>\(.graph_digest)</code>.</p>"
  + "<p>\(.counts.entries) inferences, \(.counts.proven) proven and verified"
  + (if .counts.failed > 0 then ", <span class=\"bad\">\(.counts.failed) without a proof: entries \([.failures[].seq] | map(tostring) | join(", "))</span>" else "" end)
  + ". Window root (Poseidon Merkle root of the entry hashes): <code>\(.root)</code>.</p>"
  + "<p>Proving: \(.prove_seconds.total * 1000 | round / 1000) s in total (max \(.prove_seconds.max) s); proofs: \(.proof_bytes.total) bytes in total.</p>"
  + "<h2>Proving time per inference</h2>" + plot("prove_seconds"; "s")
  + "<h2>Proof size per inference</h2>" + plot("proof_bytes"; "bytes")
  + "<h2>Inferences</h2><table><tr><th>entry</th><th>time (UTC)</th><th>IO commitment</th><th>entry hash</th><th>proof bytes</th><th>proving s</th><th>host</th></tr>"
  + ([.inferences[] | "<tr>" + (.seq | cell) + ((.time / 1000 | todate) | cell) + (.io_commitment | cell) + (.hash | cell)
      + (.proof_bytes | cell) + (.prove_seconds | cell) + (.host | cell) + "</tr>"] | join(""))
  + "</table></body></html>"' "$win/report.json" > "$win/report.html.tmp"
mv "$win/report.html.tmp" "$win/report.html"
echo "$win/report.html"
