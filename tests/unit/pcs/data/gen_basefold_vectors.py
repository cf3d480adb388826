#!/usr/bin/python3
"""Writes basefold_vectors.json from the validated prototype ../shared/reference/basefold/basefold_circle.py.

Run from the repo root:  /usr/bin/python3 tests/unit/pcs/data/gen_basefold_vectors.py
For each (n, B): e[b] = (7 b^2 + 3 b + 1) mod p, its codeword encode(e, B) (natural order), every folded
layer under the challenges s_i = (i+1, i+2, i+3, i+4), MLE(e)(s) and the final constant 2^n MLE(e)(s).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../../shared/reference/basefold"))
import basefold_circle as bf  # noqa: E402

out = []
for n, B in [(3, 1), (4, 2), (5, 1)]:
    m = n + B
    e = [(7 * b * b + 3 * b + 1) % bf.P for b in range(1 << n)]
    cw = bf.encode(e, B)
    s = [bf.QM31(i + 1, i + 2, i + 3, i + 4) for i in range(n)]
    layers = bf.fold_all(cw, m, s)
    out.append({
        "n": n, "log_blowup": B, "e": e, "codeword": cw,
        "challenges": [list(x.v) for x in s],
        "layers": [[list(bf.QM31.lift(v).v) for v in layer] for layer in layers[1:]],
        "mle": list(bf.mle_eval(e, s).v),
        "final_constant": list(layers[-1][0].v),
    })
with open(os.path.join(HERE, "basefold_vectors.json"), "w") as f:
    json.dump({"source": "tests/unit/pcs/data/gen_basefold_vectors.py over reference/basefold/basefold_circle.py",
               "cases": out}, f)
print("wrote", len(out), "cases")
