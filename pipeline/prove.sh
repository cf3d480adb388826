#!/usr/bin/env bash
# prove.sh MODEL.onnx INPUT.json [OUT.proof] — import, run, prove and verify one inference:
#   onnx2graph MODEL.onnx | graph-forward --input INPUT.json | gkr-prove > OUT.proof; verify < OUT.proof
# Extra onnx2graph flags go in $ONNX2GRAPH_FLAGS (e.g. "--calibrate samples.json").
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: prove.sh MODEL.onnx INPUT.json [OUT.proof]"
model=$1 input=$2 out=${3:-${1%.onnx}.proof}
[ -f "$model" ] || die "no such model: $model"
[ -f "$input" ] || die "no such input: $input"
need onnx2graph graph-forward gkr-prove verify
make_tmp
# shellcheck disable=SC2086
onnx2graph -q ${ONNX2GRAPH_FLAGS:-} "$model" -o "$TMP/model.graph"
graph-forward -q --input "$input" --graph "$TMP/model.graph" -o "$TMP/run.trace"
gkr-prove -i "$TMP/run.trace" -o "$out"
verify -i "$out" --graph "$TMP/model.graph"
