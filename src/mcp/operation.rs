//! [`McpOperation`]: the JSON-RPC method and the tool, prompt or resource a request of the MCP
//! 2026-07-28 revision names in its routing headers (`Mcp-Method`, `Mcp-Name`), decoded.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName};

/// `Mcp-Method`: the request's JSON-RPC `method`.
pub const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`: `params.name` (a tool or prompt) or `params.uri` (a resource).
pub const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
/// `MCP-Protocol-Version`.
pub const MCP_PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");

/// The first protocol revision whose requests carry the routing headers and the version in
/// their body's `_meta`.
pub const ROUTING_HEADERS_REVISION: &str = "2026-07-28";

/// The methods whose requests name a tool, prompt or resource (`Mcp-Name` required).
pub(crate) const NAMED_METHODS: [&str; 3] = ["tools/call", "resources/read", "prompts/get"];

/// What an MCP request asks for: its JSON-RPC method and, for `tools/call`, `prompts/get`
/// and `resources/read`, the tool or prompt name or the resource URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpOperation {
    method: String,
    name: Option<String>,
}

/// Why the routing headers cannot be read: a `400` (MCP's `HeaderMismatch`, `-32020`: the
/// headers "are missing or malformed").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum McpHeaderError {
    /// No `Mcp-Method` (and the policy refuses requests without it).
    #[error("the Mcp-Method header is required")]
    MissingMethod,
    /// No `Mcp-Name` on a `tools/call`, `resources/read` or `prompts/get` request.
    #[error("the Mcp-Name header is required for {0}")]
    MissingName(String),
    /// A routing header sent twice.
    #[error("the {0} header is repeated")]
    Repeated(&'static str),
    /// A value that is not visible ASCII, or is empty.
    #[error("the {0} header holds invalid characters")]
    InvalidCharacters(&'static str),
    /// `=?base64?…?=` that is not Base64 of UTF-8 text.
    #[error("the {0} header's Base64 value does not decode to UTF-8 text")]
    InvalidBase64(&'static str),
    /// A header that does not match the request body (the body check).
    #[error("Header mismatch: {0}")]
    Mismatch(String),
}

impl McpOperation {
    /// An operation: `method`, and the name it applies to.
    #[must_use]
    pub fn new(method: impl Into<String>, name: Option<String>) -> Self {
        Self {
            method: method.into(),
            name,
        }
    }

    /// The JSON-RPC method.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The tool or prompt name, or the resource URI.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The operation the routing headers name; `None` without `Mcp-Method`.
    ///
    /// # Errors
    /// [`McpHeaderError`] for a repeated header, invalid characters, a Base64 sentinel that
    /// does not decode, or a named method without `Mcp-Name`.
    ///
    /// ```
    /// use axum_userinfo::mcp::McpOperation;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("mcp-method", "tools/call".parse().unwrap());
    /// headers.insert("mcp-name", "=?base64?5aSp5rCX?=".parse().unwrap());
    /// let operation = McpOperation::from_headers(&headers)?.unwrap();
    /// assert_eq!((operation.method(), operation.name()), ("tools/call", Some("天気")));
    /// # Ok::<(), axum_userinfo::mcp::McpHeaderError>(())
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, McpHeaderError> {
        let Some(method) = single(headers, &MCP_METHOD, "Mcp-Method")? else {
            if single(headers, &MCP_NAME, "Mcp-Name")?.is_some() {
                return Err(McpHeaderError::MissingMethod);
            }
            return Ok(None);
        };
        let name = match single(headers, &MCP_NAME, "Mcp-Name")? {
            Some(name) => Some(decode(name, "Mcp-Name")?),
            None if NAMED_METHODS.contains(&method) => {
                return Err(McpHeaderError::MissingName(method.to_owned()));
            }
            None => None,
        };
        Ok(Some(Self::new(method, name)))
    }
}

/// The one value of a header, as visible ASCII (space and tab inside allowed); `None` when
/// absent.
pub(crate) fn single<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
    shown: &'static str,
) -> Result<Option<&'a str>, McpHeaderError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(McpHeaderError::Repeated(shown));
    }
    let text = value
        .to_str()
        .map_err(|_| McpHeaderError::InvalidCharacters(shown))?;
    if text.is_empty() || text.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(McpHeaderError::InvalidCharacters(shown));
    }
    Ok(Some(text))
}

/// A header value as the spec's value encoding has it: `=?base64?…?=` decoded (Base64 of
/// UTF-8), anything else as it is.
pub(crate) fn decode(value: &str, shown: &'static str) -> Result<String, McpHeaderError> {
    let Some(encoded) = (value.strip_prefix("=?base64?")).and_then(|rest| rest.strip_suffix("?="))
    else {
        return Ok(value.to_owned());
    };
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| McpHeaderError::InvalidBase64(shown))?;
    String::from_utf8(bytes).map_err(|_| McpHeaderError::InvalidBase64(shown))
}

/// Whether a protocol version is the routing headers' revision or later (versions are
/// `YYYY-MM-DD`; anything else is read as later: such a client must send the headers).
pub(crate) fn is_routing_revision(version: &str) -> bool {
    let dated = version.len() == 10
        && version.bytes().enumerate().all(|(at, b)| match at {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    !dated || version >= ROUTING_HEADERS_REVISION
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                map.append(name, value);
            }
        }
        map
    }

    fn read(pairs: &[(&str, &str)]) -> Result<Option<McpOperation>, McpHeaderError> {
        McpOperation::from_headers(&headers(pairs))
    }

    #[test]
    fn plain_and_encoded_names() {
        let plain = read(&[("mcp-method", "tools/call"), ("mcp-name", "get_weather")]);
        assert_eq!(
            plain,
            Ok(Some(McpOperation::new(
                "tools/call",
                Some("get_weather".into())
            )))
        );
        // The spec's own examples.
        let padded = read(&[
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?base64?IHBhZGRlZCA=?="),
        ]);
        assert_eq!(
            padded.ok().flatten().and_then(|op| op.name),
            Some(" padded ".into())
        );
        let sentinel = read(&[
            ("mcp-method", "prompts/get"),
            ("mcp-name", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
        ]);
        assert_eq!(
            sentinel.ok().flatten().and_then(|op| op.name),
            Some("=?base64?literal?=".into())
        );
        // The markers are case-sensitive: anything else is a plain name.
        let upper = read(&[
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?BASE64?eA==?="),
        ]);
        assert_eq!(
            upper.ok().flatten().and_then(|op| op.name),
            Some("=?BASE64?eA==?=".into())
        );
        let list = read(&[("mcp-method", "tools/list")]);
        assert_eq!(list, Ok(Some(McpOperation::new("tools/list", None))));
        assert_eq!(read(&[]), Ok(None));
    }

    #[test]
    fn malformed_headers_are_refused() {
        let cases: [(&[(&str, &str)], McpHeaderError); 6] = [
            (
                &[("mcp-method", "tools/call")],
                McpHeaderError::MissingName("tools/call".into()),
            ),
            (&[("mcp-name", "x")], McpHeaderError::MissingMethod),
            (
                &[("mcp-method", "tools/call"), ("mcp-method", "tools/list")],
                McpHeaderError::Repeated("Mcp-Method"),
            ),
            (
                &[
                    ("mcp-method", "tools/call"),
                    ("mcp-name", "a"),
                    ("mcp-name", "b"),
                ],
                McpHeaderError::Repeated("Mcp-Name"),
            ),
            (
                &[("mcp-method", "tools/call"), ("mcp-name", "=?base64?!!?=")],
                McpHeaderError::InvalidBase64("Mcp-Name"),
            ),
            (
                &[
                    ("mcp-method", "tools/call"),
                    ("mcp-name", "=?base64?/w==?="),
                ],
                McpHeaderError::InvalidBase64("Mcp-Name"),
            ),
        ];
        for (pairs, error) in cases {
            assert_eq!(read(pairs), Err(error), "{pairs:?}");
        }
        let mut latin1 = headers(&[("mcp-method", "tools/call")]);
        latin1.insert(
            MCP_NAME,
            http::HeaderValue::from_bytes(b"caf\xe9")
                .unwrap_or(http::HeaderValue::from_static("x")),
        );
        assert_eq!(
            McpOperation::from_headers(&latin1),
            Err(McpHeaderError::InvalidCharacters("Mcp-Name"))
        );
    }
}
