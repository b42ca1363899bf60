#!/usr/bin/env bash
# The verified-token cache's memory, measured: the demo server's resident set before and after
# it has verified (and cached) TOKENS distinct tokens of about TOKEN_KB KiB each, from the test
# kit's identity provider (examples/test_idp.rs) on 127.0.0.1. Bounded: TOKENS requests, one
# at a time, to 127.0.0.1 only.
#
#   benches/memory.sh                    # 4,096 tokens of ~30 KB
#   TOKENS=8192 CLAIM_BYTES=600 benches/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TOKENS=${TOKENS:-4096}
CLAIM_BYTES=${CLAIM_BYTES:-22000} # a 22,000-byte claim makes a token of about 30 KB
PORT=${PORT:-3918}

cargo build --release --example server --example test_idp --features test-util
dir=$(mktemp -d)
target/release/examples/test_idp --tokens "$TOKENS" --claim-bytes "$CLAIM_BYTES" --out "$dir" >/dev/null &
idp=$!
trap 'kill $idp ${server:-} 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 600); do [ -s "$dir/issuer" ] && break; sleep 0.1; done
RUST_LOG=warn target/release/examples/server --addr "127.0.0.1:$PORT" \
  --oidc "$(cat "$dir/issuer")" --allow-http-loopback &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
before=$(rss)
python3 - "$PORT" "$dir/tokens" <<'PY'
import http.client, sys
port, path = int(sys.argv[1]), sys.argv[2]
tokens = [line.strip() for line in open(path) if line.strip()]
conn = http.client.HTTPConnection("127.0.0.1", port)
for token in tokens:
    conn.request("GET", "/whoami", headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
PY
after=$(rss)
size=$(head -1 "$dir/tokens" | wc -c)
echo "tokens: $TOKENS of $size bytes; RSS before $((before / 1024)) MiB, after $((after / 1024)) MiB (+$(((after - before) / 1024)) MiB)"
