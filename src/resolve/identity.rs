//! The engine's one step from a credential to a user: the kind accepted, an ambient
//! credential's origin allowed, then the credential's identity (a JWT verified when verifiers
//! are configured). Requests and WebSocket auth messages both come through here.

use http::header::ORIGIN;
use http::{HeaderMap, HeaderValue};

use crate::error::ResolveError;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_info::{BasicUserInfo, UserInfo};
use crate::parse::{basic, jwt};
use crate::resolve::Resolver;
use crate::resolve::credential::{Basic, Credential, Presented};
use crate::resolve::kinds::CredentialKind;
use crate::resolve::pending::Unfinished;

impl Resolver {
    /// The user of a presented credential, or why not (a JWT may wait for its issuer's keys).
    pub(crate) fn identity(&self, presented: Presented<'_>) -> Result<UserInfo, Unfinished> {
        let Presented {
            credential,
            ambient,
            ..
        } = presented;
        // A JWT's kind is known once it is known whether a configured issuer claims it: with
        // introspection, one that none claims is an opaque token (`jwt_user`).
        match credential.kind() {
            Some(CredentialKind::Jwt) if self.introspects() => {}
            Some(kind) => self.accept(kind)?,
            None => {}
        }
        if let Some(headers) = ambient {
            self.check_origin(headers)?;
        }
        Ok(match credential {
            Credential::IdentityHeader { header, identity } => {
                UserInfo::from_identity_header(header, &identity)
            }
            Credential::SessionCookie(value) => UserInfo::from_session_cookie(value)?,
            Credential::Jwt(token) => return self.jwt_user(token),
            #[cfg(feature = "verify")]
            Credential::EncryptedJwt => {
                let encrypted = crate::error::VerifyError::Encrypted;
                return Err(ResolveError::Verification(encrypted).into());
            }
            #[cfg(feature = "introspection")]
            Credential::OpaqueToken(token) => return self.opaque_user(token),
            Credential::ApiKey(key) => self.api_key_user(key)?,
            Credential::Basic(Basic::Encoded(credential)) => {
                let decoded = basic::decode(credential)?;
                let basic = BasicUserInfo::from_decoded(decoded.username, decoded.password);
                UserInfo::from_decoded_basic(basic, decoded.encoded)
            }
            Credential::Basic(Basic::Parts { username, password }) => {
                UserInfo::from_basic(BasicUserInfo::new(username, password)?)
            }
        })
    }

    /// A user from a JWT: verified when verifiers are configured, else decoded. With an
    /// introspection client, a JWT-shaped token that no configured issuer claims is
    /// introspected instead (see
    /// [`with_introspection`](crate::ResolverBuilder::with_introspection)).
    #[cfg_attr(
        not(feature = "verify"),
        allow(
            clippy::needless_question_mark,
            reason = "without verify, Unfinished is ResolveError"
        )
    )]
    fn jwt_user(&self, token: &[u8]) -> Result<UserInfo, Unfinished> {
        #[cfg(feature = "introspection")]
        if self.introspects() {
            if !self.verifies_jwts() {
                return self.opaque_user(token);
            }
            return match self.config().issuers.user(token) {
                Err(Unfinished::Refused(refusal)) if is_unclaimed(&refusal) => {
                    self.opaque_user(token)
                }
                verified => {
                    self.accept(CredentialKind::Jwt)?;
                    verified
                }
            };
        }
        #[cfg(feature = "verify")]
        if self.verifies_jwts() {
            return self.config().issuers.user(token);
        }
        Ok(unverified_jwt_user(token)?)
    }

    /// The user of an opaque token, by its introspection answer (cached, or to be asked).
    #[cfg(feature = "introspection")]
    fn opaque_user(&self, token: &[u8]) -> Result<UserInfo, Unfinished> {
        self.accept(CredentialKind::OpaqueToken)?;
        match &self.config().introspection {
            Some(client) => client.user(token),
            None => Err(
                ResolveError::Introspection(crate::error::IntrospectionError::Unavailable).into(),
            ),
        }
    }

    /// The user of an API key; with a key store, only of a key it knows.
    fn api_key_user(&self, key: std::borrow::Cow<'_, str>) -> Result<UserInfo, ResolveError> {
        let Some(store) = &self.config().api_keys else {
            return UserInfo::from_api_key(key);
        };
        let digest = crate::api_keys::ApiKeyDigest::of(&key);
        let entry = store.find(&digest).ok_or(ResolveError::UnknownApiKey)?;
        UserInfo::from_known_api_key(key, entry)
    }

    /// Refuses a credential of a kind the deployment does not accept.
    fn accept(&self, kind: CredentialKind) -> Result<(), ResolveError> {
        if self.config().accepted.contains(kind) {
            Ok(())
        } else {
            Err(ResolveError::NotAccepted(kind))
        }
    }

    /// Cross-site WebSocket hijacking (RFC 6455 §10.2): a browser sends a site's cookies with a
    /// WebSocket upgrade whatever page opened it, so an upgrade that rides on an ambient
    /// credential must come from an allowed `Origin`, when an allow-list is configured.
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), ResolveError> {
        let Some(allowed) = &self.config().allowed_origins else {
            return Ok(());
        };
        let origin = headers.get(ORIGIN).map(HeaderValue::as_bytes);
        let is_allowed = |origin: &[u8]| {
            allowed
                .iter()
                .any(|a| a.as_bytes().eq_ignore_ascii_case(origin))
        };
        if origin.is_some_and(is_allowed) {
            Ok(())
        } else {
            Err(ResolveError::OriginNotAllowed)
        }
    }
}

/// Whether a verifier's refusal says that no configured issuer claims the token (it does
/// not decode, names no issuer, or an unknown one): such a token may be opaque, and is
/// introspected. Every other refusal is the token's issuer's own, and stands.
#[cfg(feature = "introspection")]
fn is_unclaimed(refusal: &ResolveError) -> bool {
    use crate::error::VerifyError;
    matches!(
        refusal,
        ResolveError::MalformedJwt(_)
            | ResolveError::MissingIssuer
            | ResolveError::Verification(
                VerifyError::UnknownIssuer | VerifyError::ClaimType("iss")
            )
    )
}

/// A user from an unverified JWT; the identity claim is checked before the claim types, as in
/// the reference.
fn unverified_jwt_user(token: &[u8]) -> Result<UserInfo, ResolveError> {
    let payload = jwt::decode_unverified(token).map_err(ResolveError::MalformedJwt)?;
    let (jwt, id) = JwtUserInfo::from_payload(payload)?;
    Ok(UserInfo::from_checked_jwt(id, jwt))
}
