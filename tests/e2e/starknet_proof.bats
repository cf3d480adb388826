#!/usr/bin/env bats
# calldata on a real proof (onnx2graph | graph-forward | gkr-prove on the shared tiny_matmul model):
# the documented layout (tools/calldata/README.md) and the IO commitment.

load common

setup() {
  [ -f "$SHARED/tiny_matmul.onnx" ] || skip "shared model tiny_matmul not present"
  onnx2graph -q "$SHARED/tiny_matmul.onnx" -o "$BATS_TEST_TMPDIR/m.graph"
  graph-forward -q --input "$SHARED/tiny_matmul.input.json" --graph "$BATS_TEST_TMPDIR/m.graph" -o "$BATS_TEST_TMPDIR/run.trace"
  gkr-prove -q -i "$BATS_TEST_TMPDIR/run.trace" -o "$BATS_TEST_TMPDIR/run.proof"
}

# unpack_io CALLDATA_FILE: prints "n_in in… n_out out…" read back from the serialized body
# (key felt, n_words, then 8 words of 31 bits per felt).
unpack_io() {
  /usr/bin/python3 - "$1" "$(calldata short-string public_input)" "$(calldata short-string public_output)" <<'PY'
import sys
felts = [int(l, 16) for l in open(sys.argv[1])]
out = []
for key in (int(sys.argv[2], 16), int(sys.argv[3], 16)):
    i = felts.index(key)
    n = felts[i + 1]
    words = []
    for f in felts[i + 2 : i + 2 + (n + 7) // 8]:
        words += [(f >> (31 * j)) & (2**31 - 1) for j in range(8)]
    out += [n] + words[:n]
print(" ".join(map(str, out)))
PY
}

@test "calldata of a gkr-prove proof: IO commitment first, equal to Poseidon of the body's public IO" {
  run calldata -i "$BATS_TEST_TMPDIR/run.proof" -o "$BATS_TEST_TMPDIR/run.calldata"
  assert_success
  commitment=$(head -n 1 "$BATS_TEST_TMPDIR/run.calldata")
  assert_output --partial "io commitment $commitment"
  [ "$(sed -n 2p "$BATS_TEST_TMPDIR/run.calldata")" = "0x7" ]  # artifact version (proof v7: batched LogUp trees)
  io=$(unpack_io "$BATS_TEST_TMPDIR/run.calldata")
  [ -n "$io" ]
  run calldata hash poseidon $io
  assert_output "$commitment"
}

@test "calldata of a proof is deterministic; --format json is the same felts" {
  calldata -q -i "$BATS_TEST_TMPDIR/run.proof" > "$BATS_TEST_TMPDIR/a"
  calldata -q < "$BATS_TEST_TMPDIR/run.proof" > "$BATS_TEST_TMPDIR/b"
  cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
  [ "$(calldata -q --format json -i "$BATS_TEST_TMPDIR/run.proof" | jq -r '.[]')" = "$(cat "$BATS_TEST_TMPDIR/a")" ]
  ! grep -vqE '^0x[0-9a-f]+$' "$BATS_TEST_TMPDIR/a"
}

@test "calldata refuses a trace (wrong kind) and a truncated proof, leaving no output file" {
  run calldata -i "$BATS_TEST_TMPDIR/run.trace" -o "$BATS_TEST_TMPDIR/x"
  assert_failure 2
  assert_output --partial "proof"
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
  head -c 1000 "$BATS_TEST_TMPDIR/run.proof" > "$BATS_TEST_TMPDIR/short.proof"
  run calldata -i "$BATS_TEST_TMPDIR/short.proof"
  assert_failure 2
}
