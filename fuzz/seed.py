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
# verified_jwt: raw tokens of the vectors (mode 0), and header / claims pairs in the shapes
# tests/verify.rs signs (modes 1: HS256, 2: EdDSA), which the target signs itself.
for case in vectors.get("requests", []):
    for k, v in case["headers"]:
        scheme, _, cred = v.strip().partition(" ")
        if k.lower() == "authorization" and scheme.lower() == "bearer" and cred.count(".") == 2:
            write("verified_jwt", case["name"], b"\x00" + latin1(cred.strip()))
FAR = 4102444800
shapes = {
    "hmac_valid": ({"alg": "HS256", "typ": "JWT"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": FAR}),
    "hmac_aud_list": ({"alg": "HS256"}, {"iss": "https://hmac.fuzz", "email": "a@b", "aud": ["x", "api"], "exp": FAR, "nbf": 0, "iat": 1}),
    "hmac_expired": ({"alg": "HS256"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": 1}),
    "hmac_exp_string": ({"alg": "HS256"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": "4102444800"}),
    "hmac_typ_crit": ({"alg": "HS256", "typ": "at+jwt", "crit": ["b64"], "b64": True}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": FAR}),
    "hmac_kid_cty": ({"alg": "HS256", "kid": "k1", "cty": "JWT"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": FAR}),
    "hmac_alg_none": ({"alg": "none"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": FAR}),
    "hmac_enc": ({"alg": "HS256", "enc": "A256GCM"}, {"iss": "https://hmac.fuzz", "sub": "ada", "aud": "api", "exp": FAR}),
    "hmac_control_sub": ({"alg": "HS256"}, {"iss": "https://hmac.fuzz", "sub": "a\u001fb", "aud": "api", "exp": FAR}),
    "ed_valid": ({"alg": "EdDSA", "kid": "ed-1"}, {"iss": "https://ed.fuzz", "preferred_username": " ada ", "realm_access": {"roles": ["r"]}}),
    "ed_wrong_issuer": ({"alg": "EdDSA"}, {"iss": "https://hmac.fuzz", "sub": "ada"}),
    "ed_nbf_future": ({"alg": "EdDSA"}, {"iss": "https://ed.fuzz", "sub": "ada", "nbf": FAR, "exp": 1.5}),
    # Found by the first long run (the target's invariants, not the crate): an exp no
    # SystemTime holds is valid and has no valid_until.
    "hmac_exp_beyond_system_time": ({"alg": "HS256"}, {"iss": "https://hmac.fuzz", "email": "a@b", "aud": "api", "exp": 4 * 10**57}),
}
# ... and a Bearer credential with one dot: an API key, not a JWT.
write("verified_jwt", "one_dot_is_an_api_key", b"\x00eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0")
for name, (header, claims) in shapes.items():
    h = json.dumps(header, separators=(",", ":")).encode()
    c = json.dumps(claims, separators=(",", ":")).encode()
    mode = b"\x02" if name.startswith("ed_") else b"\x01"
    write("verified_jwt", name, mode + bytes([len(h) % 256]) + h + c)
print("seeded", *(f"{t}={len(list((here / 'corpus' / t).iterdir()))}" for t in sorted(os.listdir(here / "corpus"))))
