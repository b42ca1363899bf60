#!/usr/bin/env bash
# Loopback load test of the demo server under wrk, in one run: /healthz (no identity layer) as
# the anchor, and /ping (behind the layer) with
#   - api_key:    one API key;
#   - jwt_cold:   verified RS256 tokens, a different one each request (TOKENS of them, more than
#                 the token cache holds, so every one is a signature check);
#   - jwt_warm:   one verified RS256 token, again and again (answered from the token cache).
# The tokens come from the test kit's identity provider (examples/test_idp.rs) on 127.0.0.1,
# which the server verifies by OIDC discovery. Bounded: ROUNDS x 4 runs of DURATION each, to
# 127.0.0.1 only. The order rotates each round so that drift over the run favours no case; the
# summary takes medians and gives each case as a share of /healthz.
#
#   benches/load.sh                      # 3 rounds of 10 s, 64 connections
#   DURATION=30s CONNECTIONS=256 ROUNDS=5 benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-3917}
KEY=${KEY:-sk-load-test-key}
TOKENS=${TOKENS:-16384}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --example server --example test_idp --features test-util
dir=$(mktemp -d)
target/release/examples/test_idp --tokens "$TOKENS" --out "$dir" >/dev/null &
idp=$!
trap 'kill $idp ${server:-} 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 600); do [ -s "$dir/issuer" ] && break; sleep 0.1; done
issuer=$(cat "$dir/issuer")
RUST_LOG=warn target/release/examples/server --addr "127.0.0.1:$PORT" \
  --oidc "$issuer" --allow-http-loopback --accept jwt,api_key &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/ping" -H "x-api-key: $KEY" | grep -q pong
one=$(head -1 "$dir/tokens")
curl -fs "http://127.0.0.1:$PORT/ping" -H "authorization: Bearer $one" | grep -q pong

run() { # case -> "requests/s p99"
  local args=(-t1 -c"$CONNECTIONS" -d"$DURATION" --latency)
  case $1 in
    healthz) args+=(-H "x-api-key: $KEY" "http://127.0.0.1:$PORT/healthz") ;;
    api_key) args+=(-H "x-api-key: $KEY" "http://127.0.0.1:$PORT/ping") ;;
    jwt_cold) args+=(-s benches/load-tokens.lua "http://127.0.0.1:$PORT/ping") ;;
    jwt_warm) args+=(-H "authorization: Bearer $one" "http://127.0.0.1:$PORT/ping") ;;
  esac
  TOKENS="$dir/tokens" wrk "${args[@]}" |
    awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$4} END {print rps, p99, bad+0}'
}

cases=(healthz api_key jwt_cold jwt_warm)
run healthz >/dev/null # warm-up, not counted
results="$dir/results"
printf '%-6s %-10s %12s %10s\n' round case requests/s p99
for round in $(seq "$ROUNDS"); do
  for k in 0 1 2 3; do
    name=${cases[$(((k + round - 1) % 4))]}
    read -r rps p99 bad < <(run "$name")
    if [ "$bad" != 0 ]; then echo "$name: $bad responses were not 2xx"; exit 1; fi
    printf '%-6s %-10s %12s %10s\n' "$round" "$name" "$rps" "$p99"
    echo "$name $rps ${p99%ms}" >> "$results"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
bare=$(awk '$1=="healthz" {print $2}' "$results" | median)
for name in "${cases[@]}"; do
  rps=$(awk -v n="$name" '$1==n {print $2}' "$results" | median)
  p99=$(awk -v n="$name" '$1==n {print $3}' "$results" | median)
  awk -v n="$name" -v r="$rps" -v b="$bare" -v p="$p99" 'BEGIN {
    printf "%-10s median %9.0f requests/s (%5.1f%% of /healthz), median p99 %s ms\n", n, r, 100*r/b, p }'
done
