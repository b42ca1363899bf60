//! The routing headers against the JSON-RPC body they mirror (the 2026-07-28 transport's
//! "server validation"): any server that processes the body must refuse a request whose
//! headers, after decoding, differ from the body.

use std::borrow::Cow;

use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use crate::mcp::jsonrpc::{HEADER_MISMATCH, INVALID_REQUEST, PARSE_ERROR};
use crate::mcp::operation::{
    MCP_METHOD, MCP_NAME, MCP_PROTOCOL_VERSION, McpHeaderError, McpOperation, NAMED_METHODS,
    decode, is_routing_revision, single,
};

/// A body whose headers match it: the operation it performs (`None` for a JSON-RPC response
/// or a message without a method), and its `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyCheck {
    /// The body's method and name (tool, prompt, resource URI).
    pub operation: Option<McpOperation>,
    /// The body's `id` (`null` without one), for the error reply.
    pub id: Value,
}

/// Why a body is refused: its JSON-RPC error `code` (`-32020`, `-32700`, `-32600`), a message,
/// and the body's `id` when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyRefusal {
    /// The JSON-RPC error code.
    pub code: i64,
    /// What is wrong (header names, never a credential).
    pub message: String,
    /// The body's `id`, or `null`.
    pub id: Value,
}

/// Checks `body` against the routing headers in `headers`.
///
/// A request of the 2026-07-28 revision (its body's `params._meta` names a protocol version,
/// or its `MCP-Protocol-Version` header is that revision or later) must carry
/// `MCP-Protocol-Version` equal to the body's, `Mcp-Method` equal to its `method`, and, for
/// `tools/call`, `prompts/get` (`params.name`) and `resources/read` (`params.uri`), `Mcp-Name`
/// equal to it after decoding. A request of an older revision may omit them; any it sends must
/// match too.
///
/// # Errors
/// [`BodyRefusal`]: `-32700` for a body that is not JSON, `-32600` for one that is not a
/// JSON-RPC object, `-32020` for headers that are missing, malformed or differ.
///
/// ```
/// use axum_userinfo::mcp::check_body;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("mcp-protocol-version", "2026-07-28".parse().unwrap());
/// headers.insert("mcp-method", "tools/call".parse().unwrap());
/// headers.insert("mcp-name", "read_file".parse().unwrap());
/// let body = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"delete_file",
///     "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
/// let refused = check_body(&headers, body).unwrap_err();
/// assert_eq!((refused.code, refused.id.as_i64()), (-32020, Some(7)));
/// ```
pub fn check_body(headers: &HeaderMap, body: &[u8]) -> Result<BodyCheck, BodyRefusal> {
    let refuse = |code, message: String, id: &Value| BodyRefusal {
        code,
        message,
        id: id.clone(),
    };
    let Object(message): Object<Message<'_>> =
        serde_json::from_slice(body).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => refuse(
                INVALID_REQUEST,
                "Invalid Request: the body is not one JSON-RPC message (an object whose method, \
             params.name, params.uri and protocol version are strings, each once)"
                    .into(),
                &Value::Null,
            ),
            _ => refuse(
                PARSE_ERROR,
                "Parse error: the body is not JSON".into(),
                &Value::Null,
            ),
        })?;
    let id = message.id.unwrap_or(Value::Null);
    let mismatch = |error: McpHeaderError| refuse(HEADER_MISMATCH, error.to_string(), &id);
    let method = message.method.as_deref();
    let params = message.params.as_ref().map(|Object(params)| params);
    let body_version = params
        .and_then(|params| params.meta.as_ref())
        .and_then(|Object(meta)| meta.protocol_version.as_deref());
    let header_method = single(headers, &MCP_METHOD, "Mcp-Method").map_err(mismatch)?;
    let header_name = single(headers, &MCP_NAME, "Mcp-Name")
        .map_err(mismatch)?
        .map(|name| decode(name, "Mcp-Name"))
        .transpose()
        .map_err(mismatch)?;
    let header_version =
        single(headers, &MCP_PROTOCOL_VERSION, "MCP-Protocol-Version").map_err(mismatch)?;
    let modern = body_version.is_some() || header_version.is_some_and(is_routing_revision);
    let differ = |what: &str| mismatch(McpHeaderError::Mismatch(what.to_owned()));

    if modern && method.is_some() && header_version != body_version {
        return Err(differ(
            "the MCP-Protocol-Version header does not match params._meta's protocolVersion",
        ));
    }
    match (header_method, method) {
        (Some(header), Some(body)) if header == body => {}
        (None, Some(_)) if !modern => {}
        (None, None) => {}
        (None, Some(_)) => return Err(mismatch(McpHeaderError::MissingMethod)),
        _ => {
            return Err(differ(
                "the Mcp-Method header does not match the body's method",
            ));
        }
    }
    let body_name = method
        .filter(|method| NAMED_METHODS.contains(method))
        .map(|method| named(params, method));
    match (header_name, body_name) {
        (None, None) => {}
        (None, Some(_)) if !modern => {}
        (None, Some(_)) => {
            return Err(mismatch(McpHeaderError::MissingName(
                method.unwrap_or_default().to_owned(),
            )));
        }
        (Some(header), Some(Some(body))) if header == body => {}
        _ => return Err(differ("the Mcp-Name header does not match the body's name")),
    }
    let operation = method.map(|method| {
        let name = NAMED_METHODS
            .contains(&method)
            .then(|| named(params, method).map(str::to_owned))
            .flatten();
        McpOperation::new(method, name)
    });
    Ok(BodyCheck { operation, id })
}

/// The name a named method's body gives: `params.uri` for `resources/read`, else
/// `params.name`.
fn named<'a>(params: Option<&'a Params<'_>>, method: &str) -> Option<&'a str> {
    let params = params?;
    if method == "resources/read" {
        params.uri.as_deref()
    } else {
        params.name.as_deref()
    }
}

/// What the check reads of a JSON-RPC message, borrowed from the body where it can be (the
/// rest is skipped, never built). A member it reads that is repeated, or of another type,
/// refuses the message: two parsers that keep different copies of one member would otherwise
/// disagree on what the request does.
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default, borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    params: Option<Object<Params<'a>>>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(default, borrow, rename = "_meta")]
    meta: Option<Object<Meta<'a>>>,
}

/// A JSON object read as `T`, and only an object: serde's derived structs also take arrays
/// (their members by position), which would let `"params": ["read_file"]` read as a name
/// that the server, reading positional params, never sees.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Only<T> {
            type Value = Object<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(Only(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(default, borrow, rename = "io.modelcontextprotocol/protocolVersion")]
    protocol_version: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    const MODERN: &[(&str, &str)] = &[
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "read_file"),
    ];

    fn call(name: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}},
        }))
        .unwrap_or_default()
    }

    fn code(pairs: &[(&'static str, &'static str)], body: &[u8]) -> Option<i64> {
        check_body(&headers(pairs), body)
            .err()
            .map(|refusal| refusal.code)
    }

    #[test]
    fn matching_headers_pass_and_name_the_operation() {
        let checked = check_body(&headers(MODERN), &call("read_file"));
        let operation = checked.ok().and_then(|c| c.operation);
        assert_eq!(
            operation,
            Some(McpOperation::new("tools/call", Some("read_file".into())))
        );
    }

    #[test]
    fn every_mismatch_is_32020() {
        assert_eq!(code(MODERN, &call("delete_file")), Some(-32020));
        let no_name = &MODERN[..2];
        assert_eq!(code(no_name, &call("read_file")), Some(-32020));
        let no_version = &MODERN[1..];
        assert_eq!(code(no_version, &call("read_file")), Some(-32020));
        let other_version: &[(&str, &str)] = &[
            ("mcp-protocol-version", "2026-09-01"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "read_file"),
        ];
        assert_eq!(code(other_version, &call("read_file")), Some(-32020));
        let other_method: &[(&str, &str)] = &[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
            ("mcp-name", "read_file"),
        ];
        assert_eq!(code(other_method, &call("read_file")), Some(-32020));
        // A name that only matches after decoding passes; one that differs after decoding
        // does not.
        let encoded: &[(&str, &str)] = &[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?base64?cmVhZF9maWxl?="),
        ];
        assert_eq!(code(encoded, &call("read_file")), None);
        assert_eq!(
            code(encoded, &call("=?base64?cmVhZF9maWxl?=")),
            Some(-32020)
        );
    }

    #[test]
    fn an_older_client_may_omit_the_headers_never_contradict_the_body() {
        let body = br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"deploy"}}"#;
        let legacy = headers(&[("mcp-protocol-version", "2025-11-25")]);
        let operation = check_body(&legacy, body).ok().and_then(|c| c.operation);
        assert_eq!(
            operation,
            Some(McpOperation::new("tools/call", Some("deploy".into())))
        );
        assert_eq!(
            check_body(&HeaderMap::new(), body).ok().map(|c| c.id),
            Some(2.into())
        );
        let lying: &[(&str, &str)] = &[("mcp-method", "tools/call"), ("mcp-name", "read_file")];
        assert_eq!(code(lying, body), Some(-32020));
    }

    #[test]
    fn not_json_and_not_a_message() {
        assert_eq!(code(MODERN, b"{"), Some(-32700));
        assert_eq!(code(MODERN, b"[]"), Some(-32600));
        assert_eq!(code(MODERN, br#"{"method":5}"#), Some(-32600));
        // Positional params are not a name.
        let positional =
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":["read_file"]}"#;
        assert_eq!(code(MODERN, positional), Some(-32600));
        assert_eq!(code(MODERN, br#"["tools/call"]"#), Some(-32600));
        // A repeated member the check reads: refused, whichever copy another parser keeps.
        let twice = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file","name":"delete_file","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        assert_eq!(code(MODERN, twice), Some(-32600));
        let escaped = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read\u005ffile","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        assert_eq!(
            code(MODERN, escaped),
            None,
            "an escaped name is the name it spells"
        );
    }
}
