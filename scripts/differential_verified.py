#!/usr/bin/env python3
"""Run the reference's verifying path (nvidia-nat-core 1.9: BearerTokenValidator, authlib, and
UserManager.extract_user_from_connection_with_verification) on the tokens of tests/
differential_verified.rs, as its server runs it: one validator per configuration (issuer,
JWKS URL on 127.0.0.1, audience, required scopes, leeway 60 s).

Reads {"issuer", "jwks_uri", "audience", "cases": [{"token", "required"}]} on stdin; prints
[{"outcome": "user", "user_id"} | {"outcome": "error", "reference_error"}], one per case.
"""
import asyncio
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)  # the validator logs every refusal at WARNING

from starlette.requests import Request  # noqa: E402

from nat.authentication.credential_validator.bearer_token_validator import BearerTokenValidator  # noqa: E402
from nat.runtime.user_manager import UserManager  # noqa: E402


async def main():
    spec = json.load(sys.stdin)
    issuer = spec["issuer"]
    validators = {}
    out = []
    for case in spec["cases"]:
        required = tuple(case["required"])
        if required not in validators:
            validators[required] = BearerTokenValidator(
                issuer=issuer, jwks_uri=spec["jwks_uri"], audience=spec["audience"],
                scopes=list(required) or None, leeway=60)
        headers = [(b"authorization", f"Bearer {case['token']}".encode("latin-1"))]
        scope = {"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""}
        try:
            user = await UserManager.extract_user_from_connection_with_verification(
                Request(scope), jwt_validators={issuer: validators[required]})
            if user is None:
                out.append({"outcome": "anonymous"})
            else:
                out.append({"outcome": "user", "user_id": user.get_user_id()})
        except Exception as exc:  # the reference's refusals: ValueError and its subclasses
            out.append({"outcome": "error", "reference_error": f"{type(exc).__name__}: {exc}"[:200]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    asyncio.run(main())
