#!/usr/bin/env python3
"""Run the Python reference (nvidia-nat-core 1.9) on request cases and write a vectors file.

Not used by CI. It lets a developer check this crate against the reference on new inputs:

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install nvidia-nat-core==1.9.0
    /tmp/ref/bin/python scripts/reference_oracle.py cases.json > /tmp/oracle-vectors.json
    CONFORMANCE_VECTORS=/tmp/oracle-vectors.json cargo test --test conformance

`cases.json` is a list of {"name", "headers": [[name, value], ...]} (values are Latin-1 strings),
optionally with "accepted" (a list of credential kinds: a `policy` case) or "identity_header"
(a header name: an `identity_header` case).
Cases on which this crate deliberately differs from the reference (SPEC.md) will fail; read them.
"""
import json
import sys

from differential import request_outcome  # the reference, as a vectors case expects it


def main():
    cases = json.load(open(sys.argv[1]))
    sections = {"requests": [], "policy": [], "identity_header": []}
    for case in cases:
        try:
            expect = request_outcome(case["headers"], case.get("accepted"), case.get("identity_header"))
        except UnicodeEncodeError:
            continue  # not representable as HTTP header bytes
        section = "policy" if "accepted" in case else "identity_header" if "identity_header" in case else "requests"
        sections[section].append({**case, "expect": expect})
    json.dump({"reference": "nvidia-nat-core 1.9.0 (scripts/reference_oracle.py)", **sections},
              sys.stdout, indent=1, ensure_ascii=True)


if __name__ == "__main__":
    main()
