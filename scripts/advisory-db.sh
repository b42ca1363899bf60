#!/usr/bin/env bash
# Lays out the offline RustSec snapshot (../shared/advisory-db) where cargo-deny looks for its
# default database, as a one-commit git repository, and prints the db-path to use:
#   ADVISORY_DB_PATH=$(scripts/advisory-db.sh) cargo deny --offline check advisories
# cargo-deny names the folder after the default database URL: advisory-db-3157b0e258782691.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot=${ADVISORY_SNAPSHOT:-../shared/advisory-db}
root=${ADVISORY_DB_PATH:-$PWD/target/advisory-dbs}
db="$root/advisory-db-3157b0e258782691"
if [ ! -d "$snapshot/crates" ]; then
  echo "no advisory snapshot at $snapshot" >&2
  exit 1
fi
rm -rf "$db"
mkdir -p "$db"
cp -R "$snapshot/." "$db/"
git -C "$db" init -q
git -C "$db" add -A
git -C "$db" -c user.name=ci -c user.email=ci@localhost -c commit.gpgsign=false \
  commit -q -m "RustSec snapshot $(grep -m1 'Upstream commit' "$snapshot/ADVISORY-DB.md" | sed 's/.*: //')"
echo "$root"
