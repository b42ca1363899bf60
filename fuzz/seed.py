#!/usr/bin/env python3
"""Seed each fuzz target's corpus from the conformance vectors: python3 fuzz/seed.py"""
import base64, json, os, pathlib

here = pathlib.Path(__file__).resolve().parent
vectors = json.load(open(os.environ.get("CONFORMANCE_VECTORS", here.parent.parent / "shared/conformance/vectors.json")))

def write(target, name, data: bytes):
    folder = here / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)

def latin1(s):
    return s.encode("latin-1", "replace") if all(ord(c) < 256 for c in s) else s.encode()

for section in ("requests", "policy", "identity_header", "websocket_query"):
    for case in vectors.get(section, []):
        lines = [latin1(f"{k}: {v}") for k, v in case["headers"]]
        if "session" in case:
            lines.append(latin1(f"?: session={case['session']}"))
        write("resolve_headers", case["name"], b"\x00" + b"\n".join(lines))
        for k, v in case["headers"]:
            if k.lower() == "authorization":
                scheme, _, cred = v.strip().partition(" ")
                if scheme.lower() == "bearer" and cred.count(".") == 2:
                    write("jwt", case["name"], b"\x00" + latin1(cred.strip()))
                    parts = cred.strip().split(".")
                    try:
                        raw = [base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in parts[:2]]
                        write("jwt", case["name"] + "_decoded", b"\x01" + bytes([len(raw[0]) % 256]) + raw[0] + raw[1])
                    except Exception:
                        pass
                if scheme.lower() == "basic":
                    write("basic", case["name"], b"\x00" + latin1(cred.strip()))
for case in vectors.get("auth_messages", []):
    write("auth_message", case["name"], json.dumps(case["message"]).encode())
print("seeded", *(f"{t}={len(list((here / 'corpus' / t).iterdir()))}" for t in sorted(os.listdir(here / "corpus"))))
