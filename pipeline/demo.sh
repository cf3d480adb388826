#!/usr/bin/env bash
# `make demo`: import the project's bundled digits model (tests/data/conv_small.onnx, a small CNN
# trained on the sklearn digits), run it on a held-out test digit, prove the inference and verify
# the proof; prints the verified class, the model commitment, the timings and the proof size.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need onnx2graph graph-forward gkr-prove verify jq
make_tmp
data="$ZKM31_ROOT/tests/data"
model="$data/conv_small.onnx"
[ -f "$model" ] || die "bundled model missing: $model (make models regenerates it)"
index=${DEMO_INDEX:-0}
jq -c --argjson i "$index" '{name: "input", shape: [1, 1, 8, 8], data: .X[$i]}' "$data/digits_test.json" > "$TMP/x.json"
label=$(jq --argjson i "$index" '.y[$i]' "$data/digits_test.json")

echo "== zkm31 demo: $(basename "$model") on test digit #$index (label $label)"
t0=$(now)
onnx2graph -q --calibrate "$data/digits_calib_cnn.json" "$model" -o "$TMP/model.graph"
t1=$(now)
graph-forward -q --input "$TMP/x.json" --graph "$TMP/model.graph" -o "$TMP/run.trace"
t2=$(now)
gkr-prove -q -i "$TMP/run.trace" -o "$TMP/run.proof"
t3=$(now)
verify -q --json -i "$TMP/run.proof" --graph "$TMP/model.graph" > "$TMP/verified.json"
t4=$(now)

class=$(jq '.outputs[0].values | to_entries | max_by(.value) | .key' "$TMP/verified.json")
echo "verified class:    $class (label $label)"
echo "verified logits:   $(jq -c '.outputs[0].values' "$TMP/verified.json")"
echo "model commitment:  $(jq -r .model_commitment "$TMP/verified.json")"
echo "graph digest:      $(jq -r .graph_digest "$TMP/verified.json")"
echo "security:          $(jq -r .security_bits.conjectured "$TMP/verified.json") conjectured bits, $(jq -r '.security_bits.provable | floor' "$TMP/verified.json") provable"
echo "proof size:        $(stat -c %s "$TMP/run.proof") bytes"
echo "timings:           import $(elapsed "$t0" "$t1") s, forward $(elapsed "$t1" "$t2") s, prove $(elapsed "$t2" "$t3") s, verify $(elapsed "$t3" "$t4") s"
