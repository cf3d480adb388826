#!/usr/bin/env bats
# onnx2graph end to end: artifacts, --inspect, and one-line refusals (exit 2, no output file).

load common

setup() {
  TMP=$(mktemp -d)
  OUT="$TMP/out"
  mkdir -p "$OUT"
}

teardown() { rm -rf "$TMP"; }

# Refusal: exit 2, exactly one stderr line containing $2, and no output file left behind.
refuses() {
  local model=$1 want=$2
  shift 2
  run --separate-stderr onnx2graph "$model" -o "$OUT/out.graph" "$@"
  assert_failure 2
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "expected one error line, got: $stderr"
  [[ "$stderr" == *"$want"* ]] || fail "expected '$want' in: $stderr"
  [ -z "$(ls -A "$OUT")" ] || fail "output files left: $(ls -A "$OUT")"
}

@test "onnx2graph writes a graph artifact (stdout and -o give the same bytes)" {
  onnx2graph "$DATA/mlp_sigmoid.onnx" --calibrate "$DATA/digits_calib_mlp.json" -q > "$TMP/a.graph"
  onnx2graph "$DATA/mlp_sigmoid.onnx" --calibrate "$DATA/digits_calib_mlp.json" -q -o "$TMP/b.graph"
  cmp "$TMP/a.graph" "$TMP/b.graph"
}

@test "onnx2graph --inspect prints ops, shapes, parameters, bit widths and accumulator bounds" {
  run onnx2graph --inspect "$DATA/tiny_block.onnx"
  assert_success
  assert_output --partial "parameters: 2160"
  assert_output --partial "acc bound"
  assert_output --partial "table gelu_erf>silu"
  assert_output --partial "table exp_neg 1024 entries"
  assert_output --partial "int10"
  assert_output --partial "calibration: 64 synthetic N(0,1) inputs (default)"
}

@test "onnx2graph refuses a file that is not ONNX, and a truncated model" {
  refuses "$DATA/digits_test.json" "not an ONNX model"
  head -c 2000 "$DATA/tiny_block.onnx" > "$TMP/trunc.onnx"
  run onnx2graph "$TMP/trunc.onnx" -o "$TMP/out.graph"
  assert_failure 2
  [ ! -e "$TMP/out.graph" ]
  refuses /nonexistent/model.onnx "cannot open"
}

@test "onnx2graph refuses a missing initializer and a dynamic shape" {
  refuses "$DATA/bad_missing_init.onnx" "reads 'w_missing'"
  refuses "$DATA/bad_dynamic.onnx" "unresolved dynamic shape"
}

@test "onnx2graph lists every unsupported node" {
  refuses "$DATA/bad_unsupported.onnx" "not supported: ONNX op 'LSTM' (node 'lstm_1'), ONNX op 'TopK' (node 'topk_1')"
}

@test "onnx2graph refuses an accumulator that could wrap, naming the layer and the bound" {
  refuses "$DATA/wide_linear.onnx" "node 'wide_fc' (matmul): |accumulator| bound 8589672448 exceeds (p-1)/2" --bits 16
  run onnx2graph "$DATA/wide_linear.onnx" -o "$TMP/ok.graph" -q
  assert_success
}

@test "onnx2graph refuses malformed calibration JSON" {
  echo '[{"name": "input", "shape": [1, 64], "data": [1, 2' > "$TMP/bad.json"
  refuses "$DATA/mlp_sigmoid.onnx" "malformed calibration JSON" --calibrate "$TMP/bad.json"
}

@test "onnx2graph imports every shared reference model" {
  [ -d "$SHARED" ] || skip "shared models absent"
  for m in mlp_digits cnn_digits tiny_matmul gpt_block; do
    run onnx2graph "$SHARED/$m.onnx" -o "$TMP/$m.graph" -q
    assert_success
  done
}
