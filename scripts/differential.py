#!/usr/bin/env python3
"""Generate request, WebSocket and auth-message cases from a seed, run the Python reference
(nvidia-nat-core 1.9) on each, and print them as a vectors file (the format of
../shared/conformance/vectors.json), each case's `expect` being what the reference did.

    python3 -m venv target/reference-venv
    target/reference-venv/bin/pip install nvidia-nat-core==1.9.0
    target/reference-venv/bin/python scripts/differential.py --seed 7 --count 6000 > cases.json

tests/differential.rs runs this and compares the crate with the reference on every case; the
cases where the crate deliberately differs are recognised there, by rule. The families are
those of the vectors (cookies, Authorization schemes, JWT claims, Basic, X-API-Key, ?session=,
auth messages), and beyond them: random bytes, quoting, padding, whitespace, claim shapes.
"""
import argparse
import asyncio
import base64
import json
import random
import sys
import warnings
from urllib.parse import urlencode

warnings.filterwarnings("ignore")

from pydantic import ValidationError  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.websockets import WebSocket  # noqa: E402

from nat.data_models.api_server import OAuthModePreferencePayload, WebSocketAuthMessage  # noqa: E402
from nat.data_models.user_info import BasicUserInfo, JwtUserInfo, UserInfo  # noqa: E402
from nat.front_ends.fastapi.routes.websocket import _SAFE_SESSION_ID_RE  # noqa: E402
from nat.runtime.session import SESSION_COOKIE_NAME  # noqa: E402
from nat.runtime.user_manager import UserManager  # noqa: E402

# ---------------------------------------------------------------------------------------------
# The reference, run as its server runs it.

# The identity key of the last user the reference built (what it hashes into the user id), so
# that tests/differential.rs can state its rules on it.
_last_key = [None]
_set_user_id = UserInfo._set_user_id


def _recording_set_user_id(self, identity_key):
    _last_key[0] = identity_key
    return _set_user_id(self, identity_key)


UserInfo._set_user_id = _recording_set_user_id


def describe(user):
    if user is None:
        return {"outcome": "anonymous"}
    details = user.get_user_details()
    out = {"outcome": "user", "user_id": user.get_user_id(), "identity_key": _last_key[0]}
    if isinstance(details, JwtUserInfo):
        out.update(source="jwt", jwt=details.model_dump(mode="json"))
    elif isinstance(details, BasicUserInfo):
        out.update(source="basic",
                   basic={"username": details.username, "password": details.password.get_secret_value()})
    elif user.api_key is not None:
        out.update(source="api_key", api_key=details)
    elif details is None:
        out.update(source="identity_header")
    else:
        out.update(source="session_cookie", session_cookie=details)
    return out


def raw_headers(headers):
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def request_outcome(headers, accepted=None, identity_header=None):
    """The reference on an HTTP request, with a deployment's accepted kinds or identity header."""
    scope = {"type": "http", "method": "GET", "path": "/", "headers": raw_headers(headers), "query_string": b""}
    try:
        user = UserManager.extract_user_from_connection(
            Request(scope), accepted_identity_credentials=accepted, identity_header=identity_header)
        return describe(user)
    except Exception as exc:  # ValueError, pydantic's ValidationError
        return {"outcome": "error", "reference_error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200]}


def websocket_outcome(headers, session):
    """nat.front_ends.fastapi.routes.websocket: the session check and the cookie it adds."""
    if session and not _SAFE_SESSION_ID_RE.match(session):
        return {"outcome": "rejected"}
    raw = raw_headers(headers)
    if session:
        cookie_header = f"{SESSION_COOKIE_NAME}={session}"
        cookie_exists = False
        try:
            for i, (name, value) in enumerate(raw):
                if name != b"cookie":
                    continue
                cookie_exists = True
                cookie_str = value.decode()
                if f"{SESSION_COOKIE_NAME}=" not in cookie_str:
                    raw[i] = (name, f"{cookie_str}; {cookie_header}".encode())
                break
        except UnicodeDecodeError as exc:
            return {"outcome": "error", "reference_error": f"the endpoint fails: {exc}"[:200]}
        if not cookie_exists:
            raw.append((b"cookie", cookie_header.encode()))
    scope = {"type": "websocket", "path": "/websocket", "headers": raw,
             "query_string": urlencode({"session": session}).encode()}
    # The same headers through the reference's HTTP path, whose header and cookie parsing the
    # crate follows on both transports.
    over_http = request_outcome([(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw])

    async def receive():
        return {"type": "websocket.connect"}

    async def send(_message):
        return None

    try:
        out = describe(UserManager.extract_user_from_connection(WebSocket(scope, receive, send)))
    except Exception as exc:
        out = {"outcome": "error", "reference_error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200]}
    out["over_http"] = over_http
    return out


def auth_message_outcome(message):
    """message_validator.validate_message, then message_handler._process_auth_message."""
    try:
        validated = WebSocketAuthMessage(**message)
    except (ValidationError, TypeError, ValueError):
        return {"status": "error", "code": "invalid_message"}
    if isinstance(validated.payload, OAuthModePreferencePayload):
        return {"status": "none"}
    try:
        user = UserManager._from_auth_payload(validated.payload)
    except Exception:
        return {"status": "error", "code": "user_auth_error"}
    return {"status": "success", "user_id": user.get_user_id(), "identity_key": _last_key[0]}


# ---------------------------------------------------------------------------------------------
# The generator.

TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
ODD = " \t\"'\\;,=:/+%@!#$&*()[]{}<>?|^`"
LATIN1 = "\xa0\x85\xe9\xff\xc3\xa9\xb5"
WHITESPACE = [" ", "  ", "\t", " \t ", "\xa0", "\x85", ""]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, items):
        return self.r.choice(items)

    def chance(self, p):
        return self.r.random() < p

    def text(self, alphabet=TOKEN, lo=0, hi=16):
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(lo, hi)))

    def value(self):
        """A header-safe text: visible ASCII, tab and Latin-1, as HTTP carries them."""
        kind = self.r.random()
        if kind < 0.5:
            return self.text(TOKEN, 1, 24)
        if kind < 0.8:
            return self.text(TOKEN + ODD, 0, 24)
        return self.text(TOKEN + ODD + LATIN1, 0, 24)

    def identity_string(self):
        return self.pick([
            lambda: self.text(TOKEN, 1, 12),
            lambda: "  " + self.text(TOKEN, 1, 8) + " \t",
            lambda: "",
            lambda: "   ",
            lambda: "\u3000x\u2028",
            lambda: "caf\u00e9@example.com",
            lambda: self.text(TOKEN, 1, 4) + self.pick(["\u001f", "\u0007", "\u0000", "\u007f", "\n", "\t"]) + "x",
            lambda: self.pick(["\u001f", "\u001c"]) + self.text(TOKEN, 1, 6),
            lambda: "https://issuer.example\u001f" + self.text(TOKEN, 1, 6),
        ])()

    def claim_value(self, depth=0):
        return self.pick([
            lambda: self.identity_string(),
            lambda: self.r.randint(-5, 2**40),
            lambda: self.pick([0, 1, -1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64]),
            lambda: self.pick([1.5, 0.0, -2.25, 1e20]),
            lambda: self.pick([True, False, None]),
            lambda: [self.identity_string() for _ in range(self.r.randint(0, 3))],
            lambda: [self.text(TOKEN, 1, 5), self.r.randint(0, 9)],
            lambda: {} if depth > 1 else {"roles": [self.text(TOKEN, 1, 5)]},
        ])()

    def claims(self):
        claims = {}
        for name in ["sub", "email", "preferred_username"]:
            if self.chance(0.5):
                claims[name] = self.identity_string() if self.chance(0.8) else self.claim_value()
        for name in ["name", "given_name", "family_name", "scope", "roles", "groups", "aud", "exp", "iat",
                     "azp", "client_id", "iss", "realm_access", "nbf"]:
            if self.chance(0.25):
                claims[name] = self.claim_value()
        if self.chance(0.1):
            claims["realm_access"] = {"roles": [self.text(TOKEN, 1, 6) for _ in range(2)]}
        if self.chance(0.1):
            claims["name"] = self.pick(["Ada Lovelace", "  Ada  ", "Ada\u3000Byron King", "", "x"])
        if self.chance(0.05):
            claims["deep"] = json.loads("[" * 127 + "]" * 127)
        return claims

    def segment(self, obj):
        text = json.dumps(obj, separators=self.pick([(",", ":"), (", ", ": ")]), ensure_ascii=self.chance(0.7))
        data = text.encode()
        if self.chance(0.03):
            data = b"\xef\xbb\xbf" + data
        return self.b64url(data)

    def b64url(self, data):
        encoded = base64.urlsafe_b64encode(data).decode()
        stripped = encoded.rstrip("=")
        mode = self.r.random()
        if mode < 0.85:
            return stripped
        if mode < 0.93:
            return encoded
        if mode < 0.96:
            return stripped + "="
        return stripped.replace("-", "+") if "-" in stripped else stripped + "!"

    def jwt(self):
        header = {"alg": self.pick(["HS256", "RS256", "none", "ES256"])}
        if self.chance(0.5):
            header["typ"] = self.pick(["JWT", "at+jwt", 5])
        if self.chance(0.1):
            header["kid"] = self.pick(["k1", 7, None])
        if self.chance(0.05):
            header["crit"] = self.pick([["b64"], ["exp"], [], "b64"])
        payload = self.claims() if self.chance(0.95) else self.pick([[], "x", 1, None])
        signature = self.pick(["", self.b64url(self.r.randbytes(self.r.randint(1, 40))), "sig!", "c2ln"])
        if self.chance(0.02):
            return self.segment(header) + "." + self.segment(payload)
        return ".".join([self.segment(header), self.segment(payload), signature])

    def basic(self):
        user = self.pick([self.text(TOKEN, 1, 10), "", "caf\u00e9", "a:b", self.identity_string()])
        password = self.pick([self.text(TOKEN + ODD, 0, 12), "", ":", "p\u00e9"])
        raw = f"{user}:{password}" if self.chance(0.9) else user
        encoded = base64.b64encode(raw.encode("utf-8", "surrogatepass")).decode()
        mode = self.r.random()
        if mode < 0.8:
            return encoded
        if mode < 0.85:
            return encoded.rstrip("=")
        if mode < 0.9:
            return encoded + "!!"
        if mode < 0.95:
            return base64.urlsafe_b64encode(raw.encode()).decode()
        return base64.b64encode(self.r.randbytes(self.r.randint(1, 12))).decode()

    def cookie_value(self):
        return self.pick([
            lambda: self.text(TOKEN, 1, 20),
            lambda: "",
            lambda: '"' + self.text(TOKEN + " ;,", 0, 12) + '"',
            lambda: '"' + self.text(TOKEN, 1, 5) + self.pick(["\\\\", '\\"', "\\037", "\\101", "\\000", "\\177",
                                                              "\\x", "\\"]) + self.text(TOKEN, 0, 5) + '"',
            lambda: self.value().replace(";", ""),
            lambda: " " + self.text(TOKEN, 1, 8) + " ",
        ])()

    def cookie_header(self):
        parts = []
        for _ in range(self.r.randint(1, 4)):
            name = self.pick(["nat-session", "nat-session", "Nat-Session", "nat_session", "theme", "nat-session ",
                              self.text(TOKEN, 1, 6)])
            parts.append(f"{name}={self.cookie_value()}")
        return self.pick(["; ", ";", " ; ", ", "]).join(parts)

    def authorization(self):
        scheme = self.pick(["Bearer", "bearer", "BEARER", "Basic", "basic", "Token", "Digest", "", "Bearer"])
        if scheme.lower() == "bearer":
            credential = self.jwt() if self.chance(0.6) else self.value()
        elif scheme.lower() == "basic":
            credential = self.basic()
        else:
            credential = self.value()
        return self.pick(WHITESPACE[:3] + [""]) + scheme + self.pick(WHITESPACE) + credential + self.pick(["", " ", "\t"])

    def headers(self):
        headers = []
        for _ in range(self.r.randint(0, 3)):
            kind = self.r.random()
            if kind < 0.35:
                headers.append(["cookie", self.cookie_header()])
            elif kind < 0.8:
                headers.append(["authorization", self.authorization()])
            elif kind < 0.95:
                headers.append(["x-api-key", self.pick([self.value(), "", " ", self.text(TOKEN, 1, 30)])])
            else:
                headers.append([self.pick(["x-forwarded-user", "x-api-key2"]), self.value()])
        return headers

    def session(self):
        return self.pick([
            lambda: self.text(TOKEN, 1, 16),
            lambda: "",
            lambda: self.text(TOKEN + " /%+?&=", 1, 10),
            lambda: self.text(TOKEN, 1, 6) + "\n" if self.chance(0.2) else self.text(TOKEN, 1, 6),
            lambda: "caf\u00e9",
        ])()

    def auth_message(self):
        method = self.pick(["jwt", "api_key", "basic", "oauth_mode_preference", "other"])
        payload = {"method": method}
        if method in ("jwt", "api_key"):
            payload["token"] = self.pick([
                lambda: self.jwt() if method == "jwt" else self.text(TOKEN + ODD, 1, 20),
                lambda: "",
                lambda: self.identity_string(),
                lambda: self.pick([5, None, ["t"]]),
            ])()
        elif method == "basic":
            payload["username"] = self.pick([self.text(TOKEN, 1, 8), "", self.identity_string(), 7])
            payload["password"] = self.pick([self.text(TOKEN + ODD, 1, 8), "", "p\u001fw", None])
        elif method == "oauth_mode_preference":
            payload["mode"] = self.pick(["redirect", "popup", "other", 1])
        if self.chance(0.05):
            del payload["method"]
        if self.chance(0.05):
            payload["extra"] = 1
        message = {"type": "auth_message", "payload": payload}
        if self.chance(0.2):
            message["timestamp"] = self.pick(["2026-01-01T00:00:00Z", 5, None, "not a time"])
        if self.chance(0.03):
            message["payload"] = self.pick([None, "x", []])
        if self.chance(0.03):
            message["extra"] = True
        return message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=6000)
    args = parser.parse_args()
    gen = Gen(args.seed)
    sections = {"requests": [], "websocket_query": [], "auth_messages": []}
    for i in range(args.count):
        kind = gen.r.random()
        name = f"seed{args.seed}_{i}"
        if kind < 0.6:
            headers = gen.headers()
            try:
                expect = request_outcome(headers)
            except UnicodeEncodeError:
                continue
            sections["requests"].append({"name": name, "headers": headers, "expect": expect})
        elif kind < 0.75:
            headers = [h for h in gen.headers() if gen.chance(0.7)]
            session = gen.session()
            sections["websocket_query"].append(
                {"name": name, "headers": headers, "session": session, "expect": websocket_outcome(headers, session)})
        else:
            message = gen.auth_message()
            sections["auth_messages"].append({"name": name, "message": message, "expect": auth_message_outcome(message)})
    json.dump({"reference": "nvidia-nat-core 1.9.0 (scripts/differential.py)", "seed": args.seed, **sections},
              sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    asyncio.run(asyncio.sleep(0))
    main()
