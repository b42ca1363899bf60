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
//! - No resolver configured for an extractor (no layer, no `Extension(resolver)`): **500**,
//!   with a plain-text body that names the fix.
//! - A WebSocket upgrade on an ambient credential (cookie, Basic) from an origin that is not
//!   allowed, or an identity header from a peer that is not a trusted proxy: **403**.
//! - A user who lacks what a [`Guard`](crate::Guard) requires: **403** with RFC 6750 §3.1's
//!   `Bearer error="insufficient_scope"` (and `scope="…"`, every scope the guard requires, when
//!   it requires some), code `insufficient_scope` when scopes are missing, else `forbidden`.
//!
//! The body is the reference's error object,
//! `{"code":"user_auth_error","message":"Authentication failed","details":"…"}`
//! (`invalid_message` for a 400). It never contains a credential.

use std::fmt;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

use crate::authorize::{AuthorizeError, Denied, ProtectedResource};
use crate::error::Challenge;
use crate::error::ResolveError;
use crate::error::{AuthErrorPayload, ErrorCode};

/// Why the identity layer or the `UserInfo` extractor refused a request.
///
/// Turn it into a response with [`IntoResponse`], or inspect it in a custom rejection handler
/// ([`UserInfoLayer::with_rejection`](crate::UserInfoLayer::with_rejection)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfoRejection {
    kind: Kind,
    /// The RFC 9728 metadata URL for the `Bearer` challenges, when a resource is configured.
    resource_metadata: Option<Arc<str>>,
    /// The DPoP proof algorithms accepted (`algs="…"`), when DPoP is configured.
    dpop_algs: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    MissingCredentials,
    Refused(ResolveError),
    /// No resolver, or no layer, for what needs one: the text names the fix.
    MissingResolver(&'static str),
    Denied(Box<Denied>),
}

/// The 500 body of [`UserInfoRejection::missing_resolver`]: what to add to the router.
const MISSING_RESOLVER: &str = "No axum_userinfo::Resolver is configured for this route: add \
    `UserInfoLayer::new(resolver)` to the router (or `.layer(Extension(resolver))`, or make the \
    resolver the router's state). The request is refused rather than resolved with a default.";

/// The 500 body of a [`GuardLayer`](crate::GuardLayer) with no `UserInfoLayer` in front.
const MISSING_LAYER: &str = "A GuardLayer found no UserInfoLayer in front of it: add \
    `.layer(UserInfoLayer::new(resolver))` outside the guarded routes (`.route_layer(GuardLayer::new(guard))` \
    first, then the UserInfoLayer). The request is refused rather than let through unchecked.";

impl UserInfoRejection {
    /// A guard with no [`UserInfoLayer`](crate::UserInfoLayer) in front of it (500).
    pub(crate) fn missing_layer() -> Self {
        Self::of(Kind::MissingResolver(MISSING_LAYER))
    }

    fn of(kind: Kind) -> Self {
        Self {
            kind,
            resource_metadata: None,
            dpop_algs: None,
        }
    }

    /// Adds RFC 9449's `DPoP` challenge, with the proof algorithms accepted (`algs="…"`),
    /// beside the `Bearer` ones of a 401; nothing changes for `None`. The layer and the
    /// extractors do this with the resolver's
    /// [`dpop_algorithms`](crate::Resolver::dpop_algorithms).
    #[must_use]
    pub fn with_dpop(mut self, algorithms: Option<&[&'static str]>) -> Self {
        if let Some(algorithms) = algorithms {
            self.dpop_algs = Some(algorithms.join(" ").into());
        }
        self
    }

    /// Points the `Bearer` challenges to `resource`'s RFC 9728 metadata
    /// (`resource_metadata="…"`, §5.1); nothing changes for `None`. The layer, the extractors
    /// and guards do this with the resolver's
    /// [`protected_resource`](crate::Resolver::protected_resource).
    #[must_use]
    pub fn with_protected_resource(mut self, resource: Option<&ProtectedResource>) -> Self {
        if let Some(resource) = resource {
            self.resource_metadata = Some(resource.metadata_url().into());
        }
        self
    }

    /// The request carried no credential, and one is required.
    #[must_use]
    pub fn missing_credentials() -> Self {
        Self::of(Kind::MissingCredentials)
    }

    /// The request's credential was refused.
    #[must_use]
    pub fn refused(error: ResolveError) -> Self {
        Self::of(Kind::Refused(error))
    }

    /// An extractor found no [`Resolver`](crate::Resolver) for the request (no
    /// [`UserInfoLayer`](crate::UserInfoLayer), no `Extension(resolver)`, and a router state that
    /// is not a resolver): a configuration error, refused with 500 and never resolved with a
    /// default. The body names the fix, as axum's `Extension` rejection does.
    #[must_use]
    pub fn missing_resolver() -> Self {
        Self::of(Kind::MissingResolver(MISSING_RESOLVER))
    }

    /// The user lacks what a [`Guard`](crate::Guard) requires (403).
    #[must_use]
    pub fn denied(denied: Denied) -> Self {
        Self::of(Kind::Denied(Box::new(denied)))
    }

    /// What the user lacked, when a guard refused.
    #[must_use]
    pub fn denial(&self) -> Option<&Denied> {
        match &self.kind {
            Kind::Denied(denied) => Some(denied),
            _ => None,
        }
    }

    /// The resolution error, when the request's credential was refused.
    #[must_use]
    pub fn error(&self) -> Option<&ResolveError> {
        match &self.kind {
            Kind::Refused(error) => Some(error),
            Kind::MissingCredentials | Kind::MissingResolver(_) | Kind::Denied(_) => None,
        }
    }

    /// Whether the request carried no credential at all.
    #[must_use]
    pub fn is_missing_credentials(&self) -> bool {
        self.kind == Kind::MissingCredentials
    }

    /// Whether no resolver was configured for the request (a 500).
    #[must_use]
    pub fn is_missing_resolver(&self) -> bool {
        matches!(self.kind, Kind::MissingResolver(_))
    }

    /// 431 for a credential over the size limit, 400 for another malformed request, 403 for a
    /// refused origin, an untrusted peer or a guard's refusal, 503 when an issuer's keys cannot
    /// be had, 500 when no resolver is configured, 401 otherwise.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::Refused(error) => error.status(),
            Kind::MissingCredentials => StatusCode::UNAUTHORIZED,
            Kind::MissingResolver(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Denied(_) => StatusCode::FORBIDDEN,
        }
    }

    /// The reference's error object for the body.
    #[must_use]
    pub fn body(&self) -> AuthErrorPayload {
        match &self.kind {
            Kind::Refused(error) => AuthErrorPayload::new(error),
            Kind::MissingCredentials => AuthErrorPayload {
                code: ErrorCode::UserAuthError,
                message: "Authentication failed",
                details: "authentication required".to_owned(),
            },
            Kind::MissingResolver(_) => AuthErrorPayload {
                code: ErrorCode::UserAuthError,
                message: "Authentication failed",
                details: "no identity resolver is configured".to_owned(),
            },
            Kind::Denied(denied) => AuthErrorPayload::denied(denied),
        }
    }

    /// The `WWW-Authenticate` challenges of a 401, and of the 403 of a missing scope (none for
    /// other statuses); `Bearer` ones carry `resource_metadata="…"` when a protected resource
    /// is configured.
    #[must_use]
    pub fn challenges(&self) -> Vec<HeaderValue> {
        let mut challenges = self.bare_challenges();
        if let Some(algs) = &self.dpop_algs {
            let dpop_error = self.dpop_error();
            let unauthorized = self.status() == StatusCode::UNAUTHORIZED && !challenges.is_empty();
            if dpop_error.is_some() || unauthorized {
                challenges.push(dpop_challenge(dpop_error, algs));
            }
        }
        let Some(url) = &self.resource_metadata else {
            return challenges;
        };
        (challenges.into_iter())
            .map(|challenge| match challenge.to_str() {
                Ok(text) if text.starts_with("Bearer") => {
                    let separator = if text == "Bearer" { " " } else { ", " };
                    let with = format!(r#"{text}{separator}resource_metadata="{url}""#);
                    HeaderValue::try_from(with).unwrap_or(challenge)
                }
                _ => challenge,
            })
            .collect()
    }

    fn bare_challenges(&self) -> Vec<HeaderValue> {
        const BEARER: HeaderValue = HeaderValue::from_static("Bearer");
        const BASIC: HeaderValue =
            HeaderValue::from_static(r#"Basic realm="api", charset="UTF-8""#);
        let error = match &self.kind {
            Kind::Refused(error) => error,
            Kind::MissingCredentials => return vec![BEARER, BASIC],
            Kind::MissingResolver(_) => return Vec::new(),
            Kind::Denied(denied) => return vec![scope_challenge(&denied.required_scopes)],
        };
        match error.challenge() {
            Challenge::Basic => vec![BASIC],
            Challenge::InvalidToken => vec![invalid_token(error)],
            Challenge::Bearer => vec![BEARER],
            Challenge::InsufficientScope => vec![insufficient_scope(error)],
            // The `DPoP` challenge follows (`challenges`); Bearer tokens are accepted too.
            Challenge::InvalidDpopProof => vec![BEARER],
            _ => Vec::new(),
        }
    }
}

impl UserInfoRejection {
    /// The refusal's DPoP error, when it is one a `DPoP` challenge carries.
    fn dpop_error(&self) -> Option<&ResolveError> {
        match &self.kind {
            Kind::Refused(error) if error.challenge() == Challenge::InvalidDpopProof => Some(error),
            _ => None,
        }
    }
}

/// RFC 9449 §7.1: `DPoP algs="…"`, with `error="invalid_dpop_proof"` and its description for
/// a proof that failed.
fn dpop_challenge(error: Option<&ResolveError>, algs: &str) -> HeaderValue {
    let text = match error {
        Some(ResolveError::Dpop(crate::error::DpopError::UseNonce { .. })) => format!(
            r#"DPoP error="use_dpop_nonce", error_description="a fresh server nonce is required", algs="{algs}""#
        ),
        Some(error) => format!(
            r#"DPoP error="invalid_dpop_proof", error_description="{}", algs="{algs}""#,
            quotable(&error.to_string())
        ),
        None => format!(r#"DPoP algs="{algs}""#),
    };
    HeaderValue::try_from(text).unwrap_or(HeaderValue::from_static("DPoP"))
}

/// Text as a quoted-string's content: printable ASCII, without `"` or `\`.
fn quotable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => '?',
        })
        .collect()
}

/// RFC 6750 §3.1 for a verifier's required scopes.
fn insufficient_scope(error: &ResolveError) -> HeaderValue {
    match error {
        ResolveError::Verification(crate::error::VerifyError::InsufficientScope { required }) => {
            scope_challenge(required)
        }
        _ => scope_challenge(&[]),
    }
}

/// RFC 6750 §3.1: `Bearer error="insufficient_scope", scope="…"` with the scopes `required`
/// (checked as RFC 6749 scope tokens when configured, so they fit the header), without `scope`
/// when none are.
fn scope_challenge(required: &[String]) -> HeaderValue {
    const BARE: HeaderValue = HeaderValue::from_static(r#"Bearer error="insufficient_scope""#);
    if required.is_empty() {
        return BARE;
    }
    let scope = required.join(" ");
    HeaderValue::try_from(format!(
        r#"Bearer error="insufficient_scope", scope="{scope}""#
    ))
    .unwrap_or(BARE)
}

/// RFC 6750 §3: `Bearer error="invalid_token", error_description="…"`, the description limited
/// to the characters the RFC allows in it.
fn invalid_token(error: &ResolveError) -> HeaderValue {
    let description = quotable(&error.to_string());
    HeaderValue::try_from(format!(
        r#"Bearer error="invalid_token", error_description="{description}""#
    ))
    .unwrap_or(HeaderValue::from_static(r#"Bearer error="invalid_token""#))
}

impl fmt::Display for UserInfoRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Refused(error) => error.fmt(f),
            Kind::MissingCredentials => f.write_str("authentication required"),
            Kind::MissingResolver(fix) => f.write_str(fix),
            Kind::Denied(denied) => denied.fmt(f),
        }
    }
}

impl std::error::Error for UserInfoRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error().map(|e| e as _)
    }
}

impl From<AuthorizeError> for UserInfoRejection {
    fn from(error: AuthorizeError) -> Self {
        match error {
            AuthorizeError::MissingCredential => Self::missing_credentials(),
            AuthorizeError::Denied(denied) => Self::of(Kind::Denied(denied)),
        }
    }
}

impl From<ResolveError> for UserInfoRejection {
    fn from(error: ResolveError) -> Self {
        Self::refused(error)
    }
}

impl IntoResponse for UserInfoRejection {
    fn into_response(self) -> Response {
        if self.is_missing_resolver() {
            return (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response();
        }
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
        if let Kind::Refused(ResolveError::Dpop(crate::error::DpopError::UseNonce { nonce })) =
            &self.kind
        {
            if let Ok(nonce) = HeaderValue::try_from(nonce.as_str()) {
                headers.insert(http::HeaderName::from_static("dpop-nonce"), nonce);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BasicError, JwtError};
    use crate::identity::kinds::CredentialKind;

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
