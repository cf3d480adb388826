#!/usr/bin/python3
"""Edits one field of a zkm31 artifact and fixes its checksum (the checksum is integrity, not
security): what a forger can always do. Used by prove.bats.

  prove_edit.py trace IN OUT TENSOR_NAME INDEX     add 1 to one element of a traced tensor
  prove_edit.py weight IN OUT K INDEX VALUE        set element INDEX of the K-th weight tensor of a
                                                   graph or trace artifact to VALUE
  prove_edit.py proof IN OUT FIELD [INDEX]          change one proof field:
      public_output | public_input   add 1 to element INDEX (default the first)
      model_commitment | weight_root | graph_digest | trace_commitment   flip a bit
      queries                                        one query more in the config
      certificate_stream                             add 1 to one element of the weight certificate's
                                                     stream (its own checksum fixed too)
  prove_edit.py graph IN OUT NODE FIELD INDEX DELTA
                                                   add DELTA to entry INDEX of FIELD (mult, offset: the
                                                   list; shift: INDEX ignored) of node NODE of a graph
  prove_edit.py constant IN OUT TENSOR_NAME INDEX DELTA
                                                   add DELTA to element INDEX of a constant tensor of a
                                                   graph or trace artifact
  prove_edit.py splice IN OUT FROM [relabel]       put FROM's weight certificate into proof IN;
                                                   relabel: with IN's graph digest and weight root
"""
import sys

import msgpack
import xxhash

P = (1 << 31) - 1


def unpack(data):
    env = msgpack.unpackb(data, raw=False)
    return env, msgpack.unpackb(env["body"], raw=False, strict_map_key=False)


def pack(env, body):
    env["body"] = msgpack.packb(body, use_bin_type=True)
    env["checksum"] = xxhash.xxh3_128_digest(env["body"])
    return msgpack.packb(env, use_bin_type=True)


def load(path):
    return unpack(open(path, "rb").read())


def save(path, env, body):
    open(path, "wb").write(pack(env, body))


def bump_u32(b, index, delta=1):
    v = (int.from_bytes(b[4 * index:4 * index + 4], "little") + delta) % P
    return b[:4 * index] + v.to_bytes(4, "little") + b[4 * index + 4:]


def main():
    what, src, dst = sys.argv[1:4]
    env, body = load(src)
    if what == "trace":
        name, index = sys.argv[4], int(sys.argv[5])
        graph = msgpack.unpackb(body["graph"], raw=False, strict_map_key=False)
        tid = [t["name"] for t in graph["tensors"]].index(name)
        body["values"][tid] = bump_u32(body["values"][tid], index)
    elif what == "weight":
        k, index, value = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        nested = env["kind"] == "trace"
        graph = msgpack.unpackb(body["graph"], raw=False, strict_map_key=False) if nested else body
        w = graph["weights"][k]
        n = 1
        for d in graph["tensors"][w["tensor"]]["shape"]:
            n *= d
        width = len(w["values"]) // n  # int8, int16 or M31 residues (lib/model/graph_io.cpp)
        vals = [int.from_bytes(w["values"][width * i:width * i + width], "little", signed=width < 4) for i in range(n)]
        vals[index] = value
        w["values"] = b"".join((v % P).to_bytes(4, "little") for v in vals)  # re-encoded as residues
        if nested:
            body["graph"] = msgpack.packb(graph, use_bin_type=True)
    elif what == "constant":
        name, index, delta = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        nested = env["kind"] == "trace"
        graph = msgpack.unpackb(body["graph"], raw=False, strict_map_key=False) if nested else body
        tid = [t["name"] for t in graph["tensors"]].index(name)
        c = next(c for c in graph["constants"] if c["tensor"] == tid)
        c["values"] = bump_u32(c["values"], index, delta)
        if nested:
            body["graph"] = msgpack.packb(graph, use_bin_type=True)
    elif what == "graph":
        name, field, index, delta = sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
        node = next(n for n in body["nodes"] if n["name"] == name)
        if field == "shift":
            node["shift"] += delta
        else:
            node[field][index] += delta
        if node["op"] == "requant":  # the derived bound graph readers re-check, as a forger would fix it
            x = body["tensors"][node["in"][0]]
            top = max(abs(x["lo"]), abs(x["hi"])) * max(map(abs, node["mult"])) + \
                max(map(abs, node["offset"]), default=0) + ((1 << (node["shift"] - 1)) if node["shift"] else 0)
            node["unclamped_bound"] = (top >> node["shift"]) + 1
    elif what == "splice":
        _, other = load(sys.argv[4])
        cert_env, cert = unpack(other["weight_certificate"])
        if sys.argv[5:] == ["relabel"]:
            cert["graph_digest"], cert["weight_root"] = body["graph_digest"], body["weight_root"]
        body["weight_certificate"] = pack(cert_env, cert)
    else:
        field = sys.argv[4]
        if field in ("public_output", "public_input"):
            body[field] = bump_u32(body[field], int(sys.argv[5]) if len(sys.argv) > 5 else 0)
        elif field in ("model_commitment", "weight_root", "graph_digest", "trace_commitment"):
            body[field] = bytes([body[field][0] ^ 1]) + body[field][1:]
        elif field == "queries":
            body["config"]["queries"] += 1
        elif field == "certificate_stream":
            cert_env, cert = unpack(body["weight_certificate"])
            cert["stream"] = bump_u32(cert["stream"], 40)
            body["weight_certificate"] = pack(cert_env, cert)
        else:
            sys.exit("unknown field " + field)
    save(dst, env, body)


if __name__ == "__main__":
    main()
