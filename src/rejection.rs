//! The response to a request whose identity is refused.
//!
//! - A bad credential: **401** with a `WWW-Authenticate` challenge, RFC 6750's
//!   `Bearer error="invalid_token", error_description="…"` for tokens and API keys, RFC 7617's
//!   `Basic realm="api", charset="UTF-8"` for Basic credentials, a plain `Bearer` otherwise.
//! - No credential where one is required: **401** with `Bearer` and `Basic` challenges.
//! - A malformed request (an unsafe WebSocket `?session=` id): **400**.
//! - A credential header over the resolver's size limit: **431** (RFC 6585).
//! - A verified JWT whose issuer's keys cannot be fetched (none cached): **503**, with
//!   `Retry-After`; the token may be fine, the identity provider is not.
//! - A cookie-authenticated WebSocket upgrade from an origin that is not allowed, or an identity
//!   header from a peer that is not a trusted proxy: **403**.
//!
//! The body is the reference's error object,
//! `{"code":"user_auth_error","message":"Authentication failed","details":"…"}`
//! (`invalid_message` for a 400). It never contains a credential.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

use crate::{AuthErrorPayload, CredentialKind, ErrorCode, ResolveError, VerifyError};

/// Why the identity layer or the `UserInfo` extractor refused a request.
///
/// Turn it into a response with [`IntoResponse`], or inspect it in a custom rejection handler
/// ([`UserInfoLayer::with_rejection`](crate::UserInfoLayer::with_rejection)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfoRejection {
    error: Option<ResolveError>,
}

impl UserInfoRejection {
    /// The request carried no credential, and one is required.
    #[must_use]
    pub fn missing_credentials() -> Self {
        Self { error: None }
    }

    /// The request's credential was refused.
    #[must_use]
    pub fn refused(error: ResolveError) -> Self {
        Self { error: Some(error) }
    }

    /// The resolution error, unless the request was simply anonymous.
    #[must_use]
    pub fn error(&self) -> Option<&ResolveError> {
        self.error.as_ref()
    }

    /// Whether the request carried no credential at all.
    #[must_use]
    pub fn is_missing_credentials(&self) -> bool {
        self.error.is_none()
    }

    /// 431 for a credential over the size limit, 400 for another malformed request, 401
    /// otherwise.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match &self.error {
            Some(ResolveError::CredentialTooLarge { .. }) => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            Some(ResolveError::OriginNotAllowed | ResolveError::UntrustedPeer) => {
                StatusCode::FORBIDDEN
            }
            Some(ResolveError::Verification(VerifyError::KeysUnavailable)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Some(error) if error.is_malformed_request() => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The reference's error object for the body.
    #[must_use]
    pub fn body(&self) -> AuthErrorPayload {
        match &self.error {
            Some(error) => AuthErrorPayload::new(error),
            None => AuthErrorPayload {
                code: ErrorCode::UserAuthError,
                message: "Authentication failed",
                details: "authentication required".to_owned(),
            },
        }
    }

    /// The `WWW-Authenticate` challenges of a 401 (none for a 400).
    #[must_use]
    pub fn challenges(&self) -> Vec<HeaderValue> {
        const BEARER: HeaderValue = HeaderValue::from_static("Bearer");
        const BASIC: HeaderValue =
            HeaderValue::from_static(r#"Basic realm="api", charset="UTF-8""#);
        let Some(error) = &self.error else {
            return vec![BEARER, BASIC];
        };
        match error {
            _ if error.is_malformed_request() => Vec::new(),
            ResolveError::OriginNotAllowed
            | ResolveError::UntrustedPeer
            | ResolveError::Verification(VerifyError::KeysUnavailable) => Vec::new(),
            ResolveError::MalformedBasic(_) => vec![BASIC],
            ResolveError::MalformedJwt(_)
            | ResolveError::NoIdentityClaim
            | ResolveError::InvalidClaims(_)
            | ResolveError::MissingIssuer
            | ResolveError::Verification(_)
            | ResolveError::NotAccepted(CredentialKind::Jwt | CredentialKind::ApiKey) => {
                vec![invalid_token(error)]
            }
            _ => vec![BEARER],
        }
    }
}

/// RFC 6750 §3: `Bearer error="invalid_token", error_description="…"`, the description limited
/// to the characters the RFC allows in it.
fn invalid_token(error: &ResolveError) -> HeaderValue {
    let description: String = error
        .to_string()
        .chars()
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => '?',
        })
        .collect();
    HeaderValue::try_from(format!(
        r#"Bearer error="invalid_token", error_description="{description}""#
    ))
    .unwrap_or(HeaderValue::from_static(r#"Bearer error="invalid_token""#))
}

impl fmt::Display for UserInfoRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(error) => error.fmt(f),
            None => f.write_str("authentication required"),
        }
    }
}

impl std::error::Error for UserInfoRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.as_ref().map(|e| e as _)
    }
}

impl From<ResolveError> for UserInfoRejection {
    fn from(error: ResolveError) -> Self {
        Self::refused(error)
    }
}

impl IntoResponse for UserInfoRejection {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for challenge in self.challenges() {
            headers.append(WWW_AUTHENTICATE, challenge);
        }
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BasicError, JwtError};

    #[test]
    fn statuses_and_challenges() {
        let cases = [
            (UserInfoRejection::missing_credentials(), 401, "Bearer"),
            (
                ResolveError::NoIdentityClaim.into(),
                401,
                r#"Bearer error="invalid_token""#,
            ),
            (
                ResolveError::MalformedJwt(JwtError::SegmentCount).into(),
                401,
                r#"Bearer error="invalid_token""#,
            ),
            (
                ResolveError::MalformedBasic(BasicError::NoColon).into(),
                401,
                "Basic realm=",
            ),
            (
                ResolveError::NotAccepted(CredentialKind::SessionCookie).into(),
                401,
                "Bearer",
            ),
            (ResolveError::InvalidSessionId.into(), 400, ""),
            (
                ResolveError::CredentialTooLarge { limit: 1 }.into(),
                431,
                "",
            ),
            (ResolveError::OriginNotAllowed.into(), 403, ""),
        ];
        for (rejection, status, challenge) in cases {
            assert_eq!(rejection.status().as_u16(), status, "{rejection}");
            let first = rejection
                .challenges()
                .first()
                .map(|v| v.to_str().unwrap().to_owned());
            assert!(
                first.unwrap_or_default().starts_with(challenge),
                "{rejection}"
            );
        }
        let description = invalid_token(&ResolveError::NoIdentityClaim);
        assert_eq!(
            description.to_str().unwrap(),
            r#"Bearer error="invalid_token", error_description="JWT contains no usable identity claim (sub, email, preferred_username)""#
        );
    }
}
