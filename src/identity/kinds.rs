//! Which credential kinds a deployment accepts.
//!
//! A recognised credential of a kind that is not accepted is an error
//! ([`ResolveError::NotAccepted`](crate::ResolveError::NotAccepted)), never a silent
//! fall-through to the next source: a deployment that accepts only JWTs refuses a request with
//! an API key rather than treating it as anonymous.

use std::fmt;
use std::str::FromStr;

/// A kind of credential a request can carry, as named in the reference's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialKind {
    /// The `nat-session` cookie (or a WebSocket `?session=` id).
    SessionCookie,
    /// A Bearer token with exactly two dots, or a WebSocket `jwt` auth message.
    Jwt,
    /// An opaque access token, checked by RFC 7662 introspection: with an
    /// [`IntrospectionClient`](crate::introspect::IntrospectionClient) configured, a Bearer token that is
    /// not a JWT (and a JWT-shaped one that no configured issuer claims). Without one, such a
    /// token is an [`ApiKey`](Self::ApiKey), as in the reference's `UserManager`.
    OpaqueToken,
    /// Any other Bearer token, an `X-API-Key` header, or a WebSocket `api_key` auth message.
    ApiKey,
    /// `Authorization: Basic`, or a WebSocket `basic` auth message.
    Basic,
}

impl CredentialKind {
    /// Every kind, in the order the resolver consults them.
    pub const ALL: [Self; 5] = [
        Self::SessionCookie,
        Self::Jwt,
        Self::OpaqueToken,
        Self::ApiKey,
        Self::Basic,
    ];

    /// The reference's name: `session_cookie`, `jwt`, `api_key` or `basic`; and
    /// `opaque_token`, this crate's own (the reference's `UserManager` has no such kind).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionCookie => "session_cookie",
            Self::Jwt => "jwt",
            Self::OpaqueToken => "opaque_token",
            Self::ApiKey => "api_key",
            Self::Basic => "basic",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::SessionCookie => 1,
            Self::Jwt => 2,
            Self::ApiKey => 4,
            Self::Basic => 8,
            Self::OpaqueToken => 16,
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is none of [`CredentialKind`]'s (it converts into
/// [`ConfigError::UnknownCredentialKind`](crate::ConfigError::UnknownCredentialKind)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown credential kind (expected session_cookie, jwt, opaque_token, api_key or basic)")]
pub struct UnknownCredentialKind;

impl FromStr for CredentialKind {
    type Err = UnknownCredentialKind;

    /// Parses the reference's name.
    ///
    /// ```
    /// use axum_userinfo::CredentialKind;
    /// assert_eq!("api_key".parse(), Ok(CredentialKind::ApiKey));
    /// assert!("cookie".parse::<CredentialKind>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or(UnknownCredentialKind)
    }
}

/// A set of accepted [`CredentialKind`]s. The default accepts every kind.
///
/// ```
/// use axum_userinfo::{AcceptedKinds, CredentialKind};
/// let only_jwt = AcceptedKinds::from_iter([CredentialKind::Jwt]);
/// assert!(only_jwt.contains(CredentialKind::Jwt));
/// assert!(!only_jwt.contains(CredentialKind::ApiKey));
/// assert!(AcceptedKinds::default().contains(CredentialKind::Basic));
/// assert!(!AcceptedKinds::none().contains(CredentialKind::Basic));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcceptedKinds(u8);

impl AcceptedKinds {
    /// Every kind.
    #[must_use]
    pub const fn all() -> Self {
        Self(0b1_1111)
    }

    /// No kind at all: every credential is refused, anonymous requests still pass.
    #[must_use]
    pub const fn none() -> Self {
        Self(0)
    }

    /// Whether `kind` is accepted.
    #[must_use]
    pub const fn contains(self, kind: CredentialKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// The set with `kind` added.
    #[must_use]
    pub const fn with(self, kind: CredentialKind) -> Self {
        Self(self.0 | kind.bit())
    }

    /// The kinds something in the resolver verifies, and so the only ones
    /// [`accept_only_verified`](crate::ResolverBuilder::accept_only_verified) accepts: JWTs when
    /// a JWT verifier is configured, opaque tokens when an introspection client is, API keys
    /// when a key store is. Never Basic credentials or session cookies, which nothing verifies,
    /// nor unverified JWTs. This is the library's one rule of which credentials count as
    /// verified.
    ///
    /// ```
    /// use axum_userinfo::{AcceptedKinds, CredentialKind};
    /// let kinds = AcceptedKinds::verified_by(false, false, true); // a key store alone
    /// assert_eq!(kinds, AcceptedKinds::from([CredentialKind::ApiKey]));
    /// assert_eq!(AcceptedKinds::verified_by(false, false, false), AcceptedKinds::none());
    /// ```
    #[must_use]
    pub const fn verified_by(jwt_verifiers: bool, introspection: bool, key_store: bool) -> Self {
        let mut kinds = Self::none();
        if jwt_verifiers {
            kinds = kinds.with(CredentialKind::Jwt);
        }
        if introspection {
            kinds = kinds.with(CredentialKind::OpaqueToken);
        }
        if key_store {
            kinds = kinds.with(CredentialKind::ApiKey);
        }
        kinds
    }

    /// Whether no kind is accepted.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The accepted kinds, in resolution order.
    pub fn iter(self) -> impl Iterator<Item = CredentialKind> {
        CredentialKind::ALL
            .into_iter()
            .filter(move |kind| self.contains(*kind))
    }
}

impl Default for AcceptedKinds {
    fn default() -> Self {
        Self::all()
    }
}

impl FromIterator<CredentialKind> for AcceptedKinds {
    fn from_iter<I: IntoIterator<Item = CredentialKind>>(iter: I) -> Self {
        iter.into_iter().fold(Self::none(), Self::with)
    }
}

impl<const N: usize> From<[CredentialKind; N]> for AcceptedKinds {
    fn from(kinds: [CredentialKind; N]) -> Self {
        kinds.into_iter().collect()
    }
}

impl From<&[CredentialKind]> for AcceptedKinds {
    fn from(kinds: &[CredentialKind]) -> Self {
        kinds.iter().copied().collect()
    }
}

impl From<Vec<CredentialKind>> for AcceptedKinds {
    fn from(kinds: Vec<CredentialKind>) -> Self {
        kinds.into_iter().collect()
    }
}

impl fmt::Debug for AcceptedKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromStr for AcceptedKinds {
    type Err = UnknownCredentialKind;

    /// Parses a comma-separated list of kind names; the empty string accepts none.
    ///
    /// ```
    /// use axum_userinfo::{AcceptedKinds, CredentialKind};
    /// let kinds: AcceptedKinds = "jwt, api_key".parse().unwrap();
    /// assert!(kinds.contains(CredentialKind::ApiKey));
    /// assert_eq!("".parse::<AcceptedKinds>(), Ok(AcceptedKinds::none()));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::parse)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in CredentialKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
    }

    #[test]
    fn sets() {
        let kinds: AcceptedKinds = "basic,session_cookie".parse().unwrap();
        assert_eq!(
            kinds.iter().collect::<Vec<_>>(),
            [CredentialKind::SessionCookie, CredentialKind::Basic]
        );
        assert_eq!(format!("{kinds:?}"), "{SessionCookie, Basic}");
        assert_eq!(
            "jwt,nope".parse::<AcceptedKinds>(),
            Err(UnknownCredentialKind)
        );
        assert_eq!(
            AcceptedKinds::from_iter(CredentialKind::ALL),
            AcceptedKinds::all()
        );
    }
}
