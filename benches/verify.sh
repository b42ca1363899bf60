#!/usr/bin/env bash
# Verified JWTs beside their anchors, in one run: `cargo bench --bench verify` (the resolver,
# cold and warm, and jsonwebtoken::decode), then PyJWT on the same tokens and keys
# (benches/pyjwt.py, in the reference venv), then a table of times and of rates relative to
# PyJWT's (how many verifications per second, per core, against PyJWT's).
#
#   benches/verify.sh                 # the default backend (aws-lc-rs)
#   FEATURES=rust-crypto benches/verify.sh   # the RustCrypto backend alone
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/reference-venv.sh
if [ -n "${FEATURES:-}" ]; then
  cargo bench --no-default-features --features "axum,ws,test-util,$FEATURES" --bench verify
else
  cargo bench --all-features --bench verify
fi
target/reference-venv/bin/python benches/pyjwt.py > target/bench-verify/pyjwt.json
target/reference-venv/bin/python - <<'PY'
import json, pathlib
root = pathlib.Path("target")
py = json.loads((root / "bench-verify/pyjwt.json").read_text())
def median_us(name):
    est = json.loads((root / f"criterion/verify/{name.replace('/', '_')}/new/estimates.json").read_text())
    return est["median"]["point_estimate"] / 1000
print(f"PyJWT {py['pyjwt']} (Python {py['python']}), medians; rate = PyJWT's time / this time")
print(f"{'case':<34}{'time':>12}{'rate vs PyJWT':>16}{'vs jsonwebtoken':>18}")
for alg, case in py["cases"].items():
    pyjwt = case["median_us"]
    print(f"{alg + '/pyjwt':<34}{pyjwt:>10.2f}µs{1:>15.2f}x")
    for temp in ("cold", "warm"):
        anchor = median_us(f"{alg}/{temp}/jsonwebtoken_decode")
        for who in ("resolver", "jsonwebtoken_decode"):
            t = median_us(f"{alg}/{temp}/{who}")
            print(f"{alg + '/' + temp + '/' + who:<34}{t:>10.2f}µs{pyjwt / t:>15.2f}x{(t / anchor - 1) * 100:>+16.1f}%")
PY
