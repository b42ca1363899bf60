//! A credential as a request's headers or a WebSocket auth message present it: its kind and
//! raw parts, not yet accepted, decoded or checked. Where it came from ends here: the engine
//! ([`identity`](super::identity)) turns every credential into a user the same way.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName};

use crate::identity::kinds::CredentialKind;

/// A credential, raw.
#[derive(Debug)]
pub(crate) enum Credential<'a> {
    /// The identity a trusted proxy's header asserts (present once, not blank, trimmed).
    IdentityHeader {
        header: &'a HeaderName,
        identity: Cow<'a, str>,
    },
    /// A session cookie's value, or a WebSocket upgrade's `?session=` id.
    SessionCookie(Cow<'a, str>),
    /// A compact JWT (a Bearer token with exactly two dots, or an auth message's `jwt`).
    Jwt(&'a [u8]),
    /// A Bearer token shaped like a compact JWE while JWTs are verified: refused.
    #[cfg(feature = "verify")]
    EncryptedJwt,
    /// An opaque access token: a Bearer token that is not JWT-shaped, while an introspection
    /// client is configured.
    #[cfg(feature = "introspection")]
    OpaqueToken(&'a [u8]),
    /// An API key (a Bearer token of another shape, `X-API-Key`, or an auth message's).
    ApiKey(Cow<'a, str>),
    /// Basic credentials.
    Basic(Basic<'a>),
}

/// Basic credentials, as their carrier holds them.
#[derive(Debug)]
pub(crate) enum Basic<'a> {
    /// The base64 of `username:password` of an `Authorization: Basic` header.
    Encoded(&'a [u8]),
    /// An auth message's username and password.
    Parts {
        username: &'a str,
        password: &'a str,
    },
}

impl Credential<'_> {
    /// The kind the accepted kinds are checked against; `None` for the trusted identity
    /// header, which replaces them.
    pub(crate) fn kind(&self) -> Option<CredentialKind> {
        Some(match self {
            Self::IdentityHeader { .. } => return None,
            Self::SessionCookie(_) => CredentialKind::SessionCookie,
            Self::Jwt(_) => CredentialKind::Jwt,
            #[cfg(feature = "verify")]
            Self::EncryptedJwt => CredentialKind::Jwt,
            #[cfg(feature = "introspection")]
            Self::OpaqueToken(_) => CredentialKind::OpaqueToken,
            Self::ApiKey(_) => CredentialKind::ApiKey,
            Self::Basic(_) => CredentialKind::Basic,
        })
    }

    /// The source's name, as metrics and traces show it.
    pub(crate) fn source_name(&self) -> &'static str {
        self.kind()
            .map_or("identity_header", CredentialKind::as_str)
    }
}

/// A credential and what it must pass beside the accepted kinds.
#[derive(Debug)]
pub(crate) struct Presented<'a> {
    pub(crate) credential: Credential<'a>,
    /// For a credential a browser attaches by itself to a WebSocket upgrade (the session
    /// cookie, Basic credentials): the upgrade's headers, whose `Origin` must be allowed.
    pub(crate) ambient: Option<&'a HeaderMap>,
    /// `Authorization: DPoP`: the proof of possession that came with it (feature `dpop`).
    #[cfg(feature = "dpop")]
    pub(crate) dpop: Option<DpopPresented<'a>>,
}

/// A DPoP proof as presented: the `DPoP` header, and the token it must bind.
#[cfg(feature = "dpop")]
#[derive(Debug)]
pub(crate) struct DpopPresented<'a> {
    pub(crate) proof: &'a str,
    pub(crate) token: &'a [u8],
}

impl<'a> Presented<'a> {
    /// A credential a browser may attach by itself: on an upgrade (`ambient` the upgrade's
    /// headers), its origin is checked.
    pub(crate) fn ambient(credential: Credential<'a>, ambient: Option<&'a HeaderMap>) -> Self {
        Self {
            ambient,
            ..Self::sent(credential)
        }
    }

    /// A credential its sender's own code chose to send.
    pub(crate) fn sent(credential: Credential<'a>) -> Self {
        Self {
            credential,
            ambient: None,
            #[cfg(feature = "dpop")]
            dpop: None,
        }
    }
}
