#!/usr/bin/python3
"""Edits a stark-proof or air-trace artifact and fixes its checksum (what a forger can always do).
Used by stark.bats.

  stark_edit.py public IN OUT          add 1 to the first public input (statement and public_input)
  stark_edit.py version IN OUT         component 0 claims version 2
  stark_edit.py field IN OUT FIELD     add 1 to the first M31 of a proof field (sampled, final, …) or
                                       flip a bit of its first digest (roots, fri_roots)
  stark_edit.py witness IN OUT C I     add 1 to row I of column C of component 0 of an air-trace
"""
import struct
import sys

import msgpack
import xxhash

P = (1 << 31) - 1


def load(path):
    env = msgpack.unpackb(open(path, "rb").read(), raw=False)
    return env, msgpack.unpackb(env["body"], raw=False, strict_map_key=False)


def save(path, env, body):
    env["body"] = msgpack.packb(body, use_bin_type=True)
    env["checksum"] = xxhash.xxh3_128_digest(env["body"])
    open(path, "wb").write(msgpack.packb(env, use_bin_type=True))


def bump(b, index=0):
    v = struct.unpack_from("<I", b, 4 * index)[0]
    out = bytearray(b)
    struct.pack_into("<I", out, 4 * index, (v + 1) % P)
    return bytes(out)


def main():
    what, src, dst = sys.argv[1:4]
    env, body = load(src)
    if what == "public":
        body["statement"][0]["public_input"] = bump(body["statement"][0]["public_input"])
        body["public_input"] = bump(body["public_input"])
    elif what == "version":
        body["statement"][0]["version"] = 2
    elif what == "field":
        field = sys.argv[4]
        v = body["proof"][field]
        if field.endswith("roots"):
            body["proof"][field] = bytes([v[0] ^ 1]) + v[1:]
        else:
            body["proof"][field] = bump(v)
    elif what == "witness":
        c, i = int(sys.argv[4]), int(sys.argv[5])
        col = body["components"][0]["columns"]
        col[c] = bump(col[c], i)
    else:
        sys.exit("unknown edit " + what)
    save(dst, env, body)


main()
