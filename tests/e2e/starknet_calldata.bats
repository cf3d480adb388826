#!/usr/bin/env bats
# calldata utilities end to end against the starknet.js vectors in tests/starknet/vectors.json.

load common

setup() {
  VEC="$ROOT/tests/starknet/vectors.json"
}

@test "calldata selector: sn_keccak of names, one per line or --json" {
  run calldata selector __execute__ transfer verify_proof
  assert_success
  assert_output "$(jq -r '.selectors[] | select(.name == "__execute__" or .name == "transfer" or .name == "verify_proof") | .selector' "$VEC")"
  run calldata selector transfer --json
  assert_success
  assert_output "[\"$(jq -r '.selectors[] | select(.name == "transfer") | .selector' "$VEC")\"]"
}

@test "calldata hash poseidon / poseidon-pair / pedersen / pedersen-array match starknet.js" {
  for i in 0 4 7; do
    run calldata hash poseidon $(jq -r ".poseidon_many[$i].input[]" "$VEC")
    assert_success
    assert_output "$(jq -r ".poseidon_many[$i].hash" "$VEC")"
  done
  run calldata hash poseidon-pair $(jq -r '.poseidon_pair[9] | .x, .y' "$VEC")
  assert_output "$(jq -r '.poseidon_pair[9].hash' "$VEC")"
  run calldata hash pedersen $(jq -r '.pedersen_pair[8] | .x, .y' "$VEC")
  assert_output "$(jq -r '.pedersen_pair[8].hash' "$VEC")"
  run calldata hash pedersen-array $(jq -r '.pedersen_on_elements[3].input[]' "$VEC")
  assert_output "$(jq -r '.pedersen_on_elements[3].hash' "$VEC")"
}

@test "calldata short-string, byte-array and u256 match starknet.js" {
  run calldata short-string SN_SEPOLIA
  assert_output "$(jq -r '.short_strings[] | select(.text == "SN_SEPOLIA") | .felt' "$VEC")"
  text=$(jq -r '.byte_arrays[7].text' "$VEC")
  run calldata byte-array "$text"
  assert_output "$(jq -r '.byte_arrays[7].calldata[]' "$VEC")"
  run calldata u256 "$(jq -r '.u256[5].value' "$VEC")"
  assert_output "$(jq -r '.u256[5] | .low, .high' "$VEC")"
}

@test "calldata: inputs >= P, long short strings and bad proofs are refused with exit 2" {
  run calldata hash poseidon 1 0x800000000000011000000000000000000000000000000000000000000000001
  assert_failure 2
  assert_output --partial "not below the modulus"
  run calldata short-string "$(printf 'x%.0s' $(seq 32))"
  assert_failure 2
  assert_output --partial "longer than 31"
  run calldata u256 0x1$(printf '0%.0s' $(seq 64))
  assert_failure 2
  run bash -c "echo 'not an artifact' | calldata"
  assert_failure 2
  assert_output --partial "error:"
}
