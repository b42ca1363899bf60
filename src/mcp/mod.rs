//! MCP servers (the 2026-07-28 revision of the Model Context Protocol): per-operation
//! authorization and the header check its transport requires.
//!
//! Every request of this revision names its JSON-RPC method in `Mcp-Method` and, for
//! `tools/call`, `resources/read` and `prompts/get`, the tool, prompt or resource in
//! `Mcp-Name` (Base64 in `=?base64?…?=` when it is not plain ASCII), so that a gateway can
//! route and authorize without the body. Two pieces use them:
//!
//! - [`McpPolicy`]: which [`Guard`](crate::Guard) each operation needs (`tools/call` of
//!   `deploy_*` → scope `deploy`), judged under the resolver's
//!   [`ScopeHierarchy`](crate::authorize::ScopeHierarchy); as a layer
//!   ([`McpPolicyLayer`](crate::layer::McpPolicyLayer)) or at a gateway (the demo's
//!   `/whoami`, `--mcp-scope`). A refusal is 401 or 403 with every scope of the operation in
//!   one challenge; unreadable headers are 400 (`-32020`).
//! - [`McpHeaderCheck`](crate::layer::McpHeaderCheck): for the server that reads the body.
//!   The headers must match the body (`method`, `params.name` / `params.uri`, the protocol
//!   version in `params._meta`), else 400 with JSON-RPC error `-32020` (`HeaderMismatch`):
//!   without it, a token allowed `read_file` calls `delete_file` by sending
//!   `Mcp-Name: read_file`. It hands the body's operation to the policy behind it, so a client
//!   of an older revision (no routing headers) gets the same per-tool decisions.
//!
//! **Clients without routing headers** (before 2026-07-28): behind the body check, the
//! policy judges the body's operation. Without it (a gateway), [`WithoutHeaders`] decides:
//! refuse (400, the default) or require every rule. Never "no requirement".
//!
//! | file | concern |
//! | --- | --- |
//! | `operation.rs` | [`McpOperation`]: the routing headers, decoded |
//! | `name_pattern.rs` | `*` patterns over tool, prompt and resource names |
//! | `policy.rs` | [`McpPolicy`], [`McpScopeRule`], [`McpRefusal`] |
//! | `body.rs` | the headers against the JSON-RPC body |
//! | `jsonrpc.rs` | the JSON-RPC error bodies of the refusals |

mod body;
mod jsonrpc;
mod name_pattern;
mod operation;
mod policy;

pub use body::{BodyCheck, BodyRefusal, check_body};
pub use jsonrpc::{HEADER_MISMATCH, error_body};
pub use operation::{
    MCP_METHOD, MCP_NAME, MCP_PROTOCOL_VERSION, McpHeaderError, McpOperation,
    ROUTING_HEADERS_REVISION,
};
pub use policy::{McpPolicy, McpRefusal, McpScopeRule, WithoutHeaders};
