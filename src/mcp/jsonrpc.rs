//! The JSON-RPC 2.0 error bodies of the MCP refusals: `-32020` (`HeaderMismatch`) for routing
//! headers that are missing, malformed or do not match the body, `-32700` for a body that is
//! not JSON, `-32600` for one that is not a request.

use serde_json::{Value, json};

/// MCP's `HeaderMismatch` error code (the 2026-07-28 transport's server validation).
pub const HEADER_MISMATCH: i64 = -32020;
/// JSON-RPC's parse error.
pub(crate) const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's invalid request.
pub(crate) const INVALID_REQUEST: i64 = -32600;

/// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}`, as bytes.
#[must_use]
pub fn error_body(id: &Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    serde_json::to_vec(&body).unwrap_or_default()
}
