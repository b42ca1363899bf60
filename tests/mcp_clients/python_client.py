"""The official MCP Python SDK (PyPI `mcp`, pinned in tests/mcp_sdk.rs) against the example
server: the 401 leads it to the metadata and the authorization server, it gets a token by
client credentials, lists the tools, calls the allowed one, is refused the other with 403
insufficient_scope, steps up to that scope, and succeeds. Prints one JSON line per step.

usage: python_client.py MCP_URL ISSUER CLIENT_ID CLIENT_SECRET
"""

import asyncio
import json
import sys

import httpx2
from mcp import Client
from mcp.client.auth import TokenStorage
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client


class Memory(TokenStorage):
    def __init__(self):
        self.tokens = None
        self.client = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, info):
        self.client = info


def step(name, **fields):
    print(json.dumps({"step": name, **fields}), flush=True)


async def main(url, issuer, client_id, secret):
    storage = Memory()
    auth = ClientCredentialsOAuthProvider(
        server_url=url, storage=storage, client_id=client_id, client_secret=secret, issuer=issuer
    )
    requests = []

    async def record(request):
        requests.append((request.method, str(request.url)))

    async def record_response(response):
        if response.status_code in (401, 403):
            step("challenged", status=response.status_code,
                 challenge=response.headers.get("www-authenticate", ""))

    async with httpx2.AsyncClient(auth=auth, event_hooks={"request": [record], "response": [record_response]}) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            step("token", scope=storage.tokens.scope if storage.tokens else None)
            tools = await client.list_tools()
            step("listed", tools=sorted(t.name for t in tools.tools))
            read = await client.call_tool("read_file", {"path": "a"})
            step("called", tool="read_file", error=read.is_error, text=read.content[0].text)
            deploy = await client.call_tool("deploy_prod", {})
            step("called", tool="deploy_prod", error=deploy.is_error, text=deploy.content[0].text,
                 scope=storage.tokens.scope if storage.tokens else None)
    step("requests", urls=[u for _, u in requests])


asyncio.run(main(*sys.argv[1:5]))
