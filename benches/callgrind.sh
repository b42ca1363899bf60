#!/usr/bin/env bash
# Instructions per operation (valgrind's callgrind), this tree beside another commit:
#   benches/callgrind.sh [BASE_REV]        (default: HEAD~1)
# Builds examples/callgrind.rs in release for both (one shared target directory, so only the
# crate is built twice), runs each mode at N=2000 and N=4000 and prints (I(4000)-I(2000))/2000.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
export CARGO_TARGET_DIR=$(realpath -m "${CARGO_TARGET_DIR:-target/callgrind}") # absolute: the base builds in its worktree
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" 2>/dev/null; rm -rf "$work"' EXIT
git worktree add -q "$work/base" "$base"
cp examples/callgrind.rs "$work/base/examples/callgrind.rs"
(cd "$work/base" && cargo build -q --release --example callgrind)
cp "$CARGO_TARGET_DIR/release/examples/callgrind" "$work/base.bin"
cargo build -q --release --example callgrind
cp "$CARGO_TARGET_DIR/release/examples/callgrind" "$work/head.bin"
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | grep -o 'refs: *[0-9,]*' | tr -d ', ' | cut -d: -f2; }
printf '%-8s %10s %10s\n' mode "$base" HEAD
for mode in ${MODES:-bare layer cached cold unverified miss}; do
  row=()
  for bin in base head; do
    a=$(ir "$work/$bin.bin" "$mode" 2000); b=$(ir "$work/$bin.bin" "$mode" 4000)
    row+=($(( (b - a) / 2000 )))
  done
  printf '%-8s %10s %10s\n' "$mode" "${row[0]}" "${row[1]}"
done
