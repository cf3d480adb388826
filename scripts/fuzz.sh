#!/usr/bin/env bash
# `make fuzz`: seeds every libFuzzer harness from the project's own files (the test models and the
# artifacts the tools make from them), runs each for SECONDS with a 1 GB memory limit and a timeout
# per input, and prints executions and crashes per harness. The corpora grow across runs in
# FUZZ_BUILD/corpus; crashing inputs land in FUZZ_BUILD/crashes. With RUNS set in the environment
# each harness runs that many executions instead (SECONDS is then ignored).
# Usage: [RUNS=N] scripts/fuzz.sh BUILD FUZZ_BUILD SECONDS [HARNESS…]
set -uo pipefail
build=$1 fuzz_build=$2 seconds=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/$build/bin" harnesses="$root/$fuzz_build/fuzz"
seeds="$root/$fuzz_build/seeds" corpus="$root/$fuzz_build/corpus" crashes="$root/$fuzz_build/crashes"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg"
data=tests/data

rm -rf "$seeds"
for h in "$harnesses"/fuzz_*; do mkdir -p "$seeds/${h##*/fuzz_}"; done
seed() { cp "$2" "$seeds/$1/"; }  # seed HARNESS FILE

# Artifacts of the small test models: graphs, traces, proofs, and the cache's commitment and certificate.
for m in mlp_sigmoid conv_small tiny_block; do
  "$bin/onnx2graph" -q "$data/$m.onnx" -o "$tmp/$m.graph" || exit 1
  "$bin/graph-forward" -q --input "$data/$m.input.json" --graph "$tmp/$m.graph" -o "$tmp/$m.trace" || exit 1
  for h in graph envelope; do seed $h "$tmp/$m.graph"; done
  for h in trace envelope; do seed $h "$tmp/$m.trace"; done
done
"$bin/gkr-prove" -q --cache-dir "$tmp/cache" -i "$tmp/mlp_sigmoid.trace" -o "$tmp/mlp_sigmoid.proof" || exit 1
for h in proof calldata envelope; do seed $h "$tmp/mlp_sigmoid.proof"; done
# STARK artifacts: small examples (one component; two tied by LogUp) and an air-trace.
for ex in fibonacci range; do
  "$bin/stark-prove" -q --queries 76 --pow-bits 20 --example $ex --log-rows 3 --save-trace "$tmp/$ex.air" \
    -o "$tmp/$ex.stark" || exit 1
  for h in stark_proof calldata envelope; do seed $h "$tmp/$ex.stark"; done
done
for h in air_trace envelope; do seed $h "$tmp/fibonacci.air"; done  # the range one holds the 2^16 table
# VM31: a deposit's witness file and proof, and a batch of two deposits.
addr=$(VM31_PASSWORD=fuzz "$bin/vm31" keygen --wallet "$tmp/wallet") || exit 1
"$bin/vm31" -q deposit --to "$addr" --asset 1 --amount 5 -o "$tmp/deposit.tx" || exit 1
"$bin/vm31" -q deposit --to "$addr" --asset 1 --amount 5 --prove -o "$tmp/deposit.proof" || exit 1
for h in vm31_tx envelope; do seed $h "$tmp/deposit.tx"; done
"$bin/vm31" -q prove-deposits -o "$tmp/deposits.proof" "$tmp/deposit.tx" "$tmp/deposit.tx" || exit 1
for h in vm31_proof envelope; do seed $h "$tmp/deposit.proof"; seed $h "$tmp/deposits.proof"; done
for f in "$tmp"/cache/*.certificate; do seed certificate "$f"; seed envelope "$f"; done
# The first felts only: a seed sets the largest input size, and the whole calldata is 400 kB.
"$bin/calldata" -q -i "$tmp/mlp_sigmoid.proof" | head -n 40 >"$tmp/calldata.txt" && seed felt_text "$tmp/calldata.txt"
ZKM31_FUZZ_SEED_OUT="$seeds/pcs_commitment" "$harnesses/fuzz_pcs_commitment" -runs=0 >/dev/null 2>&1
# Models up to 256 kB: a seed sets libFuzzer's largest input, and one import of a 2 MB model takes seconds.
for f in "$data"/*.onnx; do [ "$(stat -c %s "$f")" -le 262144 ] && seed onnx "$f"; done
for f in "$data"/*.input.json; do seed input_json "$f"; done
for f in "$data"/digits_calib_*.json; do seed calibration_json "$f"; done
for f in tests/fuzz/seeds/rpc/*; do seed rpc "$f"; done
for f in tests/fuzz/seeds/felt_text/*; do seed felt_text "$f"; done
# SafeTensors files: every dtype, a scalar, an empty tensor, metadata, the unaligned data after an I8.
python3 - "$seeds/safetensors" <<'EOF'
import json, struct, sys
def write(path, tensors, metadata=None):
    header, data = {}, b""
    if metadata: header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)
d = sys.argv[1]
write(d + "/all_dtypes.safetensors", [
    ("i8", "I8", [3], struct.pack("<3b", -1, 0, 1)),
    ("f32", "F32", [2, 2], struct.pack("<4f", 1.5, -2, 0, 3)),
    ("f16", "F16", [4], struct.pack("<4H", 0x3c00, 0xc000, 0x0001, 0x7c00)),
    ("bf16", "BF16", [1, 3], struct.pack("<3H", 0x3f80, 0xc0a0, 0)),
    ("i32", "I32", [2], struct.pack("<2i", -7, 1 << 20)),
    ("i64", "I64", [], struct.pack("<q", -3)),
    ("empty", "F32", [0, 4], b""),
], {"format": "pt"})
write(d + "/one.safetensors", [("w", "F32", [1], struct.pack("<f", 1))])
EOF

[ -f "$seeds/certificate/$(ls "$seeds/certificate" | head -n 1)" ] || { echo "fuzz: no certificate seed" >&2; exit 1; }
export ZKM31_FUZZ_PROOF="$tmp/mlp_sigmoid.proof"
runs=${RUNS:-}
if [ -n "$runs" ]; then budget=(-runs="$runs"); else budget=(-max_total_time="$seconds"); fi
status=0
selected=("$@")
[ ${#selected[@]} -eq 0 ] && for h in "$harnesses"/fuzz_*; do selected+=("${h##*/fuzz_}"); done
printf '%-18s %12s %10s %8s\n' harness executions exec/s crashes
for h in "${selected[@]}"; do
  mkdir -p "$corpus/$h" "$crashes"
  rm -f "$crashes/$h-"*
  log="$root/$fuzz_build/$h.log"
  start=$SECONDS
  "$harnesses/fuzz_$h" "${budget[@]}" -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/$h-" "$corpus/$h" "$seeds/$h" >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  took=$(( SECONDS - start ))
  rate=$(( ${execs:-0} / (took > 0 ? took : 1) ))
  found=$(find "$crashes" -name "$h-*" | wc -l)
  [ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1  # died before writing its input (e.g. in start-up)
  printf '%-18s %12s %10s %8s\n' "$h" "${execs:-0}" "${rate:-0}" "$found"
  [ "$found" -ne 0 ] && status=1
done
[ $status -ne 0 ] && echo "fuzz: crashing inputs in $crashes (logs: $fuzz_build/<harness>.log)" >&2
exit $status
