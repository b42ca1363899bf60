#!/usr/bin/env bash
# Loopback load test: the demo server's /healthz (no identity layer) and /ping (behind it), both
# trivial handlers, both sent the same API key, under wrk, in one run. Bounded: ROUNDS x 2 runs of
# DURATION each, to 127.0.0.1 only. The order alternates each round so that drift over the run
# does not favour one route; the summary takes medians.
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

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --example server
RUST_LOG=warn target/release/examples/server --addr "127.0.0.1:$PORT" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/ping" -H "x-api-key: $KEY" | grep -q pong

run() { # path -> "requests/s p99"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "x-api-key: $KEY" "http://127.0.0.1:$PORT/$1" |
    awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} END {print rps, p99}'
}

run healthz >/dev/null # warm-up, not counted
printf '%-8s %-22s %12s %10s\n' round route requests/s p99
for round in $(seq "$ROUNDS"); do
  order="healthz ping"; [ $((round % 2)) -eq 0 ] && order="ping healthz"
  for path in $order; do
    read -r rps p99 < <(run "$path")
    label=$([ "$path" = healthz ] && echo "/healthz (no layer)" || echo "/ping (layer, API key)")
    printf '%-8s %-22s %12s %10s\n' "$round" "$label" "$rps" "$p99"
    echo "$path $rps ${p99%ms}" >> "${TMPDIR:-/tmp}/load.$$"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
results="${TMPDIR:-/tmp}/load.$$"
bare=$(awk '$1=="healthz" {print $2}' "$results" | median)
layered=$(awk '$1=="ping" {print $2}' "$results" | median)
bare_p99=$(awk '$1=="healthz" {print $3}' "$results" | median)
layered_p99=$(awk '$1=="ping" {print $3}' "$results" | median)
awk -v b="$bare" -v l="$layered" -v bp="$bare_p99" -v lp="$layered_p99" 'BEGIN {
  printf "median requests/s: no layer %.0f, layer %.0f (%.1f%% of the bare server); median p99: %sms, %sms\n", b, l, 100*l/b, bp, lp }'
rm -f "${TMPDIR:-/tmp}/load.$$"
