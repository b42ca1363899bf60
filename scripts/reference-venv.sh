#!/usr/bin/env bash
# Makes target/reference-venv: a Python venv with the reference, nvidia-nat-core 1.9.0 from PyPI,
# for tests/differential.rs (and scripts/reference_oracle.py). Does nothing when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/reference-venv
if "$venv/bin/python" -c "import nat.runtime.user_manager" >/dev/null 2>&1; then
  exit 0
fi
rm -rf "$venv"
mkdir -p target
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check nvidia-nat-core==1.9.0
"$venv/bin/python" -c "import nat.runtime.user_manager"
