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
  assert_output --partial "int11"
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

@test "onnx2graph refuses a missing initializer and a free dimension, naming the input and the flag" {
  refuses "$DATA/bad_missing_init.onnx" "reads 'w_missing'"
  refuses "$DATA/bad_dynamic.onnx" "input 'x' has the free dimension 'seq' on axis 2: fix it with --shape x=1,16,N"
  onnx2graph -q "$DATA/bad_dynamic.onnx" --shape x=1,16,3 -o "$OUT/fixed.graph"
}

@test "dynamic batch and sequence axes (opsets 11, 14, 17): shape subgraphs fold once --shape fixes the input" {
  for op in 11 14 17; do
    onnx2graph -q "$DATA/dyn_block_op$op.onnx" --shape x=1,8,16 -o "$TMP/b$op.graph"
    float_matches_torch "$TMP/b$op.graph" "$DATA/dyn_block.input.json" "$DATA/dyn_block.torch_output.json"
  done
  run onnx2graph --inspect "$DATA/dyn_block_op14.onnx" --shape x=2,5,16
  assert_success
  assert_output --partial "input  'x' [2, 5, 16]"
  assert_output --partial "output 'y' [2, 5, 16]"
}

@test "the --calibrate inputs fix the input shapes" {
  jq '[.]' "$DATA/dyn_block.input.json" > "$TMP/calib.json"
  onnx2graph -q "$DATA/dyn_block_op14.onnx" --calibrate "$TMP/calib.json" -o "$TMP/c.graph"
  float_matches_torch "$TMP/c.graph" "$DATA/dyn_block.input.json" "$DATA/dyn_block.torch_output.json"
}

@test "--input takes the shapes from a graph-forward input file (not its values: the graph is the default-calibrated one)" {
  onnx2graph -q "$DATA/dyn_block_op14.onnx" --input "$DATA/dyn_block.input.json" -o "$TMP/i.graph"
  float_matches_torch "$TMP/i.graph" "$DATA/dyn_block.input.json" "$DATA/dyn_block.torch_output.json"
  onnx2graph -q "$DATA/dyn_block_op14.onnx" --shape x=1,8,16 -o "$TMP/s.graph"
  cmp "$TMP/i.graph" "$TMP/s.graph"
  # --shape wins over the file; a malformed file is refused in one line
  run onnx2graph --inspect -q "$DATA/dyn_block_op14.onnx" --input "$DATA/dyn_block.input.json" --shape x=1,5,16
  assert_output --partial "input  'x' [1, 5, 16]"
  echo '{"name": "x", "shape": [1, 8' > "$TMP/bad.json"
  refuses "$DATA/dyn_block_op14.onnx" "bad.json" --input "$TMP/bad.json"
}

@test "a symbolic leading batch dimension defaults to 1 with a one-line notice" {
  run --separate-stderr onnx2graph "$DATA/dyn_mlp.onnx" -o "$TMP/m.graph"
  assert_success
  [ "$(grep -c "note: batch dimension of input 'x' 'batch' set to 1 (choose it with --shape)" <<<"$stderr")" -eq 1 ] || fail "$stderr"
  float_matches_torch "$TMP/m.graph" "$DATA/dyn_mlp.input.json" "$DATA/dyn_mlp.torch_output.json"
  run --separate-stderr onnx2graph -q "$DATA/dyn_mlp.onnx" -o "$TMP/q.graph"
  [ -z "$stderr" ] || fail "-q printed: $stderr"
}

@test "a --shape that contradicts the model, names no input or is malformed is refused in one line" {
  refuses "$DATA/dyn_block_op14.onnx" "--shape x=1,8,12 gives input 'x' dimension 12 on axis 2; the model fixes it to 16" --shape x=1,8,12
  refuses "$DATA/dyn_block_op14.onnx" "--shape x=8,16 gives input 'x' 2 dimensions; the model declares 3" --shape x=8,16
  refuses "$DATA/dyn_block_op14.onnx" "gather index 32 out of range for a dimension of 32 (with the input shapes x=1,40,16)" --shape x=1,40,16
  refuses "$DATA/dyn_block_op14.onnx" "--shape y=1,8,16 names 'y', which is not an input of the model" --shape y=1,8,16
  refuses "$DATA/dyn_block_op14.onnx" "expected NAME=d0,d1,… with positive dimensions" --shape x=1,0,16
  refuses "$DATA/dyn_block_op14.onnx" "--shape gives input 'x' twice" --shape x=1,8,16 --shape x=1,4,16
  refuses "$DATA/dyn_block_op14.onnx" "free dimension 'seq' on axis 1: fix it with --shape x=1,N,16"
  refuses "$DATA/llama_block.onnx" "shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Mul, node name: /Mul): [ShapeInferenceError] Incompatible dimensions … (with the input shapes x=1,20,32)" --shape x=1,20,32
}

@test "onnx2graph lists every unsupported node" {
  refuses "$DATA/bad_unsupported.onnx" "not supported: ONNX op 'LSTM' (node 'lstm_1'), ONNX op 'TopK' (node 'topk_1')"
  # Equal / Where are taken on an attention mask input only (bert_mask_fill in prove.bats).
  refuses "$DATA/masked_fill_activation.onnx" "not supported: node '/Equal': Equal other than on an attention mask input"
}

@test "onnx2graph narrows the input of a matmul whose accumulator could wrap (K = 2048 at --bits 16)" {
  run onnx2graph "$DATA/wide_linear.onnx" --bits 16 --inspect -q
  assert_success
  [[ "$output" == *"requant 'wide_fc' -> [1, 2048] int12"* ]] || fail "$output"
  [[ "$output" == *"limit (p-1)/2 = 2^30"* ]] || fail "$output"
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
