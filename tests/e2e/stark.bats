#!/usr/bin/env bats
# stark-prove → verify → calldata for the Circle STARK: examples and air-traces, the verify dispatch on
# the artifact kind, and bad input (truncated, corrupted, wrong kind → exit 2; forged → exit 1).

load common

setup() {
  export PATH="$ROOT/build/bin:$PATH"
  TMP="$BATS_TEST_TMPDIR"
  # 96 conjectured bits with cheap grinding.
  FAST=(--queries 76 --pow-bits 20)
}

@test "stark-prove --example fibonacci: verify prints the statement; --json the security and components" {
  stark-prove -q "${FAST[@]}" --example fibonacci --log-rows 8 --save-trace "$TMP/fib.air" -o "$TMP/fib.proof"
  run verify -i "$TMP/fib.proof"
  assert_success
  assert_output --partial "component fibonacci v1: 2^8 rows, public inputs: "
  run verify -q --json -i "$TMP/fib.proof"
  assert_success
  [ "$(jq -r '.kind, .security_bits.conjectured, .components[0].name, .components[0].log_size' <<<"$output" | tr '\n' ' ')" = "stark-proof 96 fibonacci 8 " ]
  # The saved air-trace proves the same statement.
  stark-prove -q "${FAST[@]}" -i "$TMP/fib.air" -o "$TMP/again.proof"
  run verify -q --json -i "$TMP/again.proof"
  assert_success
  [ "$(jq -c .components <<<"$output")" = "$(verify -q --json -i "$TMP/fib.proof" | jq -c .components)" ]
}

@test "stark-prove --example range: two components tied by LogUp verify" {
  stark-prove -q "${FAST[@]}" --example range --log-rows 4 -o "$TMP/range.proof"
  run verify -q --json -i "$TMP/range.proof"
  assert_success
  [ "$(jq -r '[.components[].name] | join(",")' <<<"$output")" = "decompose31,range_check" ]
}

@test "calldata serializes a stark proof: IO commitment of its public inputs first" {
  stark-prove -q "${FAST[@]}" --example fibonacci --log-rows 4 -o "$TMP/p.proof"
  run calldata -q -i "$TMP/p.proof"
  assert_success
  pub=$(verify -q --json -i "$TMP/p.proof" | jq -r '.components[0].public_inputs[0]')
  [ "${lines[0]}" = "$(calldata hash poseidon 1 "$pub" 0)" ]
  [ "${#lines[@]}" -gt 1000 ]
}

@test "verify rejects a forged stark proof (checksum fixed): public input, component version, proof fields" {
  stark-prove -q "${FAST[@]}" --example fibonacci --log-rows 5 -o "$TMP/p.proof"
  E="$ROOT/tests/e2e/stark_edit.py"
  /usr/bin/python3 "$E" public "$TMP/p.proof" "$TMP/bad.proof"
  run verify -q -i "$TMP/bad.proof"
  assert_failure 1
  assert_output --partial "verify: rejected"
  /usr/bin/python3 "$E" version "$TMP/p.proof" "$TMP/bad.proof"
  run verify -q -i "$TMP/bad.proof"
  assert_failure 2
  assert_output --partial "not supported: component fibonacci version 2"
  for f in roots sampled final fri_roots; do
    /usr/bin/python3 "$E" field "$TMP/p.proof" "$TMP/bad.proof" "$f"
    run verify -q -i "$TMP/bad.proof"
    assert_failure 1
  done
  run verify -q --floor 100 -i "$TMP/p.proof"
  assert_failure 1
  assert_output --partial "< floor 100"
}

@test "stark-prove refuses a witness that breaks a constraint, leaving no proof" {
  stark-prove -q "${FAST[@]}" --example fibonacci --log-rows 4 --save-trace "$TMP/t.air" -o /dev/null
  /usr/bin/python3 "$ROOT/tests/e2e/stark_edit.py" witness "$TMP/t.air" "$TMP/bad.air" 0 5
  run stark-prove -q -i "$TMP/bad.air" -o "$TMP/bad.proof"
  assert_failure 2
  assert_output "stark-prove: error: component fibonacci: constraint 0 fails at row 4"
  [ ! -e "$TMP/bad.proof" ]
}

@test "truncated, corrupted and wrong-kind inputs: exit 2 with one line, no crash" {
  stark-prove -q "${FAST[@]}" --example fibonacci --log-rows 4 --save-trace "$TMP/t.air" -o "$TMP/p.proof"
  head -c 300 "$TMP/p.proof" > "$TMP/trunc.proof"
  run verify -q -i "$TMP/trunc.proof"
  assert_failure 2
  [ "${#lines[@]}" -eq 1 ]
  cp "$TMP/p.proof" "$TMP/corrupt.proof"
  printf '\x55' | dd of="$TMP/corrupt.proof" bs=1 seek=2000 conv=notrunc status=none
  run verify -q -i "$TMP/corrupt.proof"
  assert_failure 2
  assert_output --partial "checksum"
  run stark-prove -q -i "$TMP/p.proof" -o "$TMP/x.proof"
  assert_failure 2
  assert_output --partial "air-trace"
  [ ! -e "$TMP/x.proof" ]
  head -c 100 "$TMP/t.air" > "$TMP/trunc.air"
  run stark-prove -q -i "$TMP/trunc.air" -o "$TMP/x.proof"
  assert_failure 2
  [ "${#lines[@]}" -eq 1 ]
  run stark-prove -q --example poseidon3 --log-rows 4 -o "$TMP/x.proof"
  assert_failure 2
  run stark-prove -q --example fibonacci --log-rows 40 -o "$TMP/x.proof"
  assert_failure 2
  assert_output "stark-prove: error: --log-rows 40 outside 3..24"
  run stark-prove -q --example fibonacci -o "$TMP/x.proof"
  assert_failure 2
  assert_output "stark-prove: error: --example needs --log-rows N"
  run verify -q --model-commitment 00 -i "$TMP/p.proof"
  assert_failure 2
}
