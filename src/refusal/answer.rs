//! [`Refusal`]: the status, headers and body of one refused request.

use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::authorize::Denied;
use crate::error::{AuthErrorPayload, Challenge, DpopError, ErrorCode, ResolveError, VerifyError};
use crate::refusal::Challenges;

/// Why a request is refused.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Reason<'a> {
    /// It carried no credential, and one is required.
    MissingCredentials,
    /// It carried no credential, and the route (a guard, an MCP operation) requires one with
    /// these scopes: the 401's `Bearer` challenge names them in `scope="…"`.
    MissingCredentialsFor(&'a [String]),
    /// Its credential was refused.
    Refused(&'a ResolveError),
    /// Its user lacks what a [`Guard`](crate::Guard) requires.
    Denied(&'a Denied),
}

/// A refused request's answer: its status, its headers (`WWW-Authenticate`, one value per
/// challenge; `Retry-After` with a 503; `DPoP-Nonce` when a fresh nonce is required;
/// `Content-Type: application/json`) and its body, the reference's error object. Built by
/// [`Resolver::refusal`](crate::Resolver::refusal) from the resolver's configuration; the
/// layer, the extractors and guards send exactly this.
///
/// - A bad credential: **401** with RFC 6750's `Bearer error="invalid_token",
///   error_description="…"` for tokens and API keys, RFC 7617's `Basic realm="api",
///   charset="UTF-8"` for Basic credentials, a plain `Bearer` otherwise; with DPoP configured,
///   RFC 9449's `DPoP algs="…"` beside them (with `error="invalid_dpop_proof"` for a proof
///   that failed).
/// - No credential where one is required: **401** with every scheme the resolver accepts.
/// - A malformed request (an unsafe WebSocket `?session=` id): **400**.
/// - A credential header over the resolver's size limit: **431** (RFC 6585).
/// - A check that cannot be answered (keys, introspection, the replay store): **503** with
///   `Retry-After`.
/// - A WebSocket upgrade on an ambient credential from an origin that is not allowed, an
///   identity header from a peer that is not a trusted proxy: **403**.
/// - A user who lacks what a guard requires: **403** with RFC 6750 §3.1's
///   `Bearer error="insufficient_scope"` (and `scope="…"` when scopes are required).
///
/// `Bearer` and `DPoP` challenges carry `resource_metadata="…"` (RFC 9728 §5.1) when a
/// protected resource is configured. The body never contains a credential.
///
/// ```
/// use axum_userinfo::{Resolver, refusal::Reason};
/// let refusal = Resolver::new().refusal(Reason::MissingCredentials);
/// assert_eq!(refusal.status(), 401);
/// let challenges: Vec<_> = refusal.headers().get_all("www-authenticate").iter().collect();
/// assert_eq!(challenges, ["Bearer", r#"Basic realm="api", charset="UTF-8""#]);
/// ```
#[derive(Debug, Clone)]
pub struct Refusal {
    status: StatusCode,
    headers: HeaderMap,
    body: AuthErrorPayload,
}

/// `Bearer`, bare.
const BEARER: HeaderValue = HeaderValue::from_static("Bearer");
/// RFC 7617's challenge.
const BASIC: HeaderValue = HeaderValue::from_static(r#"Basic realm="api", charset="UTF-8""#);
/// The `DPoP-Nonce` header (RFC 9449 §8).
const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

impl Refusal {
    /// The refusal for `reason`, with `challenges`.
    pub(crate) fn new(reason: Reason<'_>, challenges: &Challenges) -> Self {
        let status = match reason {
            Reason::Refused(error) => error.status(),
            Reason::MissingCredentials | Reason::MissingCredentialsFor(_) => {
                StatusCode::UNAUTHORIZED
            }
            Reason::Denied(_) => StatusCode::FORBIDDEN,
        };
        let body = match reason {
            Reason::Refused(error) => AuthErrorPayload::new(error),
            Reason::MissingCredentials | Reason::MissingCredentialsFor(_) => AuthErrorPayload {
                code: ErrorCode::UserAuthError,
                message: "Authentication failed",
                details: "authentication required".to_owned(),
            },
            Reason::Denied(denied) => AuthErrorPayload::denied(denied),
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for challenge in www_authenticate(reason, status, challenges) {
            headers.append(WWW_AUTHENTICATE, challenge);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        }
        if let Reason::Refused(ResolveError::Dpop(DpopError::UseNonce { nonce })) = reason {
            if let Ok(nonce) = HeaderValue::try_from(nonce.as_str()) {
                headers.insert(DPOP_NONCE, nonce);
            }
        }
        Self {
            status,
            headers,
            body,
        }
    }

    /// The status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body: the reference's error object.
    #[must_use]
    pub fn body(&self) -> &AuthErrorPayload {
        &self.body
    }

    /// The status, headers and body (as JSON bytes), for a response of your own.
    #[must_use]
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Vec<u8>) {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        (self.status, self.headers, body)
    }
}

/// The `WWW-Authenticate` challenges of a refusal: those of a 401, and of the 403 of a missing
/// scope (none for other statuses).
fn www_authenticate(
    reason: Reason<'_>,
    status: StatusCode,
    offered: &Challenges,
) -> Vec<HeaderValue> {
    let error = match reason {
        Reason::Refused(error) => error,
        Reason::MissingCredentials | Reason::MissingCredentialsFor(_) => {
            let route = match reason {
                Reason::MissingCredentialsFor(scopes) => scopes,
                _ => &[],
            };
            let mut all = Vec::with_capacity(3);
            if offered.bearer {
                all.push(with_scope(with_metadata(BEARER, offered), offered, route));
            }
            if offered.basic {
                all.push(BASIC);
            }
            if let Some(algs) = &offered.dpop_algs {
                all.push(dpop_challenge(None, algs, offered));
            }
            return all;
        }
        Reason::Denied(denied) => {
            return vec![with_metadata(
                scope_challenge(&denied.required_scopes),
                offered,
            )];
        }
    };
    let challenge = error.challenge();
    let mut challenges = match challenge {
        Challenge::Basic => vec![BASIC],
        Challenge::InvalidToken => vec![invalid_token(error)],
        Challenge::InsufficientScope => vec![insufficient_scope(error)],
        Challenge::Bearer | Challenge::InvalidDpopProof if offered.bearer => vec![BEARER],
        Challenge::Bearer if offered.basic => vec![BASIC],
        Challenge::Bearer => vec![BEARER],
        _ => Vec::new(),
    };
    let unauthorized = status == StatusCode::UNAUTHORIZED;
    challenges = (challenges.into_iter())
        .map(|challenge| with_metadata(challenge, offered))
        .map(|challenge| match unauthorized {
            true => with_scope(challenge, offered, &[]),
            false => challenge,
        })
        .collect();
    if let Some(algs) = &offered.dpop_algs {
        let dpop_error = (challenge == Challenge::InvalidDpopProof).then_some(error);
        if dpop_error.is_some() || (status == StatusCode::UNAUTHORIZED && !challenges.is_empty()) {
            challenges.push(dpop_challenge(dpop_error, algs, offered));
        }
    }
    challenges
}

/// A `Bearer` challenge with `resource_metadata="…"` when a protected resource is configured.
fn with_metadata(challenge: HeaderValue, offered: &Challenges) -> HeaderValue {
    match &offered.resource_metadata {
        Some(url) => with_param(challenge, "resource_metadata", url),
        None => challenge,
    }
}

/// A `Bearer` challenge with `name="value"` appended (any other challenge as it is).
fn with_param(challenge: HeaderValue, name: &str, value: &str) -> HeaderValue {
    match challenge.to_str() {
        Ok(text) if text.starts_with("Bearer") => {
            let separator = if text == "Bearer" { " " } else { ", " };
            let with = format!(r#"{text}{separator}{name}="{value}""#);
            HeaderValue::try_from(with).unwrap_or(challenge)
        }
        _ => challenge,
    }
}

/// A 401's `Bearer` challenge with `scope="…"`: the resolver's required scopes and the
/// route's (`route`), each once, never `offline_access` (the MCP authorization spec).
fn with_scope(challenge: HeaderValue, offered: &Challenges, route: &[String]) -> HeaderValue {
    let mut scopes = crate::parse::scope::distinct(offered.scopes.iter().chain(route));
    scopes.retain(|scope| scope != crate::authorize::OFFLINE_ACCESS);
    if scopes.is_empty() {
        return challenge;
    }
    with_param(challenge, "scope", &scopes.join(" "))
}

/// RFC 9449 §7.1: `DPoP algs="…"`, with `error="invalid_dpop_proof"` and its description for
/// a proof that failed (`use_dpop_nonce` for a missing nonce), and `resource_metadata`.
fn dpop_challenge(error: Option<&ResolveError>, algs: &str, offered: &Challenges) -> HeaderValue {
    let mut text = match error {
        Some(ResolveError::Dpop(DpopError::UseNonce { .. })) => format!(
            r#"DPoP error="use_dpop_nonce", error_description="a fresh server nonce is required", algs="{algs}""#
        ),
        Some(error) => format!(
            r#"DPoP error="invalid_dpop_proof", error_description="{}", algs="{algs}""#,
            quotable(&error.to_string())
        ),
        None => format!(r#"DPoP algs="{algs}""#),
    };
    if let Some(url) = &offered.resource_metadata {
        text.push_str(&format!(r#", resource_metadata="{url}""#));
    }
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
        ResolveError::Verification(VerifyError::InsufficientScope { required }) => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BasicError, JwtError};
    use crate::identity::kinds::CredentialKind;

    fn first_challenge(refusal: &Refusal) -> String {
        (refusal.headers().get(WWW_AUTHENTICATE))
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn statuses_and_challenges() {
        let errors = [
            (
                ResolveError::NoIdentityClaim,
                401,
                r#"Bearer error="invalid_token""#,
            ),
            (
                ResolveError::MalformedJwt(JwtError::SegmentCount),
                401,
                r#"Bearer error="invalid_token""#,
            ),
            (
                ResolveError::MalformedBasic(BasicError::NoColon),
                401,
                "Basic realm=",
            ),
            (
                ResolveError::NotAccepted(CredentialKind::SessionCookie),
                401,
                "Bearer",
            ),
            (ResolveError::InvalidSessionId, 400, ""),
            (ResolveError::CredentialTooLarge { limit: 1 }, 431, ""),
            (ResolveError::OriginNotAllowed, 403, ""),
        ];
        let offered = Challenges::default();
        for (error, status, challenge) in errors {
            let refusal = Refusal::new(Reason::Refused(&error), &offered);
            assert_eq!(refusal.status().as_u16(), status, "{error}");
            assert!(first_challenge(&refusal).starts_with(challenge), "{error}");
        }
        let missing = Refusal::new(Reason::MissingCredentials, &offered);
        assert_eq!(first_challenge(&missing), "Bearer");
        assert_eq!(
            invalid_token(&ResolveError::NoIdentityClaim)
                .to_str()
                .unwrap(),
            r#"Bearer error="invalid_token", error_description="JWT contains no usable identity claim (sub, email, preferred_username)""#
        );
    }

    /// Only the schemes the resolver accepts are offered: no `Basic` (and its browser password
    /// prompt) when Basic is refused; `Bearer` always when nothing else is.
    #[test]
    fn only_accepted_schemes_are_offered() {
        let challenges = |kinds: &[CredentialKind]| {
            let offered = Challenges::new(
                Some(kinds.iter().copied().collect()),
                None,
                None,
                Vec::new(),
            );
            let refusal = Refusal::new(Reason::MissingCredentials, &offered);
            (refusal.headers().get_all(WWW_AUTHENTICATE).iter())
                .map(|v| v.to_str().unwrap().split(' ').next().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(challenges(&[CredentialKind::Jwt]), ["Bearer"]);
        assert_eq!(challenges(&[CredentialKind::Basic]), ["Basic"]);
        assert_eq!(challenges(&[CredentialKind::SessionCookie]), ["Bearer"]);
        assert_eq!(
            challenges(&[CredentialKind::ApiKey, CredentialKind::Basic]),
            ["Bearer", "Basic"]
        );
        // A cookie refused on a Basic-only resolver is answered with the scheme it accepts.
        let offered = Challenges::new(Some([CredentialKind::Basic].into()), None, None, Vec::new());
        let error = ResolveError::NotAccepted(CredentialKind::SessionCookie);
        assert_eq!(
            first_challenge(&Refusal::new(Reason::Refused(&error), &offered)),
            r#"Basic realm="api", charset="UTF-8""#
        );
    }

    #[test]
    fn dpop_challenges_point_to_the_metadata() {
        let offered = Challenges::new(
            None,
            Some(&["ES256", "EdDSA"]),
            Some("https://api/.wk"),
            Vec::new(),
        );
        let refusal = Refusal::new(Reason::MissingCredentials, &offered);
        let all: Vec<_> = (refusal.headers().get_all(WWW_AUTHENTICATE).iter())
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(
            all,
            [
                r#"Bearer resource_metadata="https://api/.wk""#,
                r#"DPoP algs="ES256 EdDSA", resource_metadata="https://api/.wk""#
            ]
        );
    }
}
