#!/usr/bin/env bats
# gkr-prove's cache of model commitments and weight certificates: the second proof reloads both,
# proofs are byte-identical with, without and from the cache, and a damaged cache file is ignored (one
# warning), recomputed and rewritten.

load common

setup() {
  TMP=$(mktemp -d)
  export XDG_CACHE_HOME="$TMP/xdg"
  onnx2graph -q "$SHARED/mlp_digits.onnx" -o "$TMP/m.graph" 2>/dev/null || skip "shared model mlp_digits not present"
  graph-forward -q --input "$SHARED/mlp_digits.input.json" --graph "$TMP/m.graph" -o "$TMP/run.trace"
}

teardown() { rm -rf "$TMP"; }

@test "second run is cached, proofs identical with and without the cache" {
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/a.proof"
  assert_success
  [[ "$stderr" == *"weight commitment: computed"* ]] || fail "$stderr"
  [ "$(stat -c %a "$XDG_CACHE_HOME/zkm31")" = 700 ] || fail "cache dir mode $(stat -c %a "$XDG_CACHE_HOME/zkm31")"
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/b.proof"
  assert_success
  [[ "$stderr" == *"weight commitment: cached"* ]] || fail "$stderr"
  run --separate-stderr gkr-prove --no-cache -i "$TMP/run.trace" -o "$TMP/c.proof"
  [[ "$stderr" == *"weight commitment: computed"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/b.proof"
  cmp "$TMP/a.proof" "$TMP/c.proof"
  run --separate-stderr verify -i "$TMP/b.proof"
  assert_success
}

@test "--cache-dir is used instead of XDG_CACHE_HOME; --commit-model shares the cache" {
  gkr-prove -q --cache-dir "$TMP/own" -i "$TMP/run.trace" -o "$TMP/a.proof"
  [ -n "$(ls "$TMP/own"/*.commitment)" ]
  [ ! -e "$XDG_CACHE_HOME/zkm31" ]
  run --separate-stderr gkr-prove --cache-dir "$TMP/own" --commit-model -i "$TMP/m.graph"
  assert_success
  [ "$output" = "$(gkr-prove --no-cache --commit-model -i "$TMP/m.graph")" ]
}

@test "a corrupted or truncated cache file is ignored with a warning and still gives a valid proof" {
  gkr-prove -q -i "$TMP/run.trace" -o "$TMP/a.proof"
  header=$(ls "$XDG_CACHE_HOME"/zkm31/*.commitment)
  file=${header%.commitment}.codeword
  [ "$(stat -c %s "$file")" -gt 30004 ]
  cp "$file" "$TMP/good"
  cp "$header" "$TMP/good-header"
  printf '\xff\xff\xff\xff' | dd of="$file" bs=1 seek=30000 conv=notrunc status=none
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/b.proof"
  assert_success
  [[ "$stderr" == *"warning: weight-commitment cache: ignoring"* ]] || fail "$stderr"
  [[ "$stderr" == *"weight commitment: computed"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/b.proof"
  cmp "$file" "$TMP/good"
  run --separate-stderr verify -i "$TMP/b.proof"
  assert_success
  head -c 1000 "$TMP/good" >"$file"
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/c.proof"
  assert_success
  [[ "$stderr" == *"ignoring"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/c.proof"
  head -c 60 "$TMP/good-header" >"$header"
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/c.proof"
  assert_success
  [[ "$stderr" == *"ignoring"* ]] || fail "$stderr"
  cmp "$header" "$TMP/good-header"
  cmp "$TMP/a.proof" "$TMP/c.proof"
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/d.proof"
  [[ "$stderr" == *"weight commitment: cached"* ]] || fail "$stderr"
  [[ "$stderr" != *"warning"* ]] || fail "$stderr"
}

@test "the weight certificate is cached beside the weight commitment; a damaged one is recomputed" {
  run --separate-stderr gkr-prove --json -i "$TMP/run.trace" -o "$TMP/a.proof"
  assert_success
  [ "$(jq .certificate_cached <<<"$output")" = false ] || fail "$output"
  [[ "$stderr" == *"weight certificate: computed"* ]] || fail "$stderr"
  file=$(ls "$XDG_CACHE_HOME"/zkm31/*.certificate)
  [ "$(stat -c %a "$file")" = 600 ] || fail "mode $(stat -c %a "$file")"
  cp "$file" "$TMP/good"
  run --separate-stderr gkr-prove --json -i "$TMP/run.trace" -o "$TMP/b.proof"
  [ "$(jq .certificate_cached <<<"$output")" = true ] || fail "$output"
  [[ "$stderr" == *"weight certificate: cached"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/b.proof"
  printf '\x00\x11\x22\x33' | dd of="$file" bs=1 seek=5000 conv=notrunc status=none
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/c.proof"
  assert_success
  [[ "$stderr" == *"warning: weight-certificate cache: ignoring"* ]] || fail "$stderr"
  [ "$(grep -c warning <<<"$stderr")" -eq 1 ] || fail "$stderr"
  [[ "$stderr" == *"weight certificate: computed"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/c.proof"
  cmp "$file" "$TMP/good"
  run --separate-stderr verify -i "$TMP/c.proof"
  assert_success
  run --separate-stderr gkr-prove --no-cache -i "$TMP/run.trace" -o "$TMP/d.proof"
  [[ "$stderr" == *"weight certificate: computed"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/d.proof"
  # A certificate as version 1 wrote it (protocol v1, the weight root under "model_commitment") is not reused.
  /usr/bin/python3 -c '
import sys, msgpack, xxhash
env = msgpack.unpackb(open(sys.argv[1], "rb").read(), raw=False)
body = msgpack.unpackb(env["body"], raw=False)
body["protocol"] = "zkm31/weight-certificate/v1"
body["model_commitment"] = body.pop("weight_root")
env["version"], env["body"] = 1, msgpack.packb(body, use_bin_type=True)
env["checksum"] = xxhash.xxh3_128_digest(env["body"])
open(sys.argv[1], "wb").write(msgpack.packb(env, use_bin_type=True))' "$file"
  run --separate-stderr gkr-prove -i "$TMP/run.trace" -o "$TMP/e.proof"
  assert_success
  [[ "$stderr" == *"warning: weight-certificate cache: ignoring"* ]] || fail "$stderr"
  [[ "$stderr" == *"weight certificate: computed"* ]] || fail "$stderr"
  cmp "$TMP/a.proof" "$TMP/e.proof"
  cmp "$file" "$TMP/good"
}
