#!/usr/bin/python3
"""Changes one public field of a vm31-proof artifact and fixes its checksum (what anyone relaying
the proof could do). Used by vm31.bats.

  vm31_edit.py IN OUT FIELD
      public_amount   add 1
      counterparty    another address
      memo            flip one bit of the first memo
      commitment      add 1 to the first element of the first commitment
      nullifier       add 1 to the first element of the first nullifier
      root            add 1 to the first element of the root (membership under another tree)
  vm31_edit.py IN OUT memo_from OTHER   the first memo replaced by OTHER's first memo
  vm31_edit.py IN OUT batch_amount      a vm31-deposit-batch: add 1 to the second deposit's amount
  vm31_edit.py IN OUT batch_swap        a vm31-deposit-batch: the first two deposits swapped
"""
import sys

import msgpack

from prove_edit import bump_u32, load, save


def main():
    src, dst, field = sys.argv[1:4]
    env, body = load(src)
    if field == "public_amount":
        body["public_amount"] += 1
    elif field == "counterparty":
        body["counterparty"] = body["counterparty"] + "1"
    elif field == "memo":
        m = bytearray(body["memos"])
        m[40] ^= 1
        body["memos"] = bytes(m)
    elif field == "memo_from":
        _, other = load(sys.argv[4])
        body["memos"] = other["memos"][:116] + body["memos"][116:]
    elif field in ("commitment", "nullifier", "root"):
        key = {"commitment": "commitments", "nullifier": "nullifiers", "root": "root"}[field]
        body[key] = bump_u32(body[key], 0)
    elif field == "batch_amount":
        d = msgpack.unpackb(body["deposits"][1], raw=False)
        d["public_amount"] += 1
        body["deposits"][1] = msgpack.packb(d, use_bin_type=True)
    elif field == "batch_swap":
        body["deposits"][0], body["deposits"][1] = body["deposits"][1], body["deposits"][0]
    else:
        sys.exit("unknown field " + field)
    save(dst, env, body)


if __name__ == "__main__":
    main()
