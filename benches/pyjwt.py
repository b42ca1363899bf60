"""PyJWT on the tokens and keys `cargo bench --bench verify` used (target/bench-verify/tokens.json):
one `jwt.decode` with signature, `exp`, `iss` and `aud` checks, as the crate does. Prints the
median time per decode over five rounds, per algorithm, as JSON on stdout.

    target/reference-venv/bin/python benches/pyjwt.py   # after cargo bench --bench verify
"""

import json
import pathlib
import statistics
import sys
import time

import jwt  # PyJWT 2, with `cryptography` (OpenSSL) for RSA, EC and EdDSA

ROOT = pathlib.Path(__file__).resolve().parent.parent
data = json.loads((ROOT / "target/bench-verify/tokens.json").read_text())
out = {"pyjwt": jwt.__version__, "python": sys.version.split()[0], "cases": {}}
for case in data["cases"]:
    key = jwt.PyJWK(case["jwk"]).key
    tokens = case["tokens"]
    alg = case["alg"]

    def decode(token):
        return jwt.decode(token, key, algorithms=[alg], audience=data["audience"], issuer=data["issuer"])

    for token in tokens[:10]:
        decode(token)  # warm-up, and a check that every option agrees
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for token in tokens:
            decode(token)
        rounds.append((time.perf_counter() - start) / len(tokens))
    out["cases"][alg] = {"median_us": statistics.median(rounds) * 1e6, "rounds_us": [r * 1e6 for r in rounds]}
print(json.dumps(out))
