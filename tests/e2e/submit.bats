#!/usr/bin/env bats
# submit end to end against tests/starknet/rpc_server.py (a local JSON-RPC stand-in on 127.0.0.1)
# and the request bodies starknet.js sent in tests/starknet/vectors.json.

load common

setup() {
  VEC="$ROOT/tests/starknet/vectors.json"
  jq -r '.rpc_explicit.private_key' "$VEC" > "$BATS_TEST_TMPDIR/key"
  SERVER_PID=
}

teardown() { stop_server; }

# The call starknet.js made: verify_proof(1, 2, 3) on 0x7e5 from account 0xacc0.
invoke_args() {
  echo --private-key-file "$BATS_TEST_TMPDIR/key" --account 0xacc0 --contract 0x7e5 --function verify_proof
}
explicit_args() {
  echo --nonce 5 --chain-id SN_SEPOLIA --l1-gas 0,0x3b9aca00 --l2-gas 0x100000,0x2540be400 --l1-data-gas 0x200,0x5f5e100
}

tx_hash_of_body() {  # the INVOKE object of a request body + chain id → its hash
  jq -c '.params.invoke_transaction + {chain_id: "SN_SEPOLIA"}' | submit tx-hash
}

@test "submit: dry-run body is byte-identical to starknet.js's (explicit nonce, chain id, bounds)" {
  run bash -c "printf '0x1\n0x2\n0x3\n' | submit invoke --rpc http://127.0.0.1:9/unused $(invoke_args) $(explicit_args) --dry-run -q"
  assert_success
  assert_output "$(jq -r '.rpc_explicit.requests[0].body' "$VEC")"
}

@test "submit: fee estimation and nonce from the node match starknet.js's requests" {
  start_server success
  run bash -c "printf '[\"0x1\",\"0x2\",\"0x3\"]' | submit invoke --rpc $RPC $(invoke_args) --dry-run -q"
  assert_success
  # The final invoke body equals starknet.js's (same JSON, ignoring the request id and key order).
  want=$(jq -r '.rpc_estimated.requests[-1].body' "$VEC" | jq -S 'del(.id)')
  got=$(echo "$output" | jq -S 'del(.id)')
  [ -n "$want" ] && [ -n "$got" ]
  [ "$got" = "$want" ] || fail "invoke body differs: $got"
  # starknet_estimateFee request equals starknet.js's.
  want_est=$(jq -r '.rpc_estimated.requests[] | select(.method == "starknet_estimateFee") | .body' "$VEC" | jq -S 'del(.id)')
  got_est=$(grep '"starknet_estimateFee"' "$BATS_TEST_TMPDIR/requests.log" | jq -S 'del(.id)')
  [ -n "$want_est" ] && [ -n "$got_est" ]
  [ "$got_est" = "$want_est" ] || fail "estimateFee body differs: $got_est"
  grep -q '"starknet_chainId"' "$BATS_TEST_TMPDIR/requests.log"
  grep -q '"starknet_getNonce"' "$BATS_TEST_TMPDIR/requests.log"
  ! grep -q '"starknet_addInvokeTransaction"' "$BATS_TEST_TMPDIR/requests.log"
}

@test "submit: sends the transaction and waits for a successful receipt" {
  hash=$(printf '1 2 3' | submit invoke --rpc http://127.0.0.1:9/unused $(invoke_args) $(explicit_args) --dry-run -q | tx_hash_of_body)
  start_server success --tx-hash "$hash" --pending 2
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args) --wait --poll 0.05 --timeout 20"
  assert_success
  assert_line "$hash"
  assert_output --partial "succeeded (ACCEPTED_ON_L2)"
  refute_output --partial "warning"
  [ "$(grep -c '"starknet_getTransactionReceipt"' "$BATS_TEST_TMPDIR/requests.log")" -eq 3 ]
  # What was sent is what --dry-run shows.
  sent=$(grep '"starknet_addInvokeTransaction"' "$BATS_TEST_TMPDIR/requests.log")
  [ "$sent" = "$(jq -r '.rpc_explicit.requests[0].body' "$VEC")" ] || fail "sent body differs: $sent"
}

@test "submit: a reverted receipt exits 1 with the revert reason" {
  start_server reverted --pending 0
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args) --wait --poll 0.05 --timeout 20 --json"
  assert_failure 1
  assert_output --partial "reverted: Error in the called contract: assertion failed: 'bad proof'"
  assert_output --partial '"status":"REVERTED"'
}

@test "submit: no receipt before --timeout exits 3" {
  start_server timeout
  SECONDS=0
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args) --wait --poll 0.1 --timeout 1.5"
  assert_failure 3
  assert_output --partial "no receipt within 1.5 s"
  [ "$SECONDS" -lt 10 ]
}

@test "submit: a node JSON-RPC error is shown with code and message, exit 2" {
  start_server node-error
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args)"
  assert_failure 2
  assert_output --partial "node error 55: Account validation failed (invalid signature)"
}

@test "submit: HTTP failure and unreachable node exit 3" {
  start_server http-error
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args)"
  assert_failure 3
  assert_output --partial "HTTP 503"
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  run bash -c "printf '1 2 3' | submit invoke --rpc http://127.0.0.1:$port/ $(invoke_args) $(explicit_args)"
  assert_failure 3
  assert_output --partial "network"
}

@test "submit: the private key is never printed" {
  key=$(cat "$BATS_TEST_TMPDIR/key")
  start_server node-error
  run bash -c "printf '1 2 3' | submit invoke --rpc $RPC $(invoke_args) $(explicit_args) --json"
  refute_output --partial "${key#0x}"
  ! grep -q "${key#0x}" "$BATS_TEST_TMPDIR/requests.log"
  run bash -c "STARKNET_PRIVATE_KEY=0x${key#0x}zz submit public-key"
  assert_failure 2
  refute_output --partial "${key#0x}"
}

@test "submit: bad input is refused with exit 2" {
  run bash -c "printf '1 2 3' | submit invoke --rpc http://127.0.0.1:9/ $(invoke_args) --nonce 5 --chain-id SN_SEPOLIA --l1-gas 1,1 --dry-run"
  assert_failure 2
  assert_output --partial "give all of --l1-gas, --l2-gas and --l1-data-gas, or none"
  run bash -c "printf '0x800000000000011000000000000000000000000000000000000000000000001' | submit invoke --rpc http://127.0.0.1:9/ $(invoke_args) $(explicit_args) --dry-run"
  assert_failure 2
  assert_output --partial "not below the modulus"
  run bash -c "printf '1' | submit invoke --rpc ftp://x $(invoke_args) $(explicit_args)"
  assert_failure 2
  run bash -c "printf '1' | env -u STARKNET_PRIVATE_KEY submit invoke --rpc http://127.0.0.1:9/ --account 0x1 --contract 0x2 --function f $(explicit_args)"
  assert_failure 2
  assert_output --partial "no private key"
}

@test "submit: public-key, sign and tx-hash match starknet.js" {
  for i in 0 3 7; do
    v=$(jq -c ".ecdsa[$i]" "$VEC")
    jq -r '.private_key' <<<"$v" > "$BATS_TEST_TMPDIR/k"
    run submit public-key --private-key-file "$BATS_TEST_TMPDIR/k"
    assert_success
    assert_output "$(jq -r '.stark_key' <<<"$v")"
    run submit sign "$(jq -r '.msg_hash' <<<"$v")" --private-key-file "$BATS_TEST_TMPDIR/k"
    assert_success
    assert_output "$(jq -r '.r, .s' <<<"$v")"
  done
  for i in 0 5 11 13; do
    v=$(jq -c ".invoke_v3[$i]" "$VEC")
    run bash -c "jq -c 'del(.chain, .hash)' <<<'$v' | submit tx-hash"
    assert_success
    assert_output "$(jq -r '.hash' <<<"$v")"
  done
  run bash -c "echo '{\"sender_address\": \"0x1\"}' | submit tx-hash --chain-id SN_MAIN"
  assert_failure 2
}

@test "submit: calldata output pipes into submit (hex lines and --json)" {
  run bash -c "calldata u256 0x100000000000000000000000000000005 | submit invoke --rpc http://127.0.0.1:9/ $(invoke_args) $(explicit_args) --dry-run -q"
  assert_success
  [ "$(jq -c '.params.invoke_transaction.calldata' <<<"$output")" = '["0x1","0x7e5","0x821b8b00fd9e4b2b57538b4571c0227e80f5dbdbfef0628722b3f06f3188","0x2","0x5","0x1"]' ]
  run bash -c "calldata byte-array hi --json | submit invoke --rpc http://127.0.0.1:9/ $(invoke_args) $(explicit_args) --dry-run -q"
  assert_success
  [ "$(jq -c '.params.invoke_transaction.calldata[3:]' <<<"$output")" = '["0x3","0x0","0x6869","0x2"]' ]
}
