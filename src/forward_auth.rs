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
//! let claims = axum_userinfo::JwtUserInfo::from_claims(claims.as_object().unwrap().clone())?;
//! let user = UserInfo::from_verified_claims(claims)?; // claims your own check verified
//! let map = headers.headers(&user);
//! assert_eq!(map["x-user-id"], user.user_id().to_string());
//! assert_eq!(map["x-user-source"], "jwt");
//! assert_eq!(map["x-user-email"], "ada@example.com");
//! assert_eq!(map["x-user-groups"], "eng,ops");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `X-User-Id` and `X-User-Source` are always set. A configured JWT claim is mapped when it is
//! a string (as it is) or a list of strings (joined with `,`); any other type, and a value that
//! is not a valid header value (a control character, CR or LF), is left out, never injected,
//! and logged with the claim's and header's names only. Claims of an unverified JWT are as
//! unverified as its id: verify tokens ([`JwtVerifier`](crate::JwtVerifier)) before a gateway
//! trusts either.
//!
//! The gateway must overwrite or drop these headers on the client's request, so that a client
//! sending `X-User-Id: admin` itself never passes for anyone (see the README's "Behind a
//! gateway").

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::{ConfigError, UserDetails, UserInfo};

/// The header that carries the user id.
pub const X_USER_ID: HeaderName = HeaderName::from_static("x-user-id");
/// The header that carries the source the user was resolved from (`jwt`, `api_key`, …).
pub const X_USER_SOURCE: HeaderName = HeaderName::from_static("x-user-source");

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
    /// `X-User-Id` or `X-User-Source` (a claim must not replace the id).
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
    /// user does not have removes its header).
    pub fn insert_into(&self, user: &UserInfo, headers: &mut HeaderMap) {
        // A UUID's text is always a valid header value.
        if let Ok(id) = HeaderValue::try_from(user.user_id().to_string()) {
            headers.insert(X_USER_ID, id);
        }
        headers.insert(
            X_USER_SOURCE,
            HeaderValue::from_static(user.source().as_str()),
        );
        let claims = match user.details() {
            UserDetails::Jwt(jwt) => Some(jwt.claims()),
            _ => None,
        };
        for (claim, header) in &self.claims {
            headers.remove(header);
            let Some(value) = claims.and_then(|claims| claims.get(claim)) else {
                continue;
            };
            let Some(text) = header_text(value) else {
                continue; // not a string or a list of strings
            };
            match HeaderValue::try_from(text) {
                Ok(value) => {
                    headers.insert(header.clone(), value);
                }
                Err(_) => tracing::warn!(
                    claim = %claim,
                    header = %header,
                    "a claim's value is not a valid header value; the header is left out"
                ),
            }
        }
    }
}

/// A string as it is, a list of strings joined with `,`; nothing for any other type.
fn header_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => {
            let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            Some(strings?.join(","))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(claims: Value) -> UserInfo {
        let mut claims = claims.as_object().unwrap().clone();
        claims.insert("iss".into(), "https://issuer.test".into());
        let jwt = crate::JwtUserInfo::from_claims(claims).unwrap();
        UserInfo::from_verified_claims(jwt).unwrap()
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
        assert!(map.get("x-user-email").is_none(), "CR LF is never injected");
        assert!(
            map.get("x-name").is_none(),
            "a control character is left out"
        );
        assert!(map.get("x-level").is_none(), "a number is not mapped");
        assert_eq!(map.get_all(X_USER_ID).iter().count(), 1);
        assert_eq!(map.len(), 3);
        let teams = ForwardAuthHeaders::new()
            .with_claim("teams", "x-teams")
            .unwrap();
        let mixed = teams.headers(&user(serde_json::json!({"sub": "a", "teams": ["a", 1]})));
        assert!(mixed.get("x-teams").is_none(), "a list with a non-string");

        // Stale values of the same names are replaced or removed.
        let mut existing = HeaderMap::new();
        existing.insert("x-user-id", HeaderValue::from_static("admin"));
        existing.insert("x-user-groups", HeaderValue::from_static("root"));
        let api = UserInfo::from_api_key("sk-1").unwrap();
        headers.insert_into(&api, &mut existing);
        assert_eq!(existing["x-user-id"], api.user_id().to_string());
        assert_eq!(existing["x-user-source"], "api_key");
        assert!(existing.get("x-user-groups").is_none());
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
