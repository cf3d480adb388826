#!/usr/bin/env bats
# Hugging Face checkpoints (onnx2graph --hf) and the ONNX export of the same reference modules
# (tests/data/hf_reference.py writes both): prove + verify, the same integer graph forward on both
# paths, layer slices, and refusals of bad checkpoints.

load common

setup() {
  EDIT="/usr/bin/python3 $BATS_TEST_DIRNAME/prove_edit.py"
  HF="$DATA/hf"
  TMP=$(mktemp -d)
}

teardown() { rm -rf "$TMP"; }

# rel_l2 JSON_OUT REFERENCE: relative L2 error of graph-forward's integer output vs the reference logits.
rel_l2() {
  jq -n --slurpfile a "$1" --slurpfile r "$2" '
    [$a[0].outputs[0].quantized, $r[0].data] | transpose
    | ((map((.[0] - .[1]) * (.[0] - .[1])) | add) / (map(.[1] * .[1]) | add)) | sqrt'
}

@test "gpt2 ONNX export: the token and position embeddings prove and verify; tampered embeddings are rejected" {
  onnx2graph -q "$HF/gpt2.onnx" -o "$TMP/m.graph"
  graph-forward -q --input "$HF/gpt2.ids.json" --graph "$TMP/m.graph" -o "$TMP/run.trace" --json-out "$TMP/out.json"
  gkr-prove -q -i "$TMP/run.trace" -o "$TMP/run.proof"
  run verify -q -i "$TMP/run.proof"
  assert_success
  float_matches_torch "$TMP/m.graph" "$HF/gpt2.ids.json" "$HF/gpt2.reference.json"
  run rel_l2 "$TMP/out.json" "$HF/gpt2.reference.json"
  echo "# gpt2 (ONNX export) integer vs reference: rel. L2 $output" >&3
  (( $(echo "$output < 0.01" | bc) )) || fail "relative L2 $output"
  tamper_each 2 "/Gather_output_0" "/Add_output_0:sum"
  # Other learned positions (weight 1, after the token table) under the same trace values.
  $EDIT weight "$TMP/run.trace" "$TMP/bad.trace" 1 3 -77
  run --separate-stderr gkr-prove -q -i "$TMP/bad.trace" -o "$TMP/bad.proof"
  assert_failure 2
  [[ "$stderr" == *"add /Add: Y(ρ) != A(ρ) ± B(ρ)"* ]] || fail "$stderr"
  [ ! -e "$TMP/bad.proof" ]
}

# hf_prove NAME [FLAGS…]: onnx2graph --hf (--seq 8) | graph-forward | gkr-prove | verify, in $TMP.
hf_prove() {
  local name=$1
  shift
  onnx2graph -q --hf "$HF/$name" --seq 8 "$@" -o "$TMP/$name.graph"
  graph-forward -q --input "$HF/$name.ids.json" --graph "$TMP/$name.graph" -o "$TMP/$name.trace" --json-out "$TMP/$name.json"
  gkr-prove -q -i "$TMP/$name.trace" -o "$TMP/$name.proof"
  run verify -q -i "$TMP/$name.proof"
  assert_success
}

# Every architecture: proves and verifies end to end, float track within 1e-4 of the reference
# module, integer logits at the defaults within 1 % rel. L2 of the reference (measured 0.5–0.8 %).
@test "--hf: gpt2 (f32, f16 sharded, bf16), llama, mistral (bf16, MQA), qwen2 (biases, f16 sharded), qwen3, phi3 prove and verify" {
  run --separate-stderr bash -c "onnx2graph -q --hf '$HF/gpt2' --seq 8 | graph-forward -q --input '$HF/gpt2.ids.json' | gkr-prove -q | verify"
  assert_success
  [[ "$output" == *"output logits [1, 8, 101]:"* ]] || fail "$output"
  for name in gpt2 gpt2_sharded gpt2_bf16 llama mistral qwen2 qwen3 phi3; do
    hf_prove "$name"
    float_matches_torch "$TMP/$name.graph" "$HF/$name.ids.json" "$HF/$name.reference.json"
    run rel_l2 "$TMP/$name.json" "$HF/$name.reference.json"
    echo "# $name: integer logits vs the reference module, rel. L2 $output" >&3
    (( $(echo "$output < 0.01" | bc) )) || fail "$name: relative L2 $output"
  done
}

# The checkpoint path and the ONNX export of the same module give the same integer logits (the
# dequantizing scale may differ in its last float bit: RoPE's cos/sin are computed on each side).
@test "--hf graph forward equals the ONNX export's graph forward" {
  for name in gpt2 llama qwen3 phi3; do
    onnx2graph -q --hf "$HF/$name" --seq 8 -o "$TMP/a.graph"
    onnx2graph -q "$HF/$name.onnx" -o "$TMP/b.graph"
    graph-forward -q --input "$HF/$name.ids.json" --graph "$TMP/a.graph" --json-out "$TMP/a.json" -o /dev/null
    graph-forward -q --input "$HF/$name.ids.json" --graph "$TMP/b.graph" --json-out "$TMP/b.json" -o /dev/null
    run jq -n --slurpfile a "$TMP/a.json" --slurpfile b "$TMP/b.json" '
      [$a[0].outputs[0].quantized, $b[0].outputs[0].quantized] | transpose
      | map((.[0] - .[1]) | fabs) | max <= 1e-6 * ($b[0].outputs[0].quantized | map(fabs) | max)'
    assert_output true
  done
  # gpt2 has no RoPE: the two graphs compute bit for bit the same outputs.
  onnx2graph -q --hf "$HF/gpt2" --seq 8 | graph-forward -q --input "$HF/gpt2.ids.json" --json-out "$TMP/a.json" -o /dev/null
  onnx2graph -q "$HF/gpt2.onnx" | graph-forward -q --input "$HF/gpt2.ids.json" --json-out "$TMP/b.json" -o /dev/null
  [ "$(jq -c .outputs "$TMP/a.json")" = "$(jq -c .outputs "$TMP/b.json")" ] || fail "gpt2 outputs differ"
}

@test "--layers and --no-head: slices of the decoder prove and compose" {
  hf_prove llama --no-head
  run jq -c '.outputs[0] | [.name, .shape]' "$TMP/llama.json"
  assert_output '["hidden_states",[1,8,32]]'
  hf_prove gpt2 --layers 0:1
  run jq -c '.outputs[0] | [.name, .shape]' "$TMP/gpt2.json"
  assert_output '["hidden_states",[1,8,32]]'
  # Layer 1 of qwen3 alone takes hidden_states and ends with the head.
  onnx2graph -q --hf "$HF/qwen3" --seq 8 --layers 1: -o "$TMP/tail.graph"
  jq -c '{name: "hidden_states", shape: [1, 8, 32], data: [range(256) | (. % 7 - 3) / 3]}' -n > "$TMP/h.json"
  graph-forward -q --input "$TMP/h.json" --graph "$TMP/tail.graph" -o "$TMP/tail.trace" --json-out "$TMP/tail.json"
  run jq -c '.outputs[0] | [.name, .shape]' "$TMP/tail.json"
  assert_output '["logits",[1,8,89]]'
  gkr-prove -q -i "$TMP/tail.trace" -o "$TMP/tail.proof"
  run verify -q -i "$TMP/tail.proof"
  assert_success
  run --separate-stderr onnx2graph -q --hf "$HF/llama" --seq 8 --layers 1:5 -o "$TMP/x.graph"
  assert_failure 2
  [[ "$stderr" == *"--layers 1:5 is not a non-empty range of the 2 layers"* ]] || fail "$stderr"
  [ ! -e "$TMP/x.graph" ]
}

# refused MESSAGE ARGS…: onnx2graph exits 2 with one "onnx2graph: error:" line containing MESSAGE
# and writes nothing.
refused() {
  local message=$1
  shift
  rm -f "$TMP/out.graph"
  run --separate-stderr onnx2graph -q "$@" -o "$TMP/out.graph"
  assert_failure 2
  [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$stderr"
  [[ "$stderr" == "onnx2graph: error: "*"$message"* ]] || fail "$stderr"
  [ ! -e "$TMP/out.graph" ] || fail "output written"
}

# bad_checkpoint PYTHON: a copy of the gpt2 checkpoint in $TMP/bad whose model.safetensors PYTHON
# rewrites (variables: raw (bytes), header (dict), data (bytes); it sets `raw`).
bad_checkpoint() {
  rm -rf "$TMP/bad"
  cp -r "$HF/gpt2" "$TMP/bad"
  /usr/bin/python3 - "$TMP/bad/model.safetensors" "$1" <<'PY'
import json, struct, sys
path, edit = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
def pack(h, d):
    text = json.dumps(h).encode()
    return struct.pack('<Q', len(text)) + text + d
exec(edit)
open(path, 'wb').write(raw)
PY
}

@test "--hf bad input: lying headers, truncated file, unknown architecture, missing --seq → one line, exit 2, no output" {
  refused "--hf needs --seq N" --hf "$HF/gpt2"
  bad_checkpoint "header['transformer.wte.weight']['shape'] = [101, 33]; raw = pack(header, data)"
  refused "transformer.wte.weight" --hf "$TMP/bad" --seq 8
  bad_checkpoint "header['transformer.ln_f.bias']['dtype'] = 'F64'; raw = pack(header, data)"
  refused "transformer.ln_f.bias" --hf "$TMP/bad" --seq 8
  bad_checkpoint "raw = raw[:len(raw) - 100]"
  refused "model.safetensors" --hf "$TMP/bad" --seq 8
  bad_checkpoint "raw = raw[:4]"
  refused "model.safetensors" --hf "$TMP/bad" --seq 8
  rm -rf "$TMP/bad" && cp -r "$HF/gpt2" "$TMP/bad"
  jq '.model_type = "falcon"' "$HF/gpt2/config.json" > "$TMP/bad/config.json"
  refused "not supported: model_type 'falcon'" --hf "$TMP/bad" --seq 8
  jq '.n_embd = 64' "$HF/gpt2/config.json" > "$TMP/bad/config.json"
  refused "checkpoint tensor 'transformer.wte.weight' has shape [101, 32], config.json implies [101, 64]" --hf "$TMP/bad" --seq 8
  rm "$TMP/bad/config.json"
  refused "no config.json" --hf "$TMP/bad" --seq 8
  refused "exceeds the model's 16 positions" --hf "$HF/gpt2" --seq 17
  refused "--seq, --layers and --no-head apply to --hf only" "$HF/gpt2.onnx" --seq 8
}
