//! The response headers of a forward-auth endpoint (nginx `auth_request`, Traefik
//! ForwardAuth, Envoy `ext_authz`): who the caller is, for the gateway to pass upstream.
//!
//! ```
//! use axum_userinfo::UserInfo;
//! use axum_userinfo::forward_auth::ForwardAuthHeaders;
//!
//! let headers = ForwardAuthHeaders::new()
//!     .with_claim("email", "X-User-Email")?
//!     .with_claim("groups", "X-User-Groups")?;
//! let claims = serde_json::json!({
//!     "iss": "https://sso.example.com", "sub": "ada",
//!     "email": "ada@example.com", "groups": ["eng", "ops"],
//! });
//! let claims = axum_userinfo::identity::JwtUserInfo::from_claims(claims.as_object().unwrap().clone())?;
//! let user = UserInfo::from_claims_unchecked(claims)?; // claims your own check verified
//! let map = headers.headers(&user);
//! assert_eq!(map["x-user-id"], user.user_id().to_string());
//! assert_eq!(map["x-user-source"], "jwt");
//! assert_eq!(map["x-user-email"], "ada@example.com");
//! assert_eq!(map["x-user-groups"], "eng,ops");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `X-User-Id`, `X-User-Source` and every configured claim header are always set. A configured
//! JWT claim is mapped when it is a string (as it is) or a list of strings (joined with `,`);
//! when the user has no such claim (or is no JWT user), the claim is of another type, or its
//! value is not a valid header value (a control character, CR or LF), the header is sent
//! **empty**, never injected; the last two are logged with the claim's and header's names
//! only. Sending it empty rather than leaving it out matters behind a gateway that only
//! overwrites the headers present in the answer (Envoy's `allowed_upstream_headers`): the
//! client's own `X-User-Email` is replaced by the empty one instead of passing. Claims of an unverified JWT are as
//! unverified as its id: verify tokens ([`JwtVerifier`](crate::verify::JwtVerifier)) before a gateway
//! trusts either.
//!
//! **Lists are unambiguous.** A list is joined with `,` only when every item is a non-empty
//! string without `,` and without leading or trailing whitespace (which an upstream's list
//! parser would trim): otherwise the header is sent empty (and logged with the claim's and
//! header's names), so that no two different lists give the same header. Without that rule
//! `["eng,admin", "ops"]` would read upstream as the three groups of `["eng", "admin", "ops"]`,
//! a membership of `admin` forged by a group's name. An empty list gives an empty header.
//!
//! **Header names are checked when configured**: a claim cannot be mapped to `X-User-Id` or
//! `X-User-Source` ([`ConfigError::InvalidHeaderName`]), to a header that frames, routes or
//! authenticates the response ([`RESERVED_HEADERS`], [`ConfigError::ReservedHeader`]: a claim
//! on `Content-Length` would break a kept-alive connection's framing), nor two claims to one
//! header ([`ConfigError::DuplicateClaimHeader`]: the header would depend on which claims a
//! token has).
//!
//! The gateway must overwrite or drop these headers on the client's request, so that a client
//! sending `X-User-Id: admin` itself never passes for anyone (see the README's "Behind a
//! gateway").
//!
//! # Behind a gateway: the demo server
//!
//! The demo server (or your own endpoint, with `forward_auth::ForwardAuthHeaders`) answers a
//! gateway's auth subrequest: 2xx with `X-User-Id`, `X-User-Source` and the claim headers you
//! name, or 401 / 403 / 503 with the reason. Run it like this:
//!
//! ```text
//! cargo run --example server -- --addr 10.0.0.5:3000 --require \
//!     --oidc https://sso.example.com/realms/main --audience my-api \
//!     --claim-header email=X-User-Email --claim-header groups=X-User-Groups
//! ```
//!
//! - `--require`: anonymous requests are refused (401).
//! - `/whoami?scope=orders:read&scope=orders:write` (all of them), `&role=…`, `&group=…` (any
//!   one): one auth endpoint for every route, each route asking for its own requirements (403
//!   when the user lacks them; 400 for an unknown parameter, so a typo never drops one).
//! - `--oidc ISSUER` (or `--jwks ISSUER=URL`), `--introspection-issuer`, `--api-keys`: when
//!   anything verifies and `--accept` is not given, the demo accepts **only what is verified**
//!   (the library's `accept_only_verified`: JWTs with a verifier, opaque tokens with
//!   introspection, API keys with a key list; never Basic credentials, session cookies or
//!   unverified JWTs), and logs the kinds at start-up: anything else would give a user that
//!   nothing verified, and the gateway would let any client through. `--accept jwt,api_key` (or
//!   any list) is honoured as given, an operator's explicit choice.
//! - `--client-cert-header X-SSL-Client-Cert` (with `--trusted-proxy`): certificate-bound
//!   tokens (RFC 8705) checked against the client certificate the gateway forwards; the
//!   recipes for nginx, Traefik and Envoy are in [`mtls`](crate::mtls).
//!
//! Claim headers, reserved headers, readiness, metrics and the nginx / Traefik / Envoy recipes:
//! the [`forward_auth`](https://docs.rs/axum-userinfo/latest/axum_userinfo/forward_auth/) module's documentation.
#![doc = ""]
#![doc = include_str!("forward_auth.md")]

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::error::ConfigError;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_info::UserInfo;

/// The header that carries the user id.
pub const X_USER_ID: HeaderName = HeaderName::from_static("x-user-id");
/// The header that carries the source the user was resolved from (`jwt`, `api_key`, …).
pub const X_USER_SOURCE: HeaderName = HeaderName::from_static("x-user-source");

/// The headers no claim may be mapped to: HTTP/1.1 framing and hop-by-hop headers
/// (RFC 9110 §7.6.1, RFC 9112), and those that route, type, authenticate or set state on the
/// response. Compared case-insensitively, as header names are.
pub const RESERVED_HEADERS: [HeaderName; 18] = [
    http::header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    http::header::PROXY_AUTHENTICATE,
    http::header::PROXY_AUTHORIZATION,
    http::header::TE,
    http::header::TRAILER,
    http::header::TRANSFER_ENCODING,
    http::header::UPGRADE,
    http::header::CONTENT_LENGTH,
    http::header::CONTENT_TYPE,
    http::header::CONTENT_ENCODING,
    http::header::HOST,
    http::header::SET_COOKIE,
    http::header::LOCATION,
    http::header::DATE,
    http::header::SERVER,
    http::header::WWW_AUTHENTICATE,
];

/// Which headers a user maps to: `X-User-Id`, `X-User-Source`, and the configured claims.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ForwardAuthHeaders {
    claims: Vec<(String, HeaderName)>,
}

impl ForwardAuthHeaders {
    /// `X-User-Id` and `X-User-Source` only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also maps the JWT claim `claim` to the header `header` (call again for more).
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] when `header` is not a header name, or is
    /// `X-User-Id` or `X-User-Source` (a claim must not replace the id);
    /// [`ConfigError::ReservedHeader`] for one of the [`RESERVED_HEADERS`];
    /// [`ConfigError::DuplicateClaimHeader`] when another claim maps to `header` already.
    ///
    /// ```
    /// use axum_userinfo::ConfigError;
    /// use axum_userinfo::forward_auth::ForwardAuthHeaders;
    /// let headers = ForwardAuthHeaders::new().with_claim("email", "X-User-Email")?;
    /// assert!(matches!(
    ///     headers.clone().with_claim("size", "Content-Length"),
    ///     Err(ConfigError::ReservedHeader(_))
    /// ));
    /// assert!(matches!(
    ///     headers.with_claim("mail", "x-user-email"),
    ///     Err(ConfigError::DuplicateClaimHeader(_))
    /// ));
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn with_claim(
        mut self,
        claim: impl Into<String>,
        header: impl AsRef<str>,
    ) -> Result<Self, ConfigError> {
        let name = HeaderName::from_bytes(header.as_ref().trim().as_bytes())
            .map_err(|_| ConfigError::InvalidHeaderName)?;
        if name == X_USER_ID || name == X_USER_SOURCE {
            return Err(ConfigError::InvalidHeaderName);
        }
        if RESERVED_HEADERS.contains(&name) {
            return Err(ConfigError::ReservedHeader(name));
        }
        if self.claims.iter().any(|(_, taken)| *taken == name) {
            return Err(ConfigError::DuplicateClaimHeader(name));
        }
        self.claims.push((claim.into(), name));
        Ok(self)
    }

    /// The configured claim names and their headers.
    pub fn claims(&self) -> impl Iterator<Item = (&str, &HeaderName)> {
        self.claims
            .iter()
            .map(|(claim, header)| (claim.as_str(), header))
    }

    /// The headers of `user`.
    #[must_use]
    pub fn headers(&self, user: &UserInfo) -> HeaderMap {
        let mut headers = HeaderMap::new();
        self.insert_into(user, &mut headers);
        headers
    }

    /// Sets the headers of `user` in `headers`, replacing any of the same names (a claim the
    /// user does not have sets its header empty).
    pub fn insert_into(&self, user: &UserInfo, headers: &mut HeaderMap) {
        // A UUID's text is always a valid header value.
        if let Ok(id) = HeaderValue::try_from(user.user_id().to_string()) {
            headers.insert(X_USER_ID, id);
        }
        headers.insert(
            X_USER_SOURCE,
            HeaderValue::from_static(user.source().as_str()),
        );
        let claims = (user.claims().map(JwtUserInfo::claims)).or_else(|| {
            user.api_key_entry()
                .map(crate::api_keys::ApiKeyEntry::claims)
        });
        for (claim, header) in &self.claims {
            // `roles`, `groups` and `scope` are the mapped grants when the user's verifier
            // maps them (`ClaimMapping`), as guards read them.
            let granted = mapped_grant(user, claim);
            let value = granted
                .as_ref()
                .or_else(|| claims.and_then(|claims| claims.get(claim)));
            let text = value.map(header_text);
            let mapped = match text {
                None | Some(Err(NotMapped::Type)) => None, // absent, or not (a list of) strings
                Some(Err(NotMapped::AmbiguousList)) => {
                    tracing::warn!(
                        claim = %claim,
                        header = %header,
                        "a list claim has an item that is empty, holds ',' or has leading or \
                         trailing whitespace, so its header would be ambiguous; the header is \
                         sent empty"
                    );
                    None
                }
                Some(Ok(text)) => match HeaderValue::try_from(text) {
                    Ok(value) => Some(value),
                    Err(_) => {
                        tracing::warn!(
                            claim = %claim,
                            header = %header,
                            "a claim's value is not a valid header value; the header is sent \
                             empty"
                        );
                        None
                    }
                },
            };
            // Always sent, empty when there is nothing to map: a gateway that only overwrites
            // the headers present in the answer then never passes the client's own copy.
            let value = mapped.unwrap_or_else(|| HeaderValue::from_static(""));
            headers.insert(header.clone(), value);
        }
    }
}

/// Why a claim gives no header.
enum NotMapped {
    /// Neither a string nor a list of strings.
    Type,
    /// A list whose join could be another list's: an item empty, with `,`, or with edge
    /// whitespace.
    AmbiguousList,
}

/// A string as it is; a list of strings joined with `,` when the join can be split back into
/// exactly that list.
fn header_text(value: &Value) -> Result<String, NotMapped> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Array(items) => {
            let mut joined = String::new();
            for (i, item) in items.iter().enumerate() {
                let item = item.as_str().ok_or(NotMapped::Type)?;
                let edge_space = item.starts_with([' ', '\t']) || item.ends_with([' ', '\t']);
                if item.is_empty() || item.contains(',') || edge_space {
                    return Err(NotMapped::AmbiguousList);
                }
                if i > 0 {
                    joined.push(',');
                }
                joined.push_str(item);
            }
            Ok(joined)
        }
        _ => Err(NotMapped::Type),
    }
}

/// The mapped grant a claim header named `roles`, `groups` or `scope` shows, when the user's
/// verifier (or introspection client) has a claim mapping for it: a list, as guards read it.
fn mapped_grant(user: &UserInfo, claim: &str) -> Option<Value> {
    let grants = user.mapped_grants()?;
    let list = match claim {
        "roles" => grants.roles.as_ref(),
        "groups" => grants.groups.as_ref(),
        "scope" | "scopes" => grants.scopes.as_ref(),
        _ => None,
    }?;
    Some(Value::Array(
        list.iter().cloned().map(Value::String).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(claims: Value) -> UserInfo {
        let mut claims = claims.as_object().unwrap().clone();
        claims.insert("iss".into(), "https://issuer.test".into());
        let jwt = crate::identity::jwt_claims::JwtUserInfo::from_claims(claims).unwrap();
        UserInfo::from_claims_unchecked(jwt).unwrap()
    }

    #[test]
    fn claims_map_to_headers_and_nothing_is_injected() {
        let headers = ForwardAuthHeaders::new()
            .with_claim("email", "x-user-email")
            .unwrap()
            .with_claim("groups", "X-User-Groups")
            .unwrap()
            .with_claim("level", "x-level")
            .unwrap()
            .with_claim("name", "x-name")
            .unwrap();
        let map = headers.headers(&user(serde_json::json!({
            "sub": "ada",
            "email": "ada@example.com\r\nX-User-Id: admin",
            "groups": ["a", "b"],
            "level": 3,
            "name": "Ada\u{7}",
        })));
        assert_eq!(map.get("x-user-groups").unwrap(), "a,b");
        assert_eq!(map["x-user-email"], "", "CR LF is never injected");
        assert_eq!(map["x-name"], "", "a control character is left out");
        assert_eq!(map["x-level"], "", "a number is not mapped");
        assert_eq!(map.get_all(X_USER_ID).iter().count(), 1);
        assert_eq!(map.len(), 6, "every configured header, once");
        let teams = ForwardAuthHeaders::new()
            .with_claim("teams", "x-teams")
            .unwrap();
        let mixed = teams.headers(&user(serde_json::json!({"sub": "a", "teams": ["a", 1]})));
        assert_eq!(mixed["x-teams"], "", "a list with a non-string");
        let absent = teams.headers(&user(serde_json::json!({"sub": "a"})));
        assert_eq!(absent["x-teams"], "", "an absent claim: sent empty");

        // Stale values of the same names are replaced, by an empty value when the user has no
        // such claim (a gateway that only overwrites what the answer holds never passes the
        // client's own copy).
        let mut existing = HeaderMap::new();
        existing.insert("x-user-id", HeaderValue::from_static("admin"));
        existing.insert("x-user-groups", HeaderValue::from_static("root"));
        let api = UserInfo::from_api_key("sk-1").unwrap();
        headers.insert_into(&api, &mut existing);
        assert_eq!(existing["x-user-id"], api.user_id().to_string());
        assert_eq!(existing["x-user-source"], "api_key");
        assert_eq!(existing.get_all("x-user-groups").iter().count(), 1);
        assert_eq!(existing["x-user-groups"], "");
    }

    /// G3: no two different lists give the same header (`["eng,admin","ops"]` was
    /// `eng,admin,ops`, the header of `["eng","admin","ops"]`).
    #[test]
    fn lists_are_unambiguous() {
        let headers = ForwardAuthHeaders::new()
            .with_claim("groups", "X-User-Groups")
            .unwrap();
        let groups = |list: Value| {
            let map = headers.headers(&user(serde_json::json!({"sub": "a", "groups": list})));
            let value = map["x-user-groups"].to_str().unwrap().to_owned();
            Some(value).filter(|value| !value.is_empty())
        };
        assert_eq!(
            groups(serde_json::json!(["eng", "admin", "ops"])).as_deref(),
            Some("eng,admin,ops")
        );
        for ambiguous in [
            serde_json::json!(["eng,admin", "ops"]),
            serde_json::json!(["eng", ""]),
            serde_json::json!([""]),
            serde_json::json!(["eng", " admin"]),
            serde_json::json!(["eng\t", "admin"]),
        ] {
            assert_eq!(groups(ambiguous.clone()), None, "{ambiguous}");
        }
        assert_eq!(groups(serde_json::json!([])), None, "no groups: empty");
        assert_eq!(
            groups(serde_json::json!(["a b", "c"])).as_deref(),
            Some("a b,c")
        );
    }

    /// G4 and G7: framing and hop-by-hop headers, and a second claim on one header, are
    /// refused when configured, with the header named.
    #[test]
    fn reserved_and_duplicate_headers_are_refused() {
        for name in [
            "Connection",
            "Keep-Alive",
            "Proxy-Authenticate",
            "Proxy-Authorization",
            "TE",
            "Trailer",
            "Transfer-Encoding",
            "Upgrade",
            "Content-Length",
            "Content-Type",
            "Host",
            "Set-Cookie",
            "Location",
            "Date",
            "Server",
        ] {
            let error = ForwardAuthHeaders::new().with_claim("c", name).unwrap_err();
            let lower = name.to_ascii_lowercase();
            assert_eq!(
                error,
                ConfigError::ReservedHeader(HeaderName::from_bytes(lower.as_bytes()).unwrap())
            );
            assert!(error.to_string().contains(&lower), "{error}");
        }
        let dup = ForwardAuthHeaders::new()
            .with_claim("name", "X-Dup")
            .unwrap()
            .with_claim("nick", "x-dup")
            .unwrap_err();
        assert_eq!(
            dup,
            ConfigError::DuplicateClaimHeader(HeaderName::from_static("x-dup"))
        );
        assert!(dup.to_string().contains("x-dup"));
    }

    #[test]
    fn the_id_headers_cannot_be_claim_headers() {
        for name in ["x-user-id", "X-User-Source", "not a header"] {
            assert_eq!(
                ForwardAuthHeaders::new().with_claim("sub", name).err(),
                Some(ConfigError::InvalidHeaderName)
            );
        }
    }
}
