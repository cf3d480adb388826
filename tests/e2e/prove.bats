#!/usr/bin/env bats
# gkr-prove | verify end to end: the shell pipeline on the shared and bundled models, pinned model
# commitment and graph, tampered traces, forged proof fields (checksum fixed), forged or spliced
# weight certificates, weights outside their intervals, malformed input.

load common

setup() {
  EDIT="/usr/bin/python3 $BATS_TEST_DIRNAME/prove_edit.py"
  TMP=$(mktemp -d)
}

teardown() { rm -rf "$TMP"; }

# prove MODEL.onnx INPUT.json [onnx2graph flags…]: graph, trace and proof in $TMP
prove() {
  onnx2graph -q "$1" -o "$TMP/m.graph" "${@:3}"
  graph-forward -q --input "$2" --graph "$TMP/m.graph" -o "$TMP/run.trace"
  gkr-prove -q -i "$TMP/run.trace" -o "$TMP/run.proof"
}

shared_model() {
  [ -f "$SHARED/$1.onnx" ] || skip "shared model $1 not present"
}

# proves_like_torch MODEL [onnx2graph flags…]: the project model proves, verifies, and its verified
# argmax is torch's.
proves_like_torch() {
  prove "$DATA/$1.onnx" "$DATA/$1.input.json" "${@:2}"
  run verify -q -i "$TMP/run.proof" --json
  assert_success
  torch=$(jq '.data | to_entries | max_by(.value) | .key' "$DATA/$1.torch_output.json")
  run jq '.outputs[0].values | to_entries | max_by(.value) | .key' <<<"$output"
  assert_output "$torch"
}

@test "tiny_matmul: the shell pipeline proves and verify accepts" {
  shared_model tiny_matmul
  run --separate-stderr bash -c "onnx2graph -q '$SHARED/tiny_matmul.onnx' | graph-forward -q --input '$SHARED/tiny_matmul.input.json' | gkr-prove -q | verify"
  assert_success
  [[ "$output" == *"output y [4, 128]:"* ]] || fail "$output"
  [[ "$stderr" == *"verify: VALID"* ]] || fail "$stderr"
}

@test "mlp_digits: verify prints the verified class and commitment, pinned to the model and graph" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  run --separate-stderr verify -i "$TMP/run.proof" --graph "$TMP/m.graph" --json
  assert_success
  run jq -r '.outputs[0].values | to_entries | max_by(.value) | .key' <<<"$output"
  assert_output 2
  commitment=$(gkr-prove --commit-model -i "$TMP/m.graph")
  [ "$commitment" = "$(verify -q -i "$TMP/run.proof" --json | jq -r .model_commitment)" ] || fail "commitments differ"
  run verify -q -i "$TMP/run.proof" --model-commitment "$commitment"
  assert_success
  [ "$(stat -c %s "$TMP/run.proof")" -le 204800 ]
}

@test "cnn_digits: convolutions (im2col, transposes) prove and verify" {
  shared_model cnn_digits
  prove "$SHARED/cnn_digits.onnx" "$SHARED/cnn_digits.input.json"
  run verify -i "$TMP/run.proof"
  assert_success
  [[ "$output" == *"(argmax 2)"* ]] || fail "$output"
}

@test "the project's own models (conv_small, mlp_sigmoid with a sigmoid table) prove and verify" {
  for m in conv_small mlp_sigmoid; do proves_like_torch "$m"; done
}

@test "dyn_mlp: a model exported with a dynamic batch axis proves and verifies with the default batch of 1" {
  proves_like_torch dyn_mlp
}

# proves_ops [--shape S] MODEL…: each project model imports, its float track matches torch, and it
# proves and verifies with torch's argmax.
proves_ops() {
  local m flags=()
  if [ "$1" = --shape ]; then
    flags=(--shape "$2")
    shift 2
  fi
  for m in "$@"; do
    onnx2graph -q "$DATA/$m.onnx" -o "$TMP/f.graph" "${flags[@]}"
    float_matches_torch "$TMP/f.graph" "$DATA/$m.input.json" "$DATA/$m.torch_output.json"
    proves_like_torch "$m" "${flags[@]}"
  done
}

@test "nn.TransformerEncoderLayer (post-LN, GELU, batch_first, dynamic axes; opsets 14, 17 and 20) proves and verifies" {
  for op in 14 17 20; do
    onnx2graph -q "$DATA/encoder_layer_op$op.onnx" --shape x=1,8,16 -o "$TMP/e.graph"
    float_matches_torch "$TMP/e.graph" "$DATA/encoder_layer.input.json" "$DATA/encoder_layer.torch_output.json"
    prove "$DATA/encoder_layer_op$op.onnx" "$DATA/encoder_layer.input.json" --shape x=1,8,16
    run verify -q -i "$TMP/run.proof"
    assert_success
  done
}

@test "Llama / Qwen2 / Qwen3 blocks as HF writes them (RoPE rotate_half and interleaved, GQA repeat_kv) prove and verify" {
  proves_ops --shape x=1,8,32 llama_block qwen2_block qwen3_block rope_interleaved
}

@test "tampered RoPE tensors (q·cos, −x2, rotate_half, its requant): refused or rejected" {
  prove "$DATA/llama_block.onnx" "$DATA/llama_block.input.json" --shape x=1,8,32
  tamper_each 3 "/Mul_output_0" "/Neg_output_0" "/Concat_3_output_0" "/Mul_1_output_0:q"
}

@test "pooling CNNs: MaxPool, a residual block, GlobalAveragePool, BatchNormalization folded and not" {
  proves_ops pool_cnn pool_cnn_bn
}

@test "pooling edge cases (ceil_mode, count_include_pad, dilation, Pad) and grouped / depthwise Conv" {
  proves_ops pool_ops grouped_conv
}

@test "1-D Conv and pooling (dynamic batch axis), ConvTranspose, nearest, bilinear and bicubic Resize prove and verify" {
  proves_ops conv1d_ops upsample_ops resize_cubic
}

@test "PReLU (per channel), ELU, Softplus, Mish and Exp (tables) prove and verify" {
  proves_ops more_activations
  prove "$DATA/more_activations.onnx" "$DATA/more_activations.input.json"
  tamper_each 3 "/pr/PRelu_output_0:slope" "/pr/PRelu_output_0:rest" "/Elu_output_0"
}

@test "SELU, CELU, ELU (α ≠ 1), Softsign, Abs, LogSigmoid, Softplus(β), Hardswish (opset 13) and exp(0.5·x) prove and verify" {
  proves_ops more_activations2
  prove "$DATA/more_activations2.onnx" "$DATA/more_activations2.input.json"
  tamper_each 3 "/Selu_output_0:neg" "/Celu_output_0" "/Abs_1_output_0:relu_neg" "/Log_output_0" "/Exp_output_0"
}

@test "a ViT (class token concatenated in front of the patches, learned positions) proves and verifies" {
  proves_ops vit_tiny
  prove "$DATA/vit_tiny.onnx" "$DATA/vit_tiny.input.json"
  tamper_each 3 "/Concat_2_output_0:spread" "/Concat_2_output_0:sum" "/Concat_2_output_0:spread:zeros"
}

@test "tampered upsampling tensors (the spread input's zeros, the nearest gathers, the bilinear maps): refused or rejected" {
  prove "$DATA/upsample_ops.onnx" "$DATA/upsample_ops.input.json"
  tamper_each 3 "/u1/ConvTranspose_output_0:up2" "/u1/ConvTranspose_output_0:up3" "/Resize_output_0:axis2" "/Resize_1_output_0:axis3" "y:axis2" "y:axis3:acc"
}

@test "tampered pooling tensors (window max, pooled mean, zero padding): refused or rejected" {
  prove "$DATA/pool_ops.onnx" "$DATA/pool_ops.input.json"
  tamper_each 3 "/MaxPool_output_0:max" "/AveragePool_output_0:pooled" "/Pad_output_0:axis2:zeros" "/Pad_output_0" \
    "/MaxPool_1_output_0:max"
}

@test "Clip (ReLU6), LeakyRelu, HardSigmoid, HardSwish; Softmax, ReduceMean, ReduceMax, Split off the last axis; LogSoftmax" {
  proves_ops activations axis_ops
}

@test "tiny_gated: Q·Kᵀ of two activations, residual adds and a gated product prove and verify" {
  prove "$DATA/tiny_gated.onnx" "$DATA/tiny_gated.input.json"
  run --separate-stderr verify -i "$TMP/run.proof"
  assert_success
  [[ "$output" == *"output y [1, 8, 16]:"* ]] || fail "$output"
  [[ "$stderr" == *"verify: VALID"* ]] || fail "$stderr"
  tamper_each 3 "/MatMul_output_0" "/Split_output_1" "/Transpose_output_0" "/Add_output_0:a" "/Add_output_0:sum" \
    "/Mul_output_0" "y:sum"
}

@test "shape_ops: a LayerNorm (reduce_sum, broadcast sub and mul) and a slice prove and verify" {
  proves_like_torch shape_ops
}

@test "transformer blocks (norms, softmax with reduce_max, causal mask, heads) prove and verify" {
  for m in "$DATA/tiny_block" "$DATA/tiny_llama" "$SHARED/gpt_block"; do
    [ -f "$m.onnx" ] || continue
    prove "$m.onnx" "$m.input.json"
    run --separate-stderr verify -i "$TMP/run.proof"
    assert_success
    [[ "$stderr" == *"verify: VALID"* ]] || fail "$m: $stderr"
  done
}

@test "gpt_heads12: GPT-2's 12 heads over 7 positions (padded heads, rows and softmax tables) prove and verify" {
  prove "$DATA/gpt_heads12.onnx" "$DATA/gpt_heads12.input.json"
  run --separate-stderr verify -i "$TMP/run.proof" --json
  assert_success
  torch=$(jq -c '[.data | _nwise(48) | to_entries | max_by(.value) | .key]' "$DATA/gpt_heads12.torch_output.json")
  run jq -c '[.outputs[0].values | _nwise(48) | to_entries | max_by(.value) | .key]' <<<"$output"
  assert_output "$torch"
  # The softmax reciprocal (a table from 2048) and the LayerNorm rsqrt (from 1) on padded tensors.
  onnx2graph --inspect "$DATA/gpt_heads12.onnx" | grep -q "table recip .* from 2048"
  tamper_each 1 "/Softmax_output_0:recip" "/Softmax_output_0:sumq" "/ln1/Add_1_output_0:rsqrt" "/Softmax_output_0:exp"
}

@test "the accuracy models prove and verify: ln_mlp (LayerNorm, calibrated) and the 12-block pre_ln_stack" {
  onnx2graph -q "$DATA/ln_mlp.onnx" --calibrate "$DATA/ln_mlp.calib.json" -o "$TMP/ln.graph"
  graph-forward -q --input "$DATA/ln_mlp.input.json" --graph "$TMP/ln.graph" -o "$TMP/ln.trace"
  gkr-prove -q -i "$TMP/ln.trace" -o "$TMP/ln.proof"
  run --separate-stderr verify -i "$TMP/ln.proof"
  assert_success
  [[ "$stderr" == *"verify: VALID"* ]] || fail "ln_mlp: $stderr"
  prove "$DATA/pre_ln_stack.onnx" "$DATA/pre_ln_stack.input.json"
  run --separate-stderr verify -i "$TMP/run.proof"
  assert_success
  [[ "$stderr" == *"verify: VALID"* ]] || fail "pre_ln_stack: $stderr"
}

@test "constant operands (learned positions folded to a constant, a shift): dyn_block and a nanoGPT block prove and verify" {
  for op in 11 14 17; do
    prove "$DATA/dyn_block_op$op.onnx" "$DATA/dyn_block.input.json" --shape x=1,8,16
    run verify -q -i "$TMP/run.proof"
    assert_success
  done
  proves_ops --shape x=1,8,32 nanogpt_block
}

@test "a BERT-style encoder with Hugging Face's attention_mask input proves and verifies, as an added (1 − m)·min and as masked_fill(m == 0, −inf); the mask is a public input in [0, 1]" {
  for model in bert_mask bert_mask_fill; do
    onnx2graph -q "$DATA/$model.onnx" --input "$DATA/$model.input.json" -o "$TMP/m.graph"
    float_matches_torch "$TMP/m.graph" "$DATA/$model.input.json" "$DATA/$model.torch_output.json"
    run jq -n --slurpfile a "$TMP/f.json" --slurpfile t "$DATA/$model.torch_output.json" \
      '[range(0; $t[0].data | length) as $i | ($a[0].outputs[0].quantized[$i] - $t[0].data[$i]) | . * .] | add | sqrt'
    local err=$output
    run jq -n --slurpfile t "$DATA/$model.torch_output.json" '[$t[0].data[] | . * .] | add | sqrt'
    awk -v e="$err" -v n="$output" 'BEGIN { exit !(e / n < 0.01) }' || fail "$model: integer vs torch: $err / $output"
    # The padding matters: without it (every token kept) the output is another one.
    jq -c '.[1].data = [1,1,1,1,1,1,1,1]' "$DATA/$model.input.json" > "$TMP/unmasked.json"
    graph-forward -q --input "$TMP/unmasked.json" --graph "$TMP/m.graph" --json-out "$TMP/u.json" -o "$TMP/u.trace"
    run jq -n --slurpfile a "$TMP/f.json" --slurpfile u "$TMP/u.json" '$a[0].outputs[0].quantized != $u[0].outputs[0].quantized'
    assert_output true
    gkr-prove -q -i "$TMP/f.trace" -o "$TMP/run.proof"
    run verify -q -i "$TMP/run.proof"
    assert_success
    # The mask follows the 8 token ids in the public input: a kept token dropped (1 → 2, outside
    # [0, 1]) and a padded one kept (0 → 1) are both rejected.
    for at in 8 14; do
      $EDIT proof "$TMP/run.proof" "$TMP/forged.proof" public_input $at
      run --separate-stderr verify -i "$TMP/forged.proof"
      assert_failure 1
      [[ "$stderr" == *"rejected"* ]] || fail "$model: mask entry $at: $stderr"
    done
  done
}

@test "tampered constant operands (the sum and its operands): refused or rejected" {
  prove "$DATA/nanogpt_block.onnx" "$DATA/nanogpt_block.input.json" --shape x=1,8,32
  tamper_each 3 "/Add_output_0:a" "/Add_output_0:sum" "/Add_output_0"
}

@test "gkr-prove --json reports per-part seconds and bytes" {
  shared_model mlp_digits
  onnx2graph -q "$SHARED/mlp_digits.onnx" | graph-forward -q --input "$SHARED/mlp_digits.input.json" > "$TMP/run.trace"
  run --separate-stderr gkr-prove -q --json -i "$TMP/run.trace" -o "$TMP/run.proof"
  assert_success
  run jq -r '[.proof_bytes > 0, (.parts | map(.name) | index("/1/Relu") != null), .security_bits.conjectured >= 96,
              .security_bits.provable > 30, .security_bits.provable < .security_bits.conjectured,
              (.parts | map(.name) | map(startswith("weight certificate: ")) | any),
              (.parts | map(select(.name | startswith("weight certificate"))) | .[0].bytes > 1000),
              (.certificate_cached | type == "boolean"), .peak_rss_mb > 1, .peak_rss_mb < 4096] | all' <<<"$output"
  assert_output true
  # Progress lines carry the peak memory so far.
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/run2.proof"
  assert_success
  [[ "$stderr" =~ witness\ .*\ peak\ [0-9]+\ MB ]] || fail "$stderr"
}

@test "a tampered intermediate tensor: gkr-prove refuses or verify rejects" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  tamper_each 5 "/0/Gemm_output_0:acc" "/0/Gemm_output_0:pre" "/0/Gemm_output_0" "/1/Relu_output_0" "logits:acc" "logits"
}

@test "forged proof fields (checksum fixed) are rejected with exit 1" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  for field in public_output public_input model_commitment weight_root graph_digest trace_commitment queries; do
    $EDIT proof "$TMP/run.proof" "$TMP/forged.proof" "$field"
    run --separate-stderr verify -i "$TMP/forged.proof"
    assert_failure 1
    [[ "$stderr" == *"rejected"* ]] || fail "$field: $stderr"
  done
}

@test "weight certificate: forged, of another model or of another graph is rejected naming it" {
  shared_model mlp_digits
  shared_model cnn_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  $EDIT proof "$TMP/run.proof" "$TMP/forged.proof" certificate_stream
  run --separate-stderr verify -i "$TMP/forged.proof"
  assert_failure 1
  [[ "$stderr" == *"weight certificate: "* ]] || fail "$stderr"
  # Another model of the same graph: one weight changed inside its interval, run and proven again.
  cp "$TMP/run.proof" "$TMP/mlp.proof"
  $EDIT weight "$TMP/m.graph" "$TMP/other.graph" 0 0 5
  graph-forward -q --input "$SHARED/mlp_digits.input.json" --graph "$TMP/other.graph" -o "$TMP/other.trace"
  gkr-prove -q -i "$TMP/other.trace" -o "$TMP/other.proof"
  verify -q -i "$TMP/other.proof" >/dev/null
  $EDIT splice "$TMP/mlp.proof" "$TMP/spliced.proof" "$TMP/other.proof"
  run --separate-stderr verify -i "$TMP/spliced.proof"
  assert_failure 1
  [[ "$stderr" == *"weight certificate: made for other weights"* ]] || fail "$stderr"
  $EDIT splice "$TMP/mlp.proof" "$TMP/spliced.proof" "$TMP/other.proof" relabel
  run --separate-stderr verify -i "$TMP/spliced.proof"
  assert_failure 1
  [[ "$stderr" == *"weight certificate: "* ]] || fail "$stderr"
  prove "$SHARED/cnn_digits.onnx" "$SHARED/cnn_digits.input.json"
  $EDIT splice "$TMP/mlp.proof" "$TMP/spliced.proof" "$TMP/run.proof"
  run --separate-stderr verify -i "$TMP/spliced.proof"
  assert_failure 1
  [[ "$stderr" == *"weight certificate: made for another graph"* ]] || fail "$stderr"
}

@test "a weight outside its declared interval is refused by gkr-prove (exit 2, one line)" {
  shared_model mlp_digits
  onnx2graph -q "$SHARED/mlp_digits.onnx" | graph-forward -q --input "$SHARED/mlp_digits.input.json" > "$TMP/run.trace"
  $EDIT weight "$TMP/run.trace" "$TMP/bad.trace" 0 0 70000  # beyond the widest (16-bit) weights
  run --separate-stderr gkr-prove -q -i "$TMP/bad.trace" -o "$TMP/bad.proof"
  assert_failure 2
  [[ "$stderr" == *"outside its declared interval"* ]] || fail "$stderr"
  [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$stderr"
  [ ! -e "$TMP/bad.proof" ]
}

@test "verify pins: another model commitment or graph is rejected" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  run --separate-stderr verify -i "$TMP/run.proof" --model-commitment "$(printf '0%.0s' {1..64})"
  assert_failure 1
  [[ "$stderr" == *"another model commitment"* ]] || fail "$stderr"
  onnx2graph -q "$DATA/conv_small.onnx" -o "$TMP/other.graph"
  run --separate-stderr verify -i "$TMP/run.proof" --graph "$TMP/other.graph"
  assert_failure 1
  [[ "$stderr" == *"another graph"* ]] || fail "$stderr"
}

# The review's hole: a graph over the same weights with other requant multipliers (or shift) proves and
# verifies on its own, but not under the original model commitment alone.
@test "the model commitment pins the graph: other multipliers or shift over the same weights are rejected" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  pinned=$(gkr-prove --commit-model -i "$TMP/m.graph")
  run verify -q -i "$TMP/run.proof" --model-commitment "$pinned"
  assert_success
  weight_root=$(verify -q -i "$TMP/run.proof" --json | jq -r .weight_root)
  $EDIT graph "$TMP/m.graph" "$TMP/mult.graph" /2/Gemm:requant mult 0 -1
  $EDIT graph "$TMP/mult.graph" "$TMP/mult.graph" /2/Gemm:requant mult 1 -1
  $EDIT graph "$TMP/m.graph" "$TMP/shift.graph" /2/Gemm:requant shift 0 1
  for edit in mult shift; do
    graph-forward -q --input "$SHARED/mlp_digits.input.json" --graph "$TMP/$edit.graph" -o "$TMP/$edit.trace"
    gkr-prove -q -i "$TMP/$edit.trace" -o "$TMP/$edit.proof"
    run verify -q -i "$TMP/$edit.proof" --json
    assert_success
    [ "$(jq -r .weight_root <<<"$output")" = "$weight_root" ] || fail "$edit: the weights changed"
    [ "$(jq -r .model_commitment <<<"$output")" != "$pinned" ] || fail "$edit: same model commitment"
    [ "$(gkr-prove --commit-model -i "$TMP/$edit.graph")" != "$pinned" ] || fail "$edit: same --commit-model"
    run --separate-stderr verify -i "$TMP/$edit.proof" --model-commitment "$pinned"
    assert_failure 1
    [[ "$stderr" == *"proof is for another model commitment"* ]] || fail "$edit: $stderr"
  done
}

@test "verify reports provable and conjectured bits; --floor-kind picks the one the floor applies to" {
  shared_model mlp_digits
  prove "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json"
  run --separate-stderr verify -i "$TMP/run.proof"
  assert_success
  [[ "$stderr" =~ VALID\ \(96\.0\ conjectured,\ [0-9]+\.[0-9]\ provable ]] || fail "$stderr"
  [[ "$output" == *"dequantized logits (x "* ]] || fail "$output"
  [[ "$output" == *"graph digest "* ]] || fail "$output"
  provable=$(verify -q -i "$TMP/run.proof" --json | jq .security_bits.provable)
  run --separate-stderr verify -i "$TMP/run.proof" --floor-kind provable
  assert_failure 1
  [[ "$stderr" == *"provable bits < floor 96"* ]] || fail "$stderr"
  run verify -q -i "$TMP/run.proof" --floor-kind provable --floor "$(jq -n "$provable - 1 | floor")"
  assert_success
  run verify -q -i "$TMP/run.proof" --floor-kind nonsense
  assert_failure 2
  # The dequantized outputs are the integers times the output scale.
  run verify -q -i "$TMP/run.proof" --json
  run jq '.outputs[0] | [.values, .dequantized] | transpose | map(.[0] * $s - .[1] | . < 1e-9 and . > -1e-9) | all' \
    --argjson s "$(jq '.outputs[0].scale' <<<"$output")" <<<"$output"
  assert_output true
}

@test "--commit-log splits weights and trace into chunks: the proof verifies, pinned to its own model commitment" {
  shared_model mlp_digits
  onnx2graph -q "$SHARED/mlp_digits.onnx" -o "$TMP/m.graph"
  graph-forward -q --input "$SHARED/mlp_digits.input.json" --graph "$TMP/m.graph" -o "$TMP/run.trace"
  gkr-prove -q --no-cache --commit-log 12 -i "$TMP/run.trace" -o "$TMP/chunked.proof"
  chunked=$(gkr-prove --commit-model --commit-log 12 --no-cache -i "$TMP/m.graph")
  [ "$chunked" != "$(gkr-prove --commit-model --no-cache -i "$TMP/m.graph")" ] || fail "one chunk and several share a commitment"
  run verify -q -i "$TMP/chunked.proof" --model-commitment "$chunked"
  assert_success
  $EDIT proof "$TMP/chunked.proof" "$TMP/forged.proof" trace_commitment
  run verify -q -i "$TMP/forged.proof"
  assert_failure 1
  run --separate-stderr gkr-prove --commit-log 40 -i "$TMP/run.trace" -o "$TMP/x.proof"
  assert_failure 2
  [[ "$stderr" == *"commit_log 40 outside"* ]] || fail "$stderr"
  [ ! -e "$TMP/x.proof" ]
  run --separate-stderr gkr-prove --commit-log 8 -i "$TMP/run.trace" -o "$TMP/x.proof"
  assert_failure 2
  [[ "$stderr" == *"not supported: weights:"* ]] || fail "$stderr"
}

@test "a config below the security floor is refused; malformed input exits 2" {
  shared_model mlp_digits
  onnx2graph -q "$SHARED/mlp_digits.onnx" | graph-forward -q --input "$SHARED/mlp_digits.input.json" > "$TMP/run.trace"
  gkr-prove -q --queries 20 --pow-bits 0 -i "$TMP/run.trace" -o "$TMP/weak.proof"
  run --separate-stderr verify -i "$TMP/weak.proof"
  assert_failure 1
  [[ "$stderr" == *"floor"* ]] || fail "$stderr"
  run verify -q -i "$TMP/weak.proof" --floor 20
  assert_success
  head -c 100 "$TMP/weak.proof" > "$TMP/cut.proof"
  run verify -i "$TMP/cut.proof"
  assert_failure 2
  run gkr-prove -i "$TMP/cut.proof"
  assert_failure 2
}

@test "pipeline/prove.sh and pipeline/demo.sh run the whole chain" {
  shared_model mlp_digits
  run --separate-stderr "$ROOT/pipeline/prove.sh" "$SHARED/mlp_digits.onnx" "$SHARED/mlp_digits.input.json" "$TMP/p.proof"
  assert_success
  [[ "$output" == *"(argmax 2)"* ]] || fail "$output"
  run "$ROOT/pipeline/prove.sh" "$TMP/missing.onnx" "$SHARED/mlp_digits.input.json"
  assert_failure 2
  run --separate-stderr "$ROOT/pipeline/demo.sh"
  assert_success
  [[ "$output" == *"verified class:    2 (label 2)"* ]] || fail "$output"
  [[ "$output" == *"model commitment:"* ]] || fail "$output"
}
