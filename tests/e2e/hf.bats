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
  (( $(echo "$output < 0.05" | bc) )) || fail "relative L2 $output"
  for tensor in "/Gather_output_0" "/Add_output_0:sum"; do
    $EDIT trace "$TMP/run.trace" "$TMP/bad.trace" "$tensor" 2
    rm -f "$TMP/bad.proof"
    if gkr-prove -q -i "$TMP/bad.trace" -o "$TMP/bad.proof" 2>"$TMP/err"; then
      run verify -q -i "$TMP/bad.proof"
      assert_failure 1
    else
      [ $? -eq 2 ] || fail "gkr-prove crashed on $tensor: $(cat "$TMP/err")"
    fi
  done
  # Other learned positions (weight 1, after the token table) under the same trace values.
  $EDIT weight "$TMP/run.trace" "$TMP/bad.trace" 1 3 -77
  run --separate-stderr gkr-prove -q -i "$TMP/bad.trace" -o "$TMP/bad.proof"
  assert_failure 2
  [[ "$stderr" == *"add /Add: Y(ρ) != A(ρ) ± B(ρ)"* ]] || fail "$stderr"
  [ ! -e "$TMP/bad.proof" ]
}
