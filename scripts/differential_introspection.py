#!/usr/bin/env python3
"""Run the reference's introspection path (nvidia-nat-core 1.9: BearerTokenValidator.verify,
RFC 7662 through authlib's AsyncOAuth2Client) on the opaque tokens of
tests/differential_introspection.rs, against the test kit's identity provider on 127.0.0.1.

Each token is verified twice: by a validator of its own ("fresh": no answer cached from another
token), and by one validator shared by every token of the same required scopes ("shared", as a
server runs it), whose cache is keyed by the token's first 10 characters.

Reads {"endpoint", "issuer", "audience", "client_id", "client_secret",
"cases": [{"token", "required"}]} on stdin; prints, one per case,
{"fresh": RESULT, "shared": RESULT} with RESULT {"active", "subject", "username"}.
"""
import asyncio
import json
import logging
import os
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)  # the validator logs every refusal at WARNING
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # http on loopback, as the validator allows

from nat.authentication.credential_validator.bearer_token_validator import BearerTokenValidator  # noqa: E402


def result(validated):
    return {"active": bool(validated.active), "subject": validated.subject, "username": validated.username}


async def main():
    spec = json.load(sys.stdin)

    def validator(required):
        return BearerTokenValidator(
            introspection_endpoint=spec["endpoint"], issuer=spec["issuer"], audience=spec["audience"],
            client_id=spec["client_id"], client_secret=spec["client_secret"],
            scopes=list(required) or None, leeway=60)

    shared = {}
    out = []
    for case in spec["cases"]:
        required = tuple(case["required"])
        if required not in shared:
            shared[required] = validator(required)
        fresh = await validator(required).verify(case["token"])
        cached = await shared[required].verify(case["token"])
        out.append({"fresh": result(fresh), "shared": result(cached)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    asyncio.run(main())
