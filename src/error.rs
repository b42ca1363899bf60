//! Errors: [`ResolveError`] when a request carries a credential that cannot be resolved,
//! [`ConfigError`] when a [`Resolver`](crate::Resolver) is built from an invalid configuration.
//!
//! No message ever contains a credential: they name what is wrong, never the value.

use std::fmt;

use http::HeaderName;

#[doc(inline)]
pub use crate::error_body::{AuthErrorPayload, ErrorCode};

use crate::identity::kinds::CredentialKind;

/// Why a request's credential could not be resolved into a user.
///
/// An anonymous request is not an error: [`Resolver::resolve`](crate::Resolver::resolve)
/// returns `Ok(None)` for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// A Bearer token shaped like a JWT (two dots) that does not decode.
    #[error("malformed JWT: {0}")]
    MalformedJwt(JwtError),
    /// A JWT with no string, non-blank `sub`, `email` or `preferred_username` claim.
    #[error("JWT contains no usable identity claim (sub, email, preferred_username)")]
    NoIdentityClaim,
    /// A JWT whose claims have the wrong types (the reference's model validation).
    #[error("invalid JWT claims: {0}")]
    InvalidClaims(ClaimsError),
    /// A verified JWT without a non-empty `iss` claim: its id cannot be issuer-scoped.
    #[error("verified JWT identity requires a non-empty issuer (`iss`) claim")]
    MissingIssuer,
    /// A `Basic` credential that is not `base64(username ":" password)`.
    #[error("malformed Basic credential: {0}")]
    MalformedBasic(BasicError),
    /// An identity from a source that is neither verified nor trusted (a session cookie, an API
    /// key, the identity claim of an unverified JWT) holding a C0 control character or DEL:
    /// refused, so that no such credential can spell the id of a verified JWT
    /// (`iss` `U+001F` identity) or of a trusted identity header. A deliberate divergence from
    /// the reference, which accepts them.
    #[error("the {0} identity contains a control character")]
    ControlCharacter(CredentialKind),
    /// A recognised credential of a kind this deployment does not accept.
    #[error("identity credential type '{0}' is not accepted")]
    NotAccepted(CredentialKind),
    /// The configured trusted identity header is absent.
    #[error("configured identity header '{0}' is missing")]
    IdentityHeaderMissing(HeaderName),
    /// The configured trusted identity header occurs more than once.
    #[error("configured identity header '{0}' must occur exactly once")]
    IdentityHeaderRepeated(HeaderName),
    /// The configured trusted identity header is empty or blank.
    #[error("configured identity header '{0}' must not be empty")]
    IdentityHeaderBlank(HeaderName),
    /// A WebSocket `?session=` id with characters outside `A-Z a-z 0-9 - _ . ~`.
    #[error("invalid session ID")]
    InvalidSessionId,
    /// A WebSocket `auth_message` frame that does not have the reference's shape.
    #[error("invalid auth message: {0}")]
    InvalidAuthMessage(AuthMessageError),
    /// A WebSocket `auth_message` on a deployment whose identity comes from a trusted header.
    #[error("WebSocket auth messages cannot replace an identity asserted by a trusted header")]
    AuthMessageWithIdentityHeader,
    /// A WebSocket upgrade authenticated by an ambient credential (a session cookie or Basic
    /// credentials), from an `Origin` that is not allowed, or without one (cross-site WebSocket
    /// hijacking, RFC 6455 §10.2).
    #[error("WebSocket upgrade from an origin that is not allowed")]
    OriginNotAllowed,
    /// A trusted identity header from a peer outside the configured proxy ranges (or from a
    /// peer whose address is unknown): never trusted.
    #[error("the identity header is only accepted from the trusted proxies")]
    UntrustedPeer,
    /// A credential header longer than the resolver's limit: refused before it is parsed.
    #[error("a credential header exceeds the {limit}-byte limit")]
    CredentialTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A WebSocket auth message longer than the resolver's limit: refused before it is parsed.
    #[error("the auth message exceeds the {limit}-byte limit")]
    AuthFrameTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A JWT that a configured verifier refuses, or an introspection answer whose claims fail
    /// the same checks (feature `verify`; the message says "token", since either may): HTTP 401
    /// `error="invalid_token"`, or 503 when the issuer's keys cannot be had
    /// ([`VerifyError::KeysUnavailable`]).
    #[error("token verification failed: {0}")]
    Verification(VerifyError),
    /// An opaque token that introspection (RFC 7662, feature `introspection`) refuses, or
    /// could not check: HTTP 401 `invalid_token` for the token's fault, 503 with
    /// `Retry-After` when the authorization server cannot answer. An answer whose claims
    /// fail the checks a verified JWT's would (expired, audience, scopes) is a
    /// [`Verification`](Self::Verification) error, named by that check.
    #[error("token introspection: {0}")]
    Introspection(IntrospectionError),
    /// A DPoP-bound token presented without its proof (as `Bearer`), a proof that fails, or
    /// a proof that could not be checked (RFC 9449): 401, or 503 when the replay store cannot
    /// answer.
    #[error("DPoP: {0}")]
    Dpop(DpopError),
    /// A certificate-bound token (`cnf.x5t#S256`, RFC 8705) presented without the client
    /// certificate it is bound to: none, another, or one that cannot be read. HTTP 401
    /// `invalid_token`.
    #[error("mutual TLS: {0}")]
    Certificate(CertificateError),
    /// The user's claims cannot be read as the route's type (the
    /// [`Claims`](crate::Claims) extractor): not verified, or not fitting. HTTP 401
    /// `invalid_token`.
    #[error("{0}")]
    Claims(TypedClaimsError),
    /// A token in a configured location
    /// ([`with_token_cookie`](crate::ResolverBuilder::with_token_cookie), …) that cannot be
    /// taken: two different tokens on one request, or a value that needs unescaping. HTTP 401.
    #[error("token location: {0}")]
    TokenLocation(&'static str),
    /// An API key the configured [`ApiKeyStore`](crate::api_keys::ApiKeyStore) does not know: HTTP 401
    /// `invalid_token`.
    #[error("unknown API key")]
    UnknownApiKey,
}

impl From<JwtError> for ResolveError {
    fn from(error: JwtError) -> Self {
        Self::MalformedJwt(error)
    }
}

/// The `WWW-Authenticate` challenge a refusal carries: part of the one classification of
/// [`ResolveError`]s ([`ResolveError::status`], [`ResolveError::challenge`],
/// [`ResolveError::close_reason`]), which every adapter and the `resolve` tool share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Challenge {
    /// No challenge: the status is not 401.
    None,
    /// `Bearer` (RFC 6750), without an error attribute.
    Bearer,
    /// `Bearer error="invalid_token", error_description="…"` (RFC 6750 §3.1): a refused token.
    InvalidToken,
    /// `Basic realm="api", charset="UTF-8"` (RFC 7617).
    Basic,
    /// `Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3.1), with a 403: a valid
    /// token that lacks a grant the verifier requires.
    InsufficientScope,
    /// `DPoP error="invalid_dpop_proof", algs="…"` (RFC 9449 §7.1): a proof that fails.
    InvalidDpopProof,
}

/// The WebSocket close code of every refused socket: 1008, policy violation (RFC 6455 §7.4.1).
pub const WEBSOCKET_CLOSE_POLICY: u16 = 1008;

impl ResolveError {
    /// The error's class: a stable `snake_case` name of what failed, without any detail (for
    /// metrics labels and log fields). A verification failure is named by its check
    /// (`expired`, `invalid_signature`, `unknown_key`, …).
    ///
    /// ```
    /// use axum_userinfo::ResolveError;
    /// assert_eq!(ResolveError::NoIdentityClaim.class(), "no_identity_claim");
    /// ```
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::MalformedJwt(_) => "malformed_jwt",
            Self::NoIdentityClaim => "no_identity_claim",
            Self::InvalidClaims(_) => "invalid_claims",
            Self::MissingIssuer => "missing_issuer",
            Self::MalformedBasic(_) => "malformed_basic",
            Self::ControlCharacter(_) => "control_character",
            Self::NotAccepted(_) => "not_accepted",
            Self::IdentityHeaderMissing(_) => "identity_header_missing",
            Self::IdentityHeaderRepeated(_) => "identity_header_repeated",
            Self::IdentityHeaderBlank(_) => "identity_header_blank",
            Self::InvalidSessionId => "invalid_session_id",
            Self::InvalidAuthMessage(_) => "invalid_auth_message",
            Self::AuthMessageWithIdentityHeader => "auth_message_with_identity_header",
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::UntrustedPeer => "untrusted_peer",
            Self::CredentialTooLarge { .. } => "credential_too_large",
            Self::AuthFrameTooLarge { .. } => "auth_frame_too_large",
            Self::Verification(error) => error.class(),
            Self::Introspection(error) => error.class(),
            Self::UnknownApiKey => "unknown_api_key",
            Self::Dpop(error) => error.class(),
            Self::Certificate(error) => error.class(),
            Self::Claims(TypedClaimsError::NotVerified) => "claims_not_verified",
            Self::Claims(_) => "claims_do_not_fit",
            Self::TokenLocation(_) => "token_location",
        }
    }

    /// The HTTP status of a request refused with this error: 400 for a malformed request, 403
    /// for an origin that is not allowed, an untrusted proxy or a missing scope, 431 for an oversized
    /// credential, 503 when an issuer's keys cannot be had, 401 otherwise.
    #[must_use]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::CredentialTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::OriginNotAllowed
            | Self::UntrustedPeer
            | Self::Verification(VerifyError::InsufficientScope { .. }) => StatusCode::FORBIDDEN,
            Self::Verification(VerifyError::KeysUnavailable) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Introspection(error) if error.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Dpop(error) => error.status(),
            error if error.is_malformed_request() => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `WWW-Authenticate` challenge of a request refused with this error (a 401, and the
    /// 403 of a missing scope): `invalid_token` for refused tokens and API keys, `Basic` for
    /// Basic credentials, `insufficient_scope` for a token without a required scope.
    #[must_use]
    pub fn challenge(&self) -> Challenge {
        if let Self::Verification(VerifyError::InsufficientScope { .. }) = self {
            return Challenge::InsufficientScope;
        }
        if let Self::Dpop(error) = self {
            return match error {
                DpopError::ReplayStore(_) | DpopError::NeedsAsync => Challenge::None,
                DpopError::BoundTokenAsBearer | DpopError::UnboundToken => Challenge::InvalidToken,
                _ => Challenge::InvalidDpopProof,
            };
        }
        if self.status() != http::StatusCode::UNAUTHORIZED {
            return Challenge::None;
        }
        match self {
            Self::MalformedBasic(_) => Challenge::Basic,
            Self::MalformedJwt(_)
            | Self::NoIdentityClaim
            | Self::InvalidClaims(_)
            | Self::MissingIssuer
            | Self::Verification(_)
            | Self::Introspection(_)
            | Self::UnknownApiKey
            | Self::Certificate(_)
            | Self::Claims(_)
            | Self::TokenLocation(_)
            | Self::NotAccepted(
                CredentialKind::Jwt | CredentialKind::OpaqueToken | CredentialKind::ApiKey,
            )
            | Self::ControlCharacter(CredentialKind::Jwt | CredentialKind::ApiKey) => {
                Challenge::InvalidToken
            }
            _ => Challenge::Bearer,
        }
    }

    /// The reason a WebSocket refused with this error is closed with (code
    /// [`WEBSOCKET_CLOSE_POLICY`]): the reference's "Invalid session ID" for an unsafe
    /// `?session=` id, "Identity credential was rejected" otherwise.
    #[must_use]
    pub fn close_reason(&self) -> &'static str {
        match self {
            Self::InvalidSessionId => "Invalid session ID",
            _ => "Identity credential was rejected",
        }
    }

    /// Whether the request itself is malformed (HTTP 400) rather than carrying a credential that
    /// is refused (HTTP 401).
    ///
    /// Malformed: an invalid `?session=` id, an invalid auth message, and a credential or auth
    /// message over the size limit. Everything else, trusted identity header errors included
    /// (as in the reference), is a refused credential.
    #[must_use]
    pub fn is_malformed_request(&self) -> bool {
        matches!(
            self,
            Self::InvalidSessionId
                | Self::InvalidAuthMessage(_)
                | Self::CredentialTooLarge { .. }
                | Self::AuthFrameTooLarge { .. }
        )
    }
}

/// The part of a JWT that failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// The JOSE header, the first segment.
    Header,
    /// The claims, the second segment.
    Payload,
    /// The signature, the third segment.
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// Why a JWT does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not exactly three dot-separated segments.
    #[error("expected 3 dot-separated segments")]
    SegmentCount,
    /// A segment that is not base64url (no `+`, `/` or junk; at most canonical `=` padding).
    #[error("{0} is not valid base64url")]
    Base64(Segment),
    /// A header or payload that is not UTF-8.
    #[error("{0} is not UTF-8")]
    NotUtf8(Segment),
    /// A header or payload that is not JSON, or nests deeper than 128 levels.
    #[error("{0} is not valid JSON")]
    NotJson(Segment),
    /// A header or payload that is JSON but not an object.
    #[error("{0} must be a JSON object")]
    NotObject(Segment),
    /// A `kid` header parameter that is not a string.
    #[error("the kid header parameter must be a string")]
    KidNotString,
    /// A `crit` header parameter naming an extension that is not understood (RFC 7515 §4.1.11).
    #[error("unsupported or malformed crit header parameter")]
    UnsupportedCrit,
    /// `b64: false` (RFC 7797): an unencoded, detached payload, which carries no claims here.
    #[error("unencoded payloads (b64: false) are not supported")]
    UnencodedPayload,
}

/// Why a configured verifier refuses a JWT (feature `verify`). Messages name the check that
/// failed, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token's `iss` names no configured issuer.
    #[error("unknown issuer")]
    UnknownIssuer,
    /// `alg` is missing, `none`, unknown, or not allowed by the issuer's keys.
    #[error("algorithm not allowed")]
    AlgorithmNotAllowed,
    /// No key of the issuer has the token's `kid` (without a `kid`: the issuer has several
    /// keys and none without a `kid`).
    #[error("no matching key")]
    UnknownKey,
    /// The key the token's `kid` picks is one the issuer published but the crate left out
    /// (weak, not for signatures, symmetric or malformed): no later key stands in for it.
    #[error("the matching key of the issuer is not usable")]
    UnusableKey,
    /// The issuer's keys could not be fetched, and none are cached: HTTP 503.
    #[error("the issuer's keys are unavailable")]
    KeysUnavailable,
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future")]
    IssuedInFuture,
    /// A valid token without every scope its verifier requires: HTTP 403 with
    /// `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3.1).
    #[error("the token lacks a required scope (required: {})", required.join(" "))]
    InsufficientScope {
        /// The scopes the verifier requires (configuration, never token data).
        required: Vec<String>,
    },
    /// A claim the verifier requires is absent (`exp`, `aud`).
    #[error("the {0} claim is required")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type (a string `exp`, a numeric `iss`, an object `aud`).
    #[error("the {0} claim has the wrong type")]
    ClaimType(&'static str),
    /// None of the token's audiences is an accepted one.
    #[error("audience not accepted")]
    AudienceMismatch,
    /// The `typ` header is not the expected one (e.g. `at+jwt`).
    #[error("unexpected token type")]
    TypeMismatch,
    /// A `crit` header parameter: no extension is implemented, so any is refused (RFC 7515).
    #[error("critical header extensions are not supported")]
    UnsupportedCrit,
    /// A JWE (five segments, or an `enc` header): encrypted tokens are not accepted.
    #[error("encrypted tokens (JWE) are not accepted")]
    Encrypted,
    /// A nested JWT (`cty: JWT`).
    #[error("nested tokens are not accepted")]
    Nested,
}

impl VerifyError {
    /// The check that failed, as a stable `snake_case` name (see [`ResolveError::class`]).
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::UnknownIssuer => "unknown_issuer",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::UnknownKey => "unknown_key",
            Self::UnusableKey => "unusable_key",
            Self::KeysUnavailable => "keys_unavailable",
            Self::InvalidSignature => "invalid_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::IssuedInFuture => "issued_in_future",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::MissingClaim(_) => "missing_claim",
            Self::ClaimType(_) => "claim_type",
            Self::AudienceMismatch => "audience_mismatch",
            Self::TypeMismatch => "type_mismatch",
            Self::UnsupportedCrit => "unsupported_crit",
            Self::Encrypted => "encrypted",
            Self::Nested => "nested",
        }
    }
}

/// Why introspection (RFC 7662) refuses an opaque token, or could not answer. Messages never
/// hold the token, the client secret or the authorization server's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntrospectionError {
    /// The authorization server answered `"active": false` (or anything but JSON `true`: a
    /// string `"true"` is not active): HTTP 401 `invalid_token`.
    #[error("the token is not active")]
    Inactive,
    /// The answer's `token_type` is `refresh_token`: a refresh token is not an access token.
    #[error("a refresh token is not an access token")]
    RefreshToken,
    /// An active answer without a non-blank string `sub`, `username` or `client_id`: no user
    /// to name.
    #[error("the introspection answer names no subject (sub, username, client_id)")]
    NoIdentity,
    /// An answer member of the wrong type (`username`, `client_id`, `token_type`).
    #[error("the {0} member of the introspection answer has the wrong type")]
    MemberType(&'static str),
    /// The authorization server could not be reached, timed out, refused the client
    /// credentials, or answered something that is not an introspection answer: HTTP 503 with
    /// `Retry-After` (the token may be fine). The log says which, never the token or secret.
    #[error("the authorization server could not answer")]
    Unavailable,
    /// Too many introspection calls in flight already: HTTP 503 with `Retry-After`, rather
    /// than piling on the authorization server.
    #[error("too many introspection calls in flight")]
    Overloaded,
    /// The synchronous path ([`Resolver::resolve`](crate::Resolver::resolve)) met an opaque
    /// token whose answer is not cached: only
    /// [`resolve_async`](crate::Resolver::resolve_async) (and the layer, the extractors)
    /// can call the authorization server. HTTP 503.
    #[error("an opaque token needs introspection: resolve it with resolve_async")]
    NeedsAsync,
}

impl IntrospectionError {
    /// The failure's stable `snake_case` name (see [`ResolveError::class`]).
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::RefreshToken => "refresh_token",
            Self::NoIdentity => "no_identity_claim",
            Self::MemberType(_) => "claim_type",
            Self::Unavailable => "introspection_unavailable",
            Self::Overloaded => "introspection_overloaded",
            Self::NeedsAsync => "introspection_needs_async",
        }
    }

    /// Whether the token may be fine and the check could not be made (HTTP 503).
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Unavailable | Self::Overloaded | Self::NeedsAsync
        )
    }
}

/// Why a DPoP proof (RFC 9449) is refused, or could not be checked. Messages name the rule,
/// never the proof, the token or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// The proof breaks a rule of RFC 9449 §4.3 (the rule named): HTTP 401 with
    /// `WWW-Authenticate: DPoP error="invalid_dpop_proof"`.
    #[error("invalid DPoP proof: {0}")]
    InvalidProof(&'static str),
    /// Nonces are required and the proof has none, or a stale one (RFC 9449 §9): HTTP 401
    /// with `DPoP error="use_dpop_nonce"` and `nonce` in the `DPoP-Nonce` header.
    #[error("the DPoP proof needs a fresh server nonce")]
    UseNonce {
        /// A fresh nonce, for the client's next proof (public, not a secret).
        nonce: String,
    },
    /// The proof's `jti` was seen before within its lifetime: a replay.
    #[error("invalid DPoP proof: the proof was used before")]
    Replayed,
    /// The proof's key is not the one the access token is bound to (`cnf.jkt`).
    #[error("the DPoP proof's key is not the one the access token is bound to")]
    KeyMismatch,
    /// The replay store could not answer: HTTP 503 (never a proof accepted unchecked).
    #[error("the DPoP replay store could not answer: {0}")]
    ReplayStore(ReplayStoreError),
    /// A token bound to a key (`cnf`) presented as a bearer token, without a proof: a stolen
    /// bound token must not work as a plain one (RFC 9449 §7.2). HTTP 401 `invalid_token`.
    #[error("a sender-constrained token (cnf) cannot be used as a bearer token")]
    BoundTokenAsBearer,
    /// `Authorization: DPoP` with a token that is not bound to a DPoP key (`cnf.jkt`).
    #[error("the token is not bound to a DPoP key (cnf.jkt)")]
    UnboundToken,
    /// The synchronous path met a proof whose replay store answers asynchronously: only
    /// `resolve_async` (and the layer) can check it. HTTP 503.
    #[error("a DPoP proof needs the replay store: resolve it with resolve_async")]
    NeedsAsync,
}

impl DpopError {
    /// The failure's stable `snake_case` name (see [`ResolveError::class`]).
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::InvalidProof(_) => "invalid_dpop_proof",
            Self::Replayed => "dpop_replay",
            Self::UseNonce { .. } => "use_dpop_nonce",
            Self::KeyMismatch => "dpop_key_mismatch",
            Self::ReplayStore(_) => "replay_store_unavailable",
            Self::BoundTokenAsBearer => "bound_token_as_bearer",
            Self::UnboundToken => "unbound_token",
            Self::NeedsAsync => "dpop_needs_async",
        }
    }

    /// The HTTP status: 503 when the replay store could not answer, else 401.
    #[must_use]
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::ReplayStore(_) | Self::NeedsAsync => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }
}

/// Why a certificate-bound token (RFC 8705) was refused; every one is HTTP 401
/// `invalid_token`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The request presented no client certificate (or its header came from a peer that is
    /// not a trusted proxy, or no certificate source is configured).
    #[error("the token is bound to a client certificate and none was presented")]
    Missing,
    /// The client certificate is not the one the token is bound to.
    #[error("the client certificate is not the one the token is bound to")]
    Mismatch,
    /// The certificate header cannot be read (the rule named): repeated, not the configured
    /// format, not a certificate.
    #[error("the client certificate cannot be read: {0}")]
    Malformed(&'static str),
}

impl CertificateError {
    /// The failure's stable `snake_case` name (see [`ResolveError::class`]).
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::Missing => "certificate_missing",
            Self::Mismatch => "certificate_mismatch",
            Self::Malformed(_) => "certificate_malformed",
        }
    }
}

/// Why a DPoP replay store could not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayStoreError {
    /// The store is down, slow or failing.
    #[error("the store is unavailable")]
    Unavailable,
    /// The store holds as many unexpired proofs as it may: forgetting one would let it be
    /// replayed.
    #[error("the store is full")]
    Full,
    /// The proof's key holds as many unexpired proofs as one key may: its proofs are refused
    /// until some expire, every other key's still pass.
    #[error("the proof's key holds as many proofs as one key may")]
    KeyFull,
}

/// Why a user's claims could not be read as the application's type
/// ([`UserInfo::claims_as`](crate::UserInfo::claims_as), the
/// [`Claims`](crate::Claims) extractor): HTTP 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypedClaimsError {
    /// The user's claims are not verified (a JWT decoded without verification), or the user
    /// has none (an API key, a cookie, Basic credentials, a trusted header).
    #[error("the request carries no verified token claims")]
    NotVerified,
    /// The claims do not fit the type: the field named (its path) is missing or of another
    /// type. Never its value.
    #[error("the token's claims do not fit: '{field}' is missing or of another type")]
    DoNotFit {
        /// The path of the field, `a.b[0]`.
        field: String,
    },
}

/// Why decoded JWT claims are refused (the reference validates its `JwtUserInfo` model).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// `roles`, `realm_access.roles`, `groups` or `aud` is a list with a non-string entry.
    #[error("the {0} claim must be a list of strings")]
    NotAStringList(&'static str),
    /// `azp` / `client_id` resolve to a value that is not a string.
    #[error("the azp / client_id claim must be a string")]
    ClientIdNotString,
}

/// Why a `Basic` credential is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BasicError {
    /// Not strict, padded, standard-alphabet base64 (RFC 7617).
    #[error("not valid base64")]
    Base64,
    /// The decoded bytes are not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// No `:` between username and password.
    #[error("must contain a colon separator (username:password)")]
    NoColon,
    /// The username before the `:` is empty.
    #[error("username must not be empty")]
    EmptyUsername,
}

/// Why a WebSocket `auth_message` frame is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthMessageError {
    /// A field the message does not define.
    #[error("unexpected field")]
    UnexpectedField,
    /// A required field is absent.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// A field with the wrong JSON type.
    #[error("field `{0}` has the wrong type")]
    WrongType(&'static str),
    /// A string field that must not be empty is empty.
    #[error("field `{0}` must not be empty")]
    Empty(&'static str),
    /// A `method` other than `jwt`, `api_key`, `basic` and `oauth_mode_preference`.
    #[error("unknown method")]
    UnknownMethod,
    /// An `oauth_mode_preference` whose `mode` is neither `redirect` nor `popup`.
    #[error("unknown OAuth mode")]
    UnknownMode,
}

/// Why a [`Resolver`](crate::Resolver) configuration is refused when it is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The trusted identity header name is not a valid HTTP header name.
    #[error("invalid identity header name")]
    InvalidHeaderName,
    /// A trusted identity header is the only identity source; it cannot have accepted kinds.
    #[error("a trusted identity header cannot be combined with an accepted credential kinds list")]
    IdentityHeaderWithAcceptedKinds,
    /// A trusted identity header is the only identity source; it cannot verify JWTs.
    #[error("a trusted identity header cannot be combined with JWT verification")]
    IdentityHeaderWithVerification,
    /// A trusted proxy range that is not an IP network in CIDR form (`10.0.0.0/8`, `::1/128`).
    #[error("invalid trusted proxy range (expected CIDR, like 10.0.0.0/8)")]
    InvalidProxyRange,
    /// Trusted proxy ranges without a trusted identity header: they would restrict nothing.
    #[error("trusted proxy ranges need a trusted identity header, or DPoP")]
    TrustedProxiesWithoutIdentityHeader,
    /// A verification key that cannot be used (bad PEM or JWK, unsupported key type, or an
    /// algorithm that does not fit the key).
    #[error("invalid verification key: {0}")]
    InvalidKey(&'static str),
    /// A JWT verifier for an issuer that is empty, or configured twice.
    #[error("invalid or duplicate JWT issuer")]
    InvalidIssuer,
    /// A JWT verifier with no key source.
    #[error("a JWT verifier needs keys, a JWKS URL or OIDC discovery")]
    NoKeySource,
    /// A JWKS or discovery URL that is not `https` (or loopback `http` when allowed).
    #[error("key URLs must be https (or http on loopback, when allowed)")]
    InsecureUrl,
    /// The HTTP client that fetches keys could not be built (its TLS configuration).
    #[error("the HTTP client for key fetches could not be built")]
    HttpClient,
    /// A key [`CachePolicy`](crate::verify::CachePolicy) whose `min_ttl` exceeds its `max_ttl`.
    #[error("invalid key cache policy: min_ttl exceeds max_ttl")]
    InvalidCachePolicy,
    /// A credential kind name other than `session_cookie`, `jwt`, `api_key` and `basic`.
    #[error(
        "unknown credential kind (expected session_cookie, jwt, opaque_token, api_key or basic)"
    )]
    UnknownCredentialKind,
    /// A client certificate header
    /// ([`ClientCertificates::from_header`](crate::mtls::ClientCertificates::from_header))
    /// without [trusted proxies](crate::ResolverBuilder::with_trusted_proxies): any client
    /// could then name any certificate. Add the proxies' ranges.
    #[error(
        "a client certificate header needs trusted proxies (with_trusted_proxies / --trusted-proxy): the header counts only from them"
    )]
    CertificateHeaderWithoutTrustedProxies,
    /// A token location that cannot be one (the rule named): a name that is not a header or
    /// cookie name, a header the reference's sources already read (`Authorization`, `Cookie`,
    /// `X-API-Key`), or any location beside a trusted identity header (the only source then).
    #[error("invalid token location: {0}")]
    InvalidTokenLocation(&'static str),
    /// A claim header that frames, routes or authenticates the response itself
    /// (`Content-Length`, `Transfer-Encoding`, `Connection`, `Host`, `Set-Cookie`, …): a claim
    /// there would break or hijack the gateway's connection. Choose another header name.
    #[error(
        "the header '{0}' cannot carry a claim: it is part of HTTP framing or routing (choose an X-… header)"
    )]
    ReservedHeader(HeaderName),
    /// A required scope that is not an RFC 6749 scope token (empty, or holding a space, `"`,
    /// `\` or a character outside printable ASCII).
    #[error(
        "a required scope must be a non-empty RFC 6749 scope token (printable ASCII, no space, '\"' or '\\')"
    )]
    InvalidScope,
    /// A [`ScopeHierarchy`](crate::authorize::ScopeHierarchy) separator that a scope token
    /// cannot hold (a space, `"`, `\`, or a character outside printable ASCII).
    #[error(
        "a scope separator must be a printable ASCII character other than space, '\"' and '\\' (say ':')"
    )]
    InvalidScopeSeparator,
    /// An MCP scope rule (`--mcp-scope`) that is not `METHOD[:NAME_PATTERN]=SCOPE[ SCOPE…]`.
    #[error(
        "an MCP scope rule is METHOD[:NAME_PATTERN]=SCOPE[ SCOPE...] (say tools/call:deploy_*=deploy)"
    )]
    InvalidMcpRule,
    /// `offline_access` in a protected resource's `scopes_supported`: refresh tokens are not
    /// a resource's requirement (the MCP authorization spec), and a client asked for it would
    /// ask the user for more than the resource needs.
    #[error("offline_access does not belong in a protected resource's scopes_supported: remove it")]
    OfflineAccessInScopesSupported,
    /// An any-of requirement of a [`Guard`](crate::Guard) (roles, groups) with nothing in it:
    /// no user could meet it.
    #[error("a guard's any-of list of roles or groups must name at least one")]
    EmptyRequirement,
    /// A protected resource identifier that is not an `https` URL (or `http` on loopback)
    /// without userinfo, query or fragment (RFC 9728 §1.2), with a port of 1–65535 and no
    /// route syntax (`{`, `}`, `:x`, `*x`) in its path.
    #[error(
        "a protected resource must be an https URL (http only on loopback) without userinfo, query, fragment or route syntax ({{, }}, :x, *x), its port 1-65535"
    )]
    InvalidResource,
    /// Two claims mapped to one header: the header would depend on which claims a token has.
    #[error("the header '{0}' is the target of two claims: map each claim to a header of its own")]
    DuplicateClaimHeader(HeaderName),
    /// An introspection client without its client id and secret, or with an empty one: the
    /// authorization server authenticates the resource server (RFC 7662 §2.1).
    #[error(
        "token introspection needs a client id and secret (set them with with_client_credentials)"
    )]
    MissingClientCredentials,
    /// An introspection client without an endpoint: configure one, or OIDC discovery.
    #[error("token introspection needs an endpoint URL or OIDC discovery")]
    NoIntrospectionEndpoint,
    /// An introspection endpoint URL with userinfo (`user:password@`): the client
    /// authenticates with its id and secret, never with credentials in a URL.
    #[error(
        "the introspection endpoint's URL must not hold credentials: give them to \
         with_client_credentials"
    )]
    CredentialsInUrl,
    /// DPoP without a public URL (nor trusted proxies to forward the scheme and host): a
    /// proof's `htu` could not be checked.
    #[error(
        "DPoP needs the service's public URL (with_public_url), or trusted proxies that forward \
         X-Forwarded-Proto and X-Forwarded-Host"
    )]
    DpopWithoutPublicUrl,
    /// A public URL that is not an absolute `http(s)` URL without userinfo, query or fragment.
    #[error("invalid public URL (expected https://host[:port][/prefix])")]
    InvalidPublicUrl,
    /// A Redis URL the `redis` crate does not take.
    #[error("invalid Redis URL (expected redis://host[:port][/db])")]
    InvalidRedisUrl,
    /// A DPoP algorithm that is not an asymmetric one this crate verifies (`none` and HMAC
    /// never are).
    #[error("unsupported DPoP algorithm (expected ES256, EdDSA, Ed25519, RS256 or PS256)")]
    InvalidDpopAlgorithm,
    /// A limit of zero (introspection calls in flight).
    #[error("the {0} limit must be at least 1")]
    ZeroLimit(&'static str),
    /// An API key list file that cannot be read.
    #[error("the API key list cannot be read: {0}")]
    ApiKeyFile(std::io::ErrorKind),
    /// A [`ProtectedResource`](crate::authorize::ProtectedResource) that names no authorization server:
    /// its metadata would not tell a client where to get a token (RFC 9728 §2; MCP requires
    /// one).
    #[error(
        "a protected resource must name at least one authorization server \
         (the second argument of ProtectedResource::new)"
    )]
    ResourceWithoutAuthorizationServer,
    /// [`accept_only_verified`](crate::ResolverBuilder::accept_only_verified) with nothing that
    /// verifies a credential: every credential would be refused.
    #[error(
        "accept_only_verified needs something that verifies credentials: a JWT verifier \
         (with_verifier), an introspection client (with_introspection) or an API key store \
         (with_api_keys)"
    )]
    NothingVerifies,
    /// Both [`with_accepted_kinds`](crate::ResolverBuilder::with_accepted_kinds) and
    /// [`accept_only_verified`](crate::ResolverBuilder::accept_only_verified): choose one.
    #[error("accept_only_verified and with_accepted_kinds both set the accepted kinds: choose one")]
    AcceptedKindsTwice,
    /// A line of an API key list that is neither `sha256:<64 hex> [label [scopes…]]` nor a key.
    #[error("API key list line {line}: {reason}")]
    InvalidApiKeyLine {
        /// The line's number, from 1.
        line: usize,
        /// What is wrong with it (never the line itself: it may hold a key).
        reason: &'static str,
    },
}

impl From<crate::identity::kinds::UnknownCredentialKind> for ConfigError {
    fn from(_: crate::identity::kinds::UnknownCredentialKind) -> Self {
        Self::UnknownCredentialKind
    }
}

impl AuthErrorPayload {
    /// The payload for `error`: `invalid_message` for a malformed request, `user_auth_error`
    /// (with the reference's message "Authentication failed") for everything else.
    #[must_use]
    pub fn new(error: &ResolveError) -> Self {
        let (code, message) = if error.is_malformed_request() {
            (ErrorCode::InvalidMessage, "Error validating message.")
        } else {
            (ErrorCode::UserAuthError, "Authentication failed")
        };
        Self {
            code,
            message,
            details: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_classification() {
        use http::StatusCode as S;
        let cases = [
            (
                ResolveError::NoIdentityClaim,
                S::UNAUTHORIZED,
                Challenge::InvalidToken,
            ),
            (
                ResolveError::MalformedBasic(BasicError::NoColon),
                S::UNAUTHORIZED,
                Challenge::Basic,
            ),
            (
                ResolveError::NotAccepted(CredentialKind::SessionCookie),
                S::UNAUTHORIZED,
                Challenge::Bearer,
            ),
            (
                ResolveError::ControlCharacter(CredentialKind::ApiKey),
                S::UNAUTHORIZED,
                Challenge::InvalidToken,
            ),
            (
                ResolveError::ControlCharacter(CredentialKind::SessionCookie),
                S::UNAUTHORIZED,
                Challenge::Bearer,
            ),
            (
                ResolveError::InvalidSessionId,
                S::BAD_REQUEST,
                Challenge::None,
            ),
            (
                ResolveError::CredentialTooLarge { limit: 1 },
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                Challenge::None,
            ),
            (
                ResolveError::OriginNotAllowed,
                S::FORBIDDEN,
                Challenge::None,
            ),
            (ResolveError::UntrustedPeer, S::FORBIDDEN, Challenge::None),
            (
                ResolveError::Verification(VerifyError::KeysUnavailable),
                S::SERVICE_UNAVAILABLE,
                Challenge::None,
            ),
            (
                ResolveError::Verification(VerifyError::Expired),
                S::UNAUTHORIZED,
                Challenge::InvalidToken,
            ),
        ];
        for (error, status, challenge) in cases {
            assert_eq!(
                (error.status(), error.challenge()),
                (status, challenge),
                "{error}"
            );
        }
        assert_eq!(
            ResolveError::InvalidSessionId.close_reason(),
            "Invalid session ID"
        );
        assert_eq!(
            ResolveError::NoIdentityClaim.close_reason(),
            "Identity credential was rejected"
        );
    }
}
