"""The reference's introspection path (nvidia-nat-core 1.9: BearerTokenValidator.verify, authlib's
AsyncOAuth2Client) on the token and loopback endpoint `cargo bench --bench introspect` serves
(its spec on stdin): a first request (the validator's cache cleared before each call) and a
cached one. Prints the median time per call over five rounds, as JSON on stdout.
"""

import asyncio
import json
import logging
import os
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

from nat.authentication.credential_validator.bearer_token_validator import BearerTokenValidator  # noqa: E402


async def main():
    spec = json.load(sys.stdin)
    validator = BearerTokenValidator(
        introspection_endpoint=spec["endpoint"], issuer=spec["issuer"], audience=spec["audience"],
        client_id=spec["client_id"], client_secret=spec["client_secret"], leeway=60)
    token = spec["token"]
    assert (await validator.verify(token)).active

    async def rounds(calls, clear):
        out = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(calls):
                if clear:
                    validator._introspection_cache.clear()
                await validator.verify(token)
            out.append((time.perf_counter() - start) / calls * 1e6)
        return out

    first = await rounds(100, True)
    cached = await rounds(20000, False)
    print(json.dumps({
        "python": sys.version.split()[0],
        "first_us": statistics.median(first), "first_rounds_us": first,
        "cached_us": statistics.median(cached), "cached_rounds_us": cached,
    }))


if __name__ == "__main__":
    asyncio.run(main())
