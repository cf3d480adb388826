#!/usr/bin/env bats
# graph-forward end to end: trace artifact, --json-out, error report, determinism, refusals.

load common

setup() {
  TMP=$(mktemp -d)
  onnx2graph "$DATA/tiny_block.onnx" -q -o "$TMP/tiny.graph"
}

teardown() { rm -rf "$TMP"; }

@test "graph-forward writes a trace and reports the integer-vs-float error" {
  run --separate-stderr graph-forward --input "$DATA/tiny_block.input.json" -o "$TMP/run.trace" --json-out "$TMP/out.json" < "$TMP/tiny.graph"
  assert_success
  [[ "$stderr" == *"output 'y' [1, 8, 16]: max abs error"*"relative L2 error"* ]] || fail "$stderr"
  [ -s "$TMP/run.trace" ]
  run jq -r '.outputs[0] | "\(.name) \(.shape) \(.float | length) \(.quantized | length)"' "$TMP/out.json"
  assert_output "y [1,8,16] 128 128"
  # float track vs torch
  run jq -n --slurpfile a "$TMP/out.json" --slurpfile t "$DATA/tiny_block.torch_output.json" \
    '[range(0; 128) as $i | ($a[0].outputs[0].float[$i] - $t[0].data[$i]) | fabs] | max < 1e-4'
  assert_output true
}

@test "graph-forward --report gives the error of every layer (table on stderr, layers in --json-out)" {
  run --separate-stderr graph-forward --report --input "$DATA/tiny_block.input.json" -o "$TMP/run.trace" --json-out "$TMP/out.json" < "$TMP/tiny.graph"
  assert_success
  [[ "$stderr" == *"node"*"tensor"*"op"*"max abs"*"rel L2"* ]] || fail "$stderr"
  [[ "$stderr" == *"/qkv/Add_output_0"*"requant"*"[1, 8, 48]"* ]] || fail "$stderr"
  [[ "$stderr" == *"<- largest"* ]] || fail "$stderr"
  run jq -r '.layers[0] | "\(.op) \(.tensor)"' "$TMP/out.json"
  assert_output "input x"
  # the last layer is the output, with the output's error
  run jq -r '(.layers[-1].rel_l2 - (.outputs[0] as $o | [range(0; 128) | ($o.quantized[.] - $o.float[.]) | . * .] | add | sqrt)
              / (.outputs[0] as $o | [range(0; 128) | $o.float[.] * $o.float[.]] | add | sqrt) | fabs < 1e-6) and .layers[-1].tensor == "y"' "$TMP/out.json"
  assert_output true
  # without --report: no table
  run --separate-stderr graph-forward --input "$DATA/tiny_block.input.json" -o "$TMP/run.trace" < "$TMP/tiny.graph"
  [[ "$stderr" != *"<- largest"* ]] || fail "$stderr"
}

@test "inputs unlike the calibration: onnx2graph says which calibration it used, graph-forward warns of clamped values" {
  run --separate-stderr onnx2graph "$DATA/ln_mlp.onnx" -o "$TMP/ln.graph"
  assert_success
  [[ "$stderr" == *"note: no --calibrate: activation ranges come from 64 synthetic N(0,1) inputs"* ]] || fail "$stderr"
  run --separate-stderr graph-forward -q --input "$DATA/ln_mlp.input.json" --graph "$TMP/ln.graph" -o "$TMP/run.trace"
  assert_success
  [[ "$stderr" == *"warning: input 'input': 20 of 160 values lie outside its quantized range and are clamped (calibration: 64 synthetic N(0,1) inputs (default))"* ]] || fail "$stderr"
  [[ "$stderr" == *"warning: "*" layer(s) clamp values beyond their calibrated range (most: '/0/Gemm_output_0'"* ]] || fail "$stderr"
  # calibrated on its training samples: silent, and within 1 %
  onnx2graph -q "$DATA/ln_mlp.onnx" --calibrate "$DATA/ln_mlp.calib.json" -o "$TMP/lc.graph"
  run --separate-stderr graph-forward --input "$DATA/ln_mlp.input.json" --graph "$TMP/lc.graph" -o "$TMP/run.trace" --json-out "$TMP/out.json"
  assert_success
  [[ "$stderr" != *"warning"* ]] || fail "$stderr"
  run jq '[.layers[].clamped] | add' "$TMP/out.json"
  assert_output 0
  run jq '.layers[-1].rel_l2 < 0.01' "$TMP/out.json"
  assert_output true
  # one graph-forward input file is accepted as calibration, with a notice that it is one sample
  run --separate-stderr onnx2graph "$DATA/ln_mlp.onnx" --calibrate "$DATA/ln_mlp.input.json" -o "$TMP/l1.graph"
  assert_success
  [[ "$stderr" == *"note: calibrated on 1 input(s) only"* ]] || fail "$stderr"
}

@test "graph-forward gives the same trace bytes on every run and thread count" {
  graph-forward -q --threads 1 --input "$DATA/tiny_block.input.json" < "$TMP/tiny.graph" > "$TMP/t1.trace"
  graph-forward -q --threads 2 --input "$DATA/tiny_block.input.json" < "$TMP/tiny.graph" > "$TMP/t2.trace"
  graph-forward -q --input "$DATA/tiny_block.input.json" --graph "$TMP/tiny.graph" > "$TMP/t3.trace"
  cmp "$TMP/t1.trace" "$TMP/t2.trace"
  cmp "$TMP/t1.trace" "$TMP/t3.trace"
}

@test "graph-forward refuses an input of the wrong shape and malformed JSON (exit 2, no output)" {
  jq '.shape = [8, 16, 1]' "$DATA/tiny_block.input.json" > "$TMP/wrong.json"
  run --separate-stderr graph-forward --input "$TMP/wrong.json" -o "$TMP/out.trace" < "$TMP/tiny.graph"
  assert_failure 2
  [[ "$stderr" == *"input 'x' has shape [8, 16, 1], the graph expects [1, 8, 16]"* ]] || fail "$stderr"
  [ ! -e "$TMP/out.trace" ]
  head -c 100 "$DATA/tiny_block.input.json" > "$TMP/bad.json"
  run --separate-stderr graph-forward --input "$TMP/bad.json" -o "$TMP/out.trace" < "$TMP/tiny.graph"
  assert_failure 2
  [[ "$stderr" == *"malformed input JSON"* ]] || fail "$stderr"
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
  [ ! -e "$TMP/out.trace" ]
}

@test "graph-forward refuses a non-graph artifact and a corrupted graph" {
  graph-forward -q --input "$DATA/tiny_block.input.json" < "$TMP/tiny.graph" > "$TMP/run.trace"
  run --separate-stderr graph-forward --input "$DATA/tiny_block.input.json" -o "$TMP/out.trace" < "$TMP/run.trace"
  assert_failure 2
  [[ "$stderr" == *"graph"* ]] || fail "$stderr"
  head -c 5000 "$TMP/tiny.graph" > "$TMP/trunc.graph"
  run graph-forward --input "$DATA/tiny_block.input.json" -o "$TMP/out.trace" --graph "$TMP/trunc.graph"
  assert_failure 2
  [ ! -e "$TMP/out.trace" ]
}

@test "graph-forward on the shared reference models: float track within 1e-4 of torch" {
  [ -d "$SHARED" ] || skip "shared models absent"
  for m in mlp_digits cnn_digits tiny_matmul gpt_block; do
    onnx2graph "$SHARED/$m.onnx" -q -o "$TMP/$m.graph"
    graph-forward -q --input "$SHARED/$m.input.json" --json-out "$TMP/$m.json" < "$TMP/$m.graph" > "$TMP/$m.trace"
    run jq -n --slurpfile a "$TMP/$m.json" --slurpfile t "$SHARED/$m.torch_output.json" \
      '[range(0; $t[0].data | length) as $i | ($a[0].outputs[0].float[$i] - $t[0].data[$i]) | fabs] | max < 1e-4'
    assert_output true
  done
}
