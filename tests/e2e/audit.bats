#!/usr/bin/env bats
# Audit pipeline end to end: 50 inferences captured by 4 concurrent writers → proven with GNU parallel
# over two hosts (this one and an sshd the test starts on 127.0.0.1) → killed midway and resumed →
# report (rendered by headless chromium) → anchored (local JSON-RPC server) → re-verified; then each
# kind of tampering is caught. The tests run in order and share the log in $BATS_FILE_TMPDIR.

load common

P="$ROOT/pipeline"

setup_file() {
  export PATH="$ROOT/build/bin:$PATH"
  export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/xdg-cache"
  onnx2graph -q --calibrate "$DATA/digits_calib_mlp.json" "$DATA/mlp_sigmoid.onnx" -o "$BATS_FILE_TMPDIR/model.graph"
  onnx2graph -q "$DATA/mlp_sigmoid.onnx" -o "$BATS_FILE_TMPDIR/other.graph"  # same net, another quantization
  for i in $(seq 0 49); do
    jq -c --argjson i "$i" '{name: "input", shape: [1, 64], data: .X[$i]}' "$DATA/digits_test.json" > "$BATS_FILE_TMPDIR/x$i.json"
  done
}

setup() {
  L="$BATS_FILE_TMPDIR/log" M="$BATS_FILE_TMPDIR/model.graph" X="$BATS_FILE_TMPDIR"
  PIDS=()
}

teardown() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}

# tampered CHANGE...: a copy of the log with the shell commands CHANGE run inside it, then audit-verify.
tampered() {
  rm -rf "$BATS_TEST_TMPDIR/t" && cp -r "$L" "$BATS_TEST_TMPDIR/t"
  (cd "$BATS_TEST_TMPDIR/t" && eval "$1")
  run "$P/audit-verify.sh" "$BATS_TEST_TMPDIR/t"
  assert_failure 1
}

@test "capture: 4 concurrent writers, 50 entries, one unbroken chain" {
  for w in 0 1 2 3; do
    (for i in $(seq "$w" 4 49); do "$P/capture.sh" --log "$L" --model "$M" < "$X/x$i.json" > "$X/out$i.json" || exit 1; done) &
    PIDS+=($!)
  done
  for p in "${PIDS[@]}"; do wait "$p"; done
  PIDS=()
  [ "$(wc -l < "$L/log.jsonl")" -eq 50 ]
  run jq -s '[.[].seq] == [range(50)]' "$L/log.jsonl"
  assert_output true
  # Times rise with sequence numbers (the clock is read under the lock): a time window is a run of entries.
  run jq -s '[.[].time] == ([.[].time] | sort)' "$L/log.jsonl"
  assert_output true
  [ "$(ls "$L/inputs" | wc -l)" -eq 50 ]
  # What capture printed is graph-forward's --json-out; the entry pins the model's identity.
  graph-forward -q --input "$X/x7.json" --graph "$M" --json-out "$BATS_TEST_TMPDIR/want.json" -o "$BATS_TEST_TMPDIR/t.trace"
  cmp "$X/out7.json" "$BATS_TEST_TMPDIR/want.json"
  run jq -r '"\(.model_commitment) \(.graph_digest)"' "$L/model.json"
  assert_output "$(gkr-prove --commit-model -i "$M") $(jq -r '"\(.graph_digest)"' "$L/model.json")"
  # The entry's IO commitment is the trace's, and each stored input is the one captured.
  seq=$(jq -r --arg c "$(calldata io-commitment -i "$BATS_TEST_TMPDIR/t.trace")" 'select(.io_commitment == $c) | .seq' "$L/log.jsonl")
  cmp "$L/inputs/$seq.json" "$X/x7.json"
}

@test "capture: a torn last line is reported by audit-verify and cut by the next capture" {
  cp -r "$L" "$BATS_TEST_TMPDIR/c"
  C="$BATS_TEST_TMPDIR/c"
  head -c 60 "$C/log.jsonl" | tail -c 30 >> "$C/log.jsonl"  # a crash mid-append
  run "$P/audit-verify.sh" "$C"
  assert_failure 1
  assert_output --partial "entry 50: incomplete"
  run "$P/capture.sh" --log "$C" --model "$M" < "$X/x0.json"
  assert_success
  assert_output --partial "repaired"
  [ "$(wc -l < "$C/log.jsonl")" -eq 51 ]
  run jq -s '[.[].seq] == [range(51)]' "$C/log.jsonl"
  assert_output true
}

@test "capture: refuses another model, a missing log dir, and bad input without appending" {
  cp -r "$L" "$BATS_TEST_TMPDIR/c"
  C="$BATS_TEST_TMPDIR/c"
  run "$P/capture.sh" --log "$C" --model "$X/other.graph" < "$X/x0.json"
  assert_failure 2
  assert_output --partial "is pinned to model"
  run env -u ZKM31_AUDIT_DIR "$P/capture.sh" --model "$M" < "$X/x0.json"
  assert_failure 2
  assert_output --partial "no audit log"
  run "$P/capture.sh" --log "$C" --model "$M" <<< '{"name": "input", "shape": [1, 3], "data": [1, 2, 3]}'
  assert_failure
  [ "$(wc -l < "$C/log.jsonl")" -eq 50 ]
  ZKM31_AUDIT_DIR="$C" run "$P/capture.sh" --model "$M" < "$X/x1.json"
  assert_success
  [ "$(wc -l < "$C/log.jsonl")" -eq 51 ]
}

@test "capture + prove: inputs encrypted to an auditor with age, decrypted only to prove" {
  age-keygen -o "$BATS_TEST_TMPDIR/auditor.key" 2>/dev/null
  recipient=$(age-keygen -y "$BATS_TEST_TMPDIR/auditor.key")
  E="$BATS_TEST_TMPDIR/enc"
  "$P/capture.sh" --log "$E" --model "$M" --age-recipient "$recipient" < "$X/x0.json" > /dev/null
  "$P/capture.sh" --log "$E" --model "$M" --age-recipient "$recipient" < "$X/x1.json" > /dev/null
  [ -f "$E/inputs/0.json.age" ] && [ ! -f "$E/inputs/0.json" ]
  ! grep -q '"data"' "$E/inputs/0.json.age"
  run "$P/audit-prove.sh" "$E"
  assert_failure 2
  assert_output --partial "--age-identity"
  run "$P/audit-prove.sh" "$E" --age-identity "$BATS_TEST_TMPDIR/auditor.key"
  assert_success
  [ ! -d "$E/windows/0-1/work.0-of-1/in" ]  # no plaintext left behind
  run "$P/audit-verify.sh" "$E"
  assert_success
}

@test "audit-prove: GNU parallel over two hosts (one over ssh), killed midway and resumed" {
  S="$BATS_FILE_TMPDIR/ssh"
  mkdir -p "$S" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$S/client_key"
  cp "$S/client_key.pub" "$S/authorized_keys"
  port=$((20000 + RANDOM % 20000))
  printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $S/host_key" "AuthorizedKeysFile $S/authorized_keys" \
    "PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" "StrictModes no" \
    "PermitRootLogin prohibit-password" > "$S/sshd_config"
  /usr/sbin/sshd -D -f "$S/sshd_config" -E "$S/sshd.log" 3>&- &
  PIDS+=($!)
  ssh_cmd="ssh -p $port -i $S/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=$S/known_hosts -o BatchMode=yes -o LogLevel=ERROR"
  for _ in $(seq 50); do $ssh_cmd "$(id -un)@127.0.0.1" true 2>/dev/null && break; sleep 0.1; done
  printf '%s\n' ":" "1/$ssh_cmd $(id -un)@127.0.0.1" > "$X/hosts"

  # In a session of its own, so the kill takes parallel and its jobs too (as a crash or kill -9 would).
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$BATS_TEST_TMPDIR/pgid" \
    "$P/audit-prove.sh" "$L" --sshloginfile "$X/hosts" -j 1 > "$BATS_TEST_TMPDIR/first.out" 2>&1 3>&- &
  job=$!
  joblog="$L/windows/0-49/joblog.0-of-1"
  for _ in $(seq 600); do [ "$(grep -c . "$joblog" 2>/dev/null || echo 0)" -ge 9 ] && break; sleep 0.1; done
  kill -KILL -- -"$(cat "$BATS_TEST_TMPDIR/pgid")" || fail "the first run ended early: $(cat "$BATS_TEST_TMPDIR/first.out")"
  wait "$job" || true
  done_first=$(($(grep -c . "$joblog") - 1))
  [ "$done_first" -ge 8 ] && [ "$done_first" -lt 50 ] || fail "first run did $done_first jobs"

  run --separate-stderr "$P/audit-prove.sh" "$L" --sshloginfile "$X/hosts" -j 1
  assert_success
  assert_output "0-49"
  [ "$(ls "$L/proofs" | wc -l)" -eq 50 ]
  # Every job ran exactly once (nothing the first run finished was redone), on both hosts.
  run awk -F '\t' 'NR > 1 { n[$1]++ } END { for (s in n) if (n[s] != 1) bad++; print length(n), bad + 0 }' "$joblog"
  assert_output "50 0"
  awk -F '\t' 'NR > 1 && $2 == ":"' "$joblog" | grep -q .
  awk -F '\t' 'NR > 1 && $2 ~ /127\.0\.0\.1/' "$joblog" | grep -q .
  [ "$(jq '.entries | length' "$L/windows/0-49/window.json")" -eq 50 ]
  [ "$(jq '.proofs | length' "$L/windows/0-49/window.json")" -eq 50 ]
  run jq -r .root "$L/windows/0-49/window.json"
  assert_output "$(jq -r .hash "$L/log.jsonl" | calldata hash merkle)"
}

@test "audit-prove: a failing job is retried once, then reported (exit 1)" {
  cp -r "$L" "$BATS_TEST_TMPDIR/f"
  F="$BATS_TEST_TMPDIR/f"
  rm -rf "$F/proofs" "$F/windows"
  echo '{"name": "input", "shape": [1, 3], "data": [1, 2, 3]}' > "$F/inputs/7.json"
  # A graph-forward that counts its runs on entry 7's input, in front of the real one.
  mkdir "$BATS_TEST_TMPDIR/bin"
  printf '%s\n' '#!/bin/sh' 'case "$*" in *in/7.json*) echo run >> "'"$BATS_TEST_TMPDIR"'/runs7";; esac' \
    "exec $(command -v graph-forward) \"\$@\"" > "$BATS_TEST_TMPDIR/bin/graph-forward"
  chmod +x "$BATS_TEST_TMPDIR/bin/graph-forward"
  # The window ends after entry 9's time: entries 0–9, and any appended in that same millisecond.
  until=$(jq -s '.[9].time + 1' "$F/log.jsonl")
  in_window=$(jq -s --argjson u "$until" 'map(select(.time < $u)) | length' "$F/log.jsonl")
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$P/audit-prove.sh" "$F" --until "$until"
  assert_failure 1
  assert_output --partial "no proof for entries 7"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/runs7")" -eq 2 ]            # tried twice
  [ "$(ls "$F/proofs" | wc -l)" -eq $((in_window - 1)) ]      # the others are proven
  run jq -c .missing "$F"/windows/*/window.json
  assert_output "[7]"
}

@test "audit-report: report.json, and a page headless chromium renders without console errors" {
  command -v chromium > /dev/null || fail "chromium missing: make test installs it (scripts/setup-deps.sh --browser)"
  run "$P/audit-report.sh" "$L" 0-49
  assert_success
  W="$L/windows/0-49"
  run jq -c '[.counts, .root == ($w[0].root), (.inferences | length), (.inferences | map(.proof_bytes > 0 and .prove_seconds > 0) | all), .failures]' \
    --slurpfile w "$W/window.json" "$W/report.json"
  assert_output '[{"entries":50,"proven":50,"failed":0},true,50,true,[]]'
  grep -q '<svg' "$W/report.html"
  # A page with a script error is caught by the same check, so the check can fail.
  echo '<!DOCTYPE html><html><body><script>undefinedFunction()</script></body></html>' > "$BATS_TEST_TMPDIR/bad.html"
  screenshot "$BATS_TEST_TMPDIR/bad.html" "$BATS_TEST_TMPDIR/bad.png"
  grep -q 'Uncaught' "$BATS_TEST_TMPDIR/chromium.log"
  screenshot "$W/report.html" "$BATS_TEST_TMPDIR/report.png"
  ! grep -E 'CONSOLE|Uncaught' "$BATS_TEST_TMPDIR/chromium.log"
  [ "$(head -c 8 "$BATS_TEST_TMPDIR/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
  [ "$(stat -c %s "$BATS_TEST_TMPDIR/report.png")" -gt 20000 ]
}

# screenshot PAGE PNG: headless chromium (fresh profile, no network services), console to chromium.log.
screenshot() {
  rm -rf "$BATS_TEST_TMPDIR/profile"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" --enable-logging=stderr --v=0 \
    --window-size=1000,1400 --screenshot="$2" "file://$1" 2> "$BATS_TEST_TMPDIR/chromium.log" 3>&-
  [ -s "$2" ]
}

@test "audit-anchor: the window root goes to the registry contract through submit" {
  jq -r '.rpc_explicit.private_key' "$ROOT/tests/starknet/vectors.json" > "$BATS_TEST_TMPDIR/key"
  /usr/bin/python3 "$ROOT/tests/starknet/rpc_server.py" --scenario success --pending 0 --port-file "$BATS_TEST_TMPDIR/port" \
    --log "$BATS_TEST_TMPDIR/requests.log" --lifetime 30 3>&- &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
  run "$P/audit-anchor.sh" "$L" 0-49 --rpc "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")/rpc" --account 0xacc0 \
    --contract 0x7e5 --private-key-file "$BATS_TEST_TMPDIR/key" --wait --poll 0.05 --timeout 20 -q
  assert_success
  root=$(jq -r .root "$L/windows/0-49/window.json")
  [ "$(jq -r .root "$L/windows/0-49/anchor.json")" = "$root" ]
  [ "$(jq -r .status "$L/windows/0-49/anchor.json")" = SUCCEEDED ]
  # The invoke carries [1, registry, selector(record_window), 6, root, 0, 49, 50, model commitment hi, lo].
  run jq -c '.params.invoke_transaction.calldata[1:9]' < <(grep addInvokeTransaction "$BATS_TEST_TMPDIR/requests.log")
  assert_output "[\"0x7e5\",\"$(calldata selector record_window)\",\"0x6\",\"$root\",\"0x0\",\"0x31\",\"0x32\",\"0x$(jq -r .model_commitment "$L/model.json" | cut -c1-32 | sed 's/^0*//')\"]"
}

@test "audit-verify: the archive verifies against the pinned model" {
  run "$P/audit-verify.sh" "$L" --model-commitment "$(gkr-prove --commit-model -i "$M")"
  assert_success
  assert_output --partial "50 entries"
}

@test "audit-verify: a deleted entry is caught" {
  tampered 'sed -i 21d log.jsonl'
  assert_output --partial "entry 20: has sequence number 21"
}

@test "audit-verify: reordered entries are caught" {
  tampered 'sed -i "11{h;d};12{G}" log.jsonl'
  assert_output --partial "entry 10: has sequence number 11"
}

@test "audit-verify: an edited entry is caught" {
  tampered "sed -i '31s/\"io_commitment\":\"0x[0-9a-f]*\"/\"io_commitment\":\"0x1\"/' log.jsonl"
  assert_output --partial "entry 30: hash does not match its fields"
}

@test "audit-verify: two swapped proofs are caught" {
  tampered 'mv proofs/3.proof p; mv proofs/40.proof proofs/3.proof; mv p proofs/40.proof'
  assert_output --partial "entry 3: the proof is for another inference"
  assert_output --partial "entry 40: the proof is for another inference"
}

@test "audit-verify: a foreign model is caught (another pin, or an entry re-hashed for another model)" {
  other=$(gkr-prove --commit-model -i "$X/other.graph")
  run "$P/audit-verify.sh" "$L" --model-commitment "$other"
  assert_failure 1
  assert_output --partial "entry 0: foreign model"
  assert_output --partial "entry 0: proof does not verify"
}

@test "audit-verify: an anchored root that is not the entries' is caught" {
  tampered 'jq ".root = \"0x1\"" windows/0-49/anchor.json > a && mv a windows/0-49/anchor.json'
  assert_output --partial "window 0-49: the anchored root 0x1"
}

@test "audit-cron: proves the last complete window; a second run while one is active exits 0" {
  C="$BATS_TEST_TMPDIR/cron"
  "$P/capture.sh" --log "$C" --model "$M" < "$X/x0.json" > /dev/null
  second=$(($(jq .time "$C/log.jsonl") / 1000))
  while [ "$(date +%s)" -le "$second" ]; do sleep 0.05; done
  run "$P/audit-cron.sh" "$C" --window 1
  assert_success
  grep -q "window 0-0 done" "$C/cron.log"
  [ -f "$C/windows/0-0/report.html" ] && [ -f "$C/proofs/0.proof" ]
  flock "$C/.cron.lock" sleep 5 3>&- &
  PIDS+=($!)
  sleep 0.3
  run "$P/audit-cron.sh" "$C" --window 1
  assert_success
  grep -q "another run is active" "$C/cron.log"
}
