#!/usr/bin/env bats
# vm31: wallets (permissions, passwords, damage), addresses and viewing keys, the transaction
# builders' refusals, and two wallets through deposit → transfer → scan → withdraw with proofs
# applied to a pool; replayed, double-spent and tampered proofs rejected with the pool unchanged.
# (A stale root needs 64 applied transactions: tests/unit/vm31 checks it.)

load common

setup() {
  TMP="$BATS_TEST_TMPDIR"
  cd "$TMP"
  export VM31_PASSWORD="correct horse"
  mkdir -p pool
  SERVER_PID=
}

teardown() { stop_server; }

# flip_byte FILE OFFSET: one bit of the file changed in place.
flip_byte() {
  /usr/bin/python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$1" "$2"
}

# one_error TOOL_OUTPUT PATTERN: a single "vm31: error:" line matching PATTERN.
one_error() {
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || fail "more than one line: $output"
  [[ "$output" == "vm31: error: "*$1* ]] || fail "unexpected: $output"
}

@test "keygen: 0700 directory, 0600 wallet, the address printed again by address" {
  run vm31 keygen --wallet w
  assert_success
  [[ "$output" =~ ^vm31:[0-9a-f]{104}$ ]] || fail "$output"
  addr=$output
  [ "$(stat -c %a w)" = 700 ]
  [ "$(stat -c %a w/wallet)" = 600 ]
  run vm31 address --wallet w
  assert_output "$addr"
  run vm31 keygen --wallet w
  assert_failure 2
  one_error "already holds a wallet"
  # Two wallets, two addresses.
  run vm31 keygen --wallet w2
  [ "$output" != "$addr" ]
}

@test "passwords: wrong, missing, from a file; never taken from the command line" {
  vm31 keygen --wallet w >/dev/null
  VM31_PASSWORD=wrong run vm31 address --wallet w
  assert_failure 2
  one_error "wrong password"
  run env -u VM31_PASSWORD vm31 address --wallet w
  assert_failure 2
  one_error "no password"
  printf 'correct horse\n' > pw
  run env -u VM31_PASSWORD vm31 --password-file pw address --wallet w
  assert_success
  run vm31 address --wallet w --password "correct horse"
  assert_failure
  VM31_PASSWORD= run vm31 keygen --wallet empty
  assert_failure 2
  one_error "password is empty"
}

@test "damaged or exposed wallets are refused with one line, never a crash" {
  vm31 keygen --wallet w >/dev/null
  cp w/wallet good
  for offset in 0 9 30 60 80 111; do
    cp good w/wallet
    flip_byte w/wallet $offset
    run vm31 address --wallet w
    assert_failure 2
    one_error "corrupted wallet"
  done
  head -c 50 good > w/wallet
  run vm31 address --wallet w
  assert_failure 2
  one_error "corrupted wallet"
  cp good w/wallet
  chmod 644 w/wallet
  run vm31 address --wallet w
  assert_failure 2
  one_error "mode 644"
  chmod 600 w/wallet
  chmod 755 w
  run vm31 address --wallet w
  assert_failure 2
  one_error "mode 755"
  chmod 700 w
  run vm31 address --wallet w
  assert_success
  run vm31 address --wallet missing
  assert_failure 2
}

@test "viewing keys: written 0600, never printed, read by scan and balance instead of the wallet" {
  vm31 keygen --wallet w >/dev/null
  run vm31 viewing-key --wallet w -o vk
  assert_success
  [ "$(stat -c %a vk)" = 600 ]
  grep -q '^vm31view:[0-9a-f]\{104\}$' vk
  [[ "$output" != *"$(cat vk)"* ]] || fail "viewing key printed"
  run vm31 balance --viewing-key vk --pool pool
  assert_success
  run vm31 -q --json scan --viewing-key vk --pool pool
  assert_output "[]"
  run vm31 balance --wallet w --viewing-key vk --pool pool
  assert_failure 2
  one_error "exactly one of"
  chmod 644 vk
  run vm31 scan --viewing-key vk --pool pool
  assert_failure 2
  printf 'vm31view:00\n' > vk2 && chmod 600 vk2
  run vm31 scan --viewing-key vk2 --pool pool
  assert_failure 2
  one_error "viewing key has"
  run vm31 scan --wallet w --pool no-such-pool
  assert_failure 2
  one_error "does not exist"
}

@test "deposit: a 0600 transaction file; bad address, amount or asset refused with nothing written" {
  addr=$(vm31 keygen --wallet w)
  run vm31 deposit --to "$addr" --asset 1 --amount 1000 -o d.tx
  assert_success
  [ "$(stat -c %a d.tx)" = 600 ]
  c=${addr:10:1}
  [ "$c" = a ] && d=b || d=a
  run vm31 deposit --to "${addr:0:10}$d${addr:11}" --asset 1 --amount 1 -o bad.tx
  assert_failure 2
  one_error "checksum"
  run vm31 deposit --to "${addr:0:50}" --asset 1 --amount 1 -o bad.tx
  assert_failure 2
  one_error "hex digits"
  run vm31 deposit --to "$addr" --asset 1 --amount 576460752303423488 -o bad.tx
  assert_failure 2
  one_error "above the maximum"
  run vm31 deposit --to "$addr" --asset 2147483647 --amount 1 -o bad.tx
  assert_failure 2
  one_error "asset id"
  run vm31 deposit --to "$addr" --asset 1 --amount 0 -o bad.tx
  assert_failure 2
  one_error "zero"
  [ ! -e bad.tx ]
}

@test "transfer and withdraw from an empty pool: insufficient funds, nothing written" {
  addr=$(vm31 keygen --wallet w)
  run vm31 transfer --wallet w --pool pool --to "$addr" --asset 1 --amount 5 --relayer 0x1 -o t.tx
  assert_failure 2
  one_error "insufficient funds"
  run vm31 withdraw --wallet w --pool pool --asset 1 --amount 5 --recipient 0x2 -o t.tx
  assert_failure 2
  one_error "insufficient funds"
  [ ! -e t.tx ]
}

# pool_unchanged: the pool log is what it was at the last `snapshot`.
snapshot() { cp pool/log log.before; }
pool_unchanged() { cmp -s pool/log log.before || fail "the pool log changed"; }

@test "two wallets: deposit, transfer with a relayer fee, scan, withdraw; balances right" {
  a=$(vm31 keygen --wallet alice)
  b=$(vm31 keygen --wallet bob)
  vm31 -q deposit --to "$a" --asset 1 --amount 100 --prove -o d1.proof
  vm31 -q deposit --to "$a" --asset 1 --amount 60 -o d2.tx
  [ "$(stat -c %a d2.tx)" = 600 ]
  vm31 -q prove -i d2.tx -o d2.proof
  run vm31 apply --pool pool d1.proof d2.proof
  assert_success
  run vm31 balance --wallet alice --pool pool
  assert_line "asset 1: 160"
  vm31 -q transfer --wallet alice --pool pool --to "$b" --asset 1 --amount 120 --fee 2 --relayer 0xfee --prove -o t.proof
  vm31 -q apply --pool pool t.proof
  run vm31 -q balance --wallet alice --pool pool
  assert_output "asset 1: 38"
  run vm31 -q --json scan --wallet bob --pool pool
  assert_output --partial '"amount":120'
  vm31 -q viewing-key --wallet bob -o bob.view
  run vm31 -q balance --viewing-key bob.view --pool pool
  assert_output "asset 1: 120"
  vm31 -q withdraw --wallet bob --pool pool --asset 1 --amount 20 --recipient 0xabc --prove -o w.proof
  vm31 -q apply --pool pool w.proof
  run vm31 -q balance --wallet bob --pool pool
  assert_output "asset 1: 100"
  run vm31 -q --json scan --wallet bob --pool pool
  assert_output --partial '"spent":true'
  # Alice sees none of Bob's notes, and the other way round.
  run vm31 -q --json scan --wallet alice --pool pool
  refute_output --partial '"amount":120'
  # A transfer larger than the wallet holds is refused before anything is proven.
  run vm31 transfer --wallet bob --pool pool --to "$a" --asset 1 --amount 101 --relayer 0x1 --prove -o x.proof
  assert_failure 2
  one_error "insufficient funds"
  [ ! -e x.proof ]
}

@test "apply rejects replays, double spends and every tampered public field; the pool stays as it was" {
  a=$(vm31 keygen --wallet alice)
  b=$(vm31 keygen --wallet bob)
  vm31 -q deposit --to "$a" --asset 7 --amount 50 --prove -o d.proof
  vm31 -q deposit --to "$b" --asset 7 --amount 9 --prove -o other.proof
  vm31 -q apply --pool pool d.proof
  vm31 -q transfer --wallet alice --pool pool --to "$b" --asset 7 --amount 30 --fee 1 --relayer 0x5 --prove -o t1.proof
  # Built from the same note before t1 is applied: a second spend of it.
  vm31 -q withdraw --wallet alice --pool pool --asset 7 --amount 10 --recipient 0x6 --prove -o t2.proof
  snapshot
  for field in public_amount counterparty memo commitment nullifier root; do
    /usr/bin/python3 "$ROOT/tests/e2e/vm31_edit.py" t1.proof bad.proof $field
    run vm31 apply --pool pool bad.proof
    assert_failure 1
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || fail "$field: $output"
    [[ "$output" == "vm31: rejected: vm31: proof does not verify"* ]] || fail "$field: $output"
    pool_unchanged
  done
  # A memo swapped for another transaction's (the recipient would read a wrong note): rejected.
  /usr/bin/python3 "$ROOT/tests/e2e/vm31_edit.py" t1.proof bad.proof memo_from other.proof
  run vm31 apply --pool pool bad.proof
  assert_failure 1
  pool_unchanged
  vm31 -q apply --pool pool t1.proof
  snapshot
  run vm31 apply --pool pool t1.proof
  assert_failure 1
  [[ "$output" == "vm31: rejected: pool: "*"double spend"* ]] || fail "$output"
  pool_unchanged
  run vm31 apply --pool pool t2.proof
  assert_failure 1
  [[ "$output" == *"double spend"* ]] || fail "$output"
  pool_unchanged
  # Not a proof at all, a truncated one, a witness file: bad input, exit 2.
  head -c 1000 t1.proof > cut.proof
  run vm31 apply --pool pool cut.proof
  assert_failure 2
  vm31 -q deposit --to "$a" --asset 7 --amount 5 -o w.tx
  run vm31 apply --pool pool w.tx
  assert_failure 2
  one_error "vm31-proof"
  pool_unchanged
}

@test "prove-deposits: many deposits in one proof, applied together; a changed or reordered deposit rejected" {
  a=$(vm31 keygen --wallet alice)
  b=$(vm31 keygen --wallet bob)
  for i in 1 2 3 4 5; do vm31 -q deposit --to "$a" --asset 2 --amount $((i * 100)) -o d$i.tx; done
  vm31 -q deposit --to "$b" --asset 3 --amount 7 -o d6.tx
  run vm31 prove-deposits -o batch.proof d1.tx d2.tx d3.tx d4.tx d5.tx d6.tx
  assert_success
  [[ "$output" == "vm31: 6 deposits proven in "* ]] || fail "$output"
  vm31 -q deposit --to "$b" --asset 3 --amount 1 --prove -o first.proof
  vm31 -q apply --pool pool first.proof
  snapshot
  for edit in batch_amount batch_swap; do
    /usr/bin/python3 "$ROOT/tests/e2e/vm31_edit.py" batch.proof bad.proof $edit
    run vm31 apply --pool pool bad.proof
    assert_failure 1
    [[ "$output" == "vm31: rejected: vm31: deposit batch proof does not verify"* ]] || fail "$edit: $output"
    pool_unchanged
  done
  head -c 2000 batch.proof > cut.proof
  run vm31 apply --pool pool cut.proof
  assert_failure 2
  pool_unchanged
  vm31 -q apply --pool pool batch.proof
  run vm31 -q balance --wallet alice --pool pool
  assert_output "asset 2: 1500"
  run vm31 -q balance --wallet bob --pool pool
  assert_output "asset 3: 8"
  # Only deposit witnesses batch.
  vm31 -q transfer --wallet alice --pool pool --to "$b" --asset 2 --amount 30 --fee 1 --relayer 0x5 -o t.tx
  run vm31 prove-deposits -o x.proof d1.tx t.tx
  assert_failure 2
  one_error "not a deposit"
  [ ! -e x.proof ]
}

@test "--air-trace: a transaction's circuit and witness proven by stark-prove, checked by verify" {
  a=$(vm31 keygen --wallet alice)
  vm31 -q deposit --to "$a" --asset 4 --amount 60 --prove -o d.proof --air-trace d.air
  [ "$(stat -c %a d.air)" = 600 ]
  vm31 -q apply --pool pool d.proof
  vm31 -q transfer --wallet alice --pool pool --to "$a" --asset 4 --amount 20 --fee 1 --relayer 0x5 -o t.tx --air-trace t.air
  for f in d t; do
    stark-prove -q -i $f.air -o $f.stark
    run verify -q -i $f.stark --json
    assert_success
    [[ "$output" == *'"name":"vm31_'* ]] || fail "$output"
  done
  /usr/bin/python3 "$ROOT/tests/e2e/stark_edit.py" field t.stark bad.stark sampled
  run verify -q -i bad.stark
  assert_failure 1
  # A changed witness cell: stark-prove names the broken constraint and writes nothing.
  /usr/bin/python3 "$ROOT/tests/e2e/stark_edit.py" witness t.air bad.air 20 3
  run stark-prove -q -i bad.air -o bad2.stark
  assert_failure 2
  [ ! -e bad2.stark ]
}

@test "relay: verified proofs batched into one calldata, sent with submit to the local JSON-RPC server" {
  a=$(vm31 keygen --wallet alice)
  b=$(vm31 keygen --wallet bob)
  vm31 -q deposit --to "$a" --asset 3 --amount 40 --prove -o d.proof
  vm31 -q apply --pool pool d.proof
  vm31 -q transfer --wallet alice --pool pool --to "$b" --asset 3 --amount 25 --fee 1 --relayer 0xacc0 --prove -o t.proof
  vm31 -q deposit --to "$b" --asset 3 --amount 9 --prove -o d2.proof
  run vm31 -q relay --pool pool -o batch.calldata t.proof d2.proof
  assert_success
  [ "$(head -n 1 batch.calldata)" = 0x2 ]
  # A tampered proof, a proof the pool already took, or one nullifier twice in the batch: rejected.
  /usr/bin/python3 "$ROOT/tests/e2e/vm31_edit.py" t.proof bad.proof public_amount
  run vm31 relay --pool pool -o x.calldata d2.proof bad.proof
  assert_failure 1
  [[ "$output" == "vm31: rejected: relay: transaction 2 of the batch: vm31: proof does not verify"* ]] || fail "$output"
  run vm31 relay -o x.calldata t.proof t.proof
  assert_failure 1
  [[ "$output" == *"spent earlier in the batch"* ]] || fail "$output"
  [ ! -e x.calldata ]
  # The batch goes out as one INVOKE v3 to a pool contract.
  jq -r '.rpc_explicit.private_key' "$ROOT/tests/starknet/vectors.json" > key
  start_server success --pending 0
  run submit invoke --rpc "$RPC" --private-key-file key --account 0xacc0 --contract 0x9001 --function relay_batch \
    --calldata-file batch.calldata --nonce 5 --chain-id SN_SEPOLIA --l1-gas 0,0x3b9aca00 --l2-gas 0x100000,0x2540be400 \
    --l1-data-gas 0x200,0x5f5e100 --wait --poll 0.05 --timeout 20
  assert_success
  assert_output --partial "succeeded"
  sent=$(grep '"starknet_addInvokeTransaction"' requests.log | jq '.params.invoke_transaction.calldata | length')
  [ "$sent" -gt "$(wc -l < batch.calldata)" ] || fail "calldata of $sent felts"
}
