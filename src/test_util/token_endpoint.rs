//! The [`TestIdp`](super::TestIdp)'s OAuth 2 side: its client's authentication (RFC 6749
//! §2.3.1: `client_secret_basic` or `client_secret_post`), shared by introspection and the
//! token endpoint, and `POST /token` for the `client_credentials` grant: a JWT access token
//! (RFC 9068) whose `sub` and `client_id` are the client, `aud` the requested `resource`
//! (RFC 8707) and `scope` the requested scopes.

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::CONTENT_TYPE;

use crate::test_util::TestKey;
use crate::test_util::TokenBuilder;

/// Whether the request authenticates as the provider's client, by Basic or by its form.
pub(crate) fn is_client(headers: &http::HeaderMap, form: &HashMap<String, String>) -> bool {
    let basic = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |text: &str| -> String {
                form_urlencoded::parse(format!("x={text}").as_bytes())
                    .next()
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    let posted = form
        .get("client_id")
        .cloned()
        .zip(form.get("client_secret").cloned());
    basic.or(posted).is_some_and(|(id, secret)| {
        id == super::TestIdp::CLIENT_ID && secret == super::TestIdp::CLIENT_SECRET
    })
}

/// An OAuth 2 error answer (RFC 6749 §5.2).
pub(crate) fn oauth_error(status: StatusCode, error: &str) -> Response {
    let body = serde_json::json!({ "error": error });
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `POST /token` with `grant_type=client_credentials`, signed by `key` for `issuer`.
pub(crate) fn client_credentials(
    issuer: &str,
    key: TestKey,
    headers: &http::HeaderMap,
    form: &HashMap<String, String>,
) -> Response {
    if !is_client(headers, form) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let scope = form.get("scope").map(|scope| scope.trim()).unwrap_or("");
    let client = super::TestIdp::CLIENT_ID;
    let mut token = TokenBuilder::new(issuer, key)
        .typ("at+jwt")
        .subject(client)
        .claim("client_id", client);
    if !scope.is_empty() {
        token = token.claim("scope", scope);
    }
    if let Some(resource) = form.get("resource") {
        token = token.audience(resource);
    }
    let mut answer = serde_json::json!({
        "access_token": token.sign(),
        "token_type": "Bearer",
        "expires_in": 300,
    });
    if let (false, Some(answer)) = (scope.is_empty(), answer.as_object_mut()) {
        answer.insert("scope".to_owned(), scope.into());
    }
    ([(CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
}
