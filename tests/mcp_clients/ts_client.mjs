// The official MCP TypeScript SDK (npm `@modelcontextprotocol/sdk`, pinned in
// tests/mcp_sdk.rs; it speaks 2025-11-25: `initialize`, no routing headers) against the
// example server: the 401 leads it to the metadata and the authorization server, it gets a
// token by client credentials, lists the tools, calls the allowed one, is refused the other
// with 403 insufficient_scope, steps up to that scope, and succeeds. One JSON line per step.
//
// usage: node ts_client.mjs MCP_URL ISSUER CLIENT_ID CLIENT_SECRET
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const [url, issuer, clientId, clientSecret] = process.argv.slice(2);
const step = (name, fields = {}) => console.log(JSON.stringify({ step: name, ...fields }));

// SDK 1.32's ClientCredentialsProvider asks the token endpoint for its configured scope only
// (`fetchToken` reads `clientMetadata.scope`), never the scope a 403 challenge names: the
// transport retries with the same token's scope and gives up. A client acting on its own
// behalf steps up by asking for the union of what it asked before and what the challenge
// names (the MCP spec's step-up rule), which this subclass does.
class SteppingUp extends ClientCredentialsProvider {
  requested = new Set(['tools']); // the basic scope, configured
  get clientMetadata() {
    return { ...super.clientMetadata, scope: [...this.requested].join(' ') };
  }
}
const provider = new SteppingUp({ clientId, clientSecret, expectedIssuer: issuer, scope: 'tools' });
const requests = [];
const recording = async (input, init) => {
  const response = await fetch(input, init);
  requests.push(String(input instanceof Request ? input.url : input));
  if (response.status === 401 || response.status === 403) {
    const challenge = response.headers.get('www-authenticate') ?? '';
    step('challenged', { status: response.status, challenge });
    const scope = /scope="([^"]*)"/.exec(challenge);
    if (response.status === 403 && scope) scope[1].split(' ').forEach((s) => provider.requested.add(s));
  }
  return response;
};
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: recording });
const client = new Client({ name: 'axum-userinfo-ts-test', version: '1.0.0' });
await client.connect(transport);
step('token', { scope: provider.tokens()?.scope ?? null });
const tools = await client.listTools();
step('listed', { tools: tools.tools.map((t) => t.name).sort() });
const read = await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
step('called', { tool: 'read_file', error: read.isError, text: read.content[0].text });
const deploy = await client.callTool({ name: 'deploy_prod', arguments: {} });
step('called', { tool: 'deploy_prod', error: deploy.isError, text: deploy.content[0].text,
  scope: provider.tokens()?.scope ?? null });
await client.close();
step('requests', { urls: requests });
