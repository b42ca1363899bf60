//! The engine: one pipeline, read top to bottom.
//!
//! ```text
//! request view ─┐
//!               ├─ credential ── identity ── binding ── user
//! auth message ─┘  (headers.rs,   (below)    (binding.rs)
//!                   frame.rs)
//! ```
//!
//! Each step answers at once or with one [`Wait`] (an issuer's keys, an introspection answer,
//! the replay store); [`Pending`] holds the one state, and the synchronous path answers it at
//! once while the asynchronous one awaits it. Requests and WebSocket auth messages differ only
//! in where the credential comes from.

use crate::error::ResolveError;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::kinds::CredentialKind;
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::{BasicUserInfo, UserInfo};
use crate::mtls::PresentedCertificate;
use crate::parse::{basic, jwt};
use crate::resolve::Resolver;
use crate::resolve::binding::Binding;
use crate::resolve::config::Config;
use crate::resolve::credential::{Basic, Credential, Presented};
use crate::resolve::frame::{self, Frame};
use crate::resolve::headers;
use crate::resolve::pending::{Pending, Step, Trace};
use crate::resolve::request::RequestView;
use crate::resolve::wait::Wait;
use crate::websocket::handled::HandledAuthMessage;

/// A step's answer: a user, a refusal, or a wait.
type Answer = Result<UserInfo, Unfinished<Wait>>;

impl Resolver {
    /// Starts resolving a request without waiting: the [`Pending`] answers at once, or after
    /// what its token waits for (an issuer's keys, an introspection answer, a DPoP proof's
    /// replay store). For middleware of your own that keeps a synchronous path (this crate's
    /// layer does): answer a ready one in place, and await only the rest.
    pub fn begin<'a>(&self, request: impl Into<RequestView<'a>>) -> Pending {
        let trace = Trace::start();
        let request = request.into();
        let config = self.config();
        let step = trace.in_scope(|| {
            let presented = match headers::presented(config, request) {
                Ok(Some(presented)) => presented,
                Ok(None) => return Step::Done(Ok(None)),
                Err(error) => return Step::Done(Err(error)),
            };
            trace.source(&presented.credential);
            match Binding::of(config, &presented, request) {
                Ok(binding) => Step::after_identity(identity(config, presented), binding),
                Err(error) => Step::Done(Err(error)),
            }
        });
        Pending::new(step, trace)
    }

    /// A WebSocket text frame's first pass: `None` when it is not an auth message; else a
    /// handled message (an OAuth preference), or the resolution of its credential under way,
    /// on a connection that presented `certificate` (its upgrade's).
    pub(crate) fn begin_frame(
        &self,
        text: &str,
        certificate: Option<PresentedCertificate>,
    ) -> Option<Result<HandledAuthMessage, Pending>> {
        let config = self.config();
        let message = match frame::read(config, text)? {
            Frame::Handled(handled) => return Some(Ok(handled)),
            Frame::Refused(error) => {
                return Some(Err(Pending::new(Step::Done(Err(error)), Trace::start())));
            }
            Frame::Message(message) => message,
        };
        let credential = frame::credential(&message)?;
        let trace = Trace::start();
        let step = trace.in_scope(|| {
            trace.source(&credential);
            // An auth message must not replace a trusted proxy's identity.
            if config.identity_header.is_some() {
                return Step::Done(Err(ResolveError::AuthMessageWithIdentityHeader));
            }
            let presented = Presented::sent(credential);
            Step::after_identity(identity(config, presented), Binding::bearer(certificate))
        });
        Some(Err(Pending::new(step, trace)))
    }
}

/// The step from a credential to a user: the kind accepted, an ambient credential's origin
/// allowed, then the credential's identity (a JWT verified when verifiers are configured).
fn identity(config: &Config, presented: Presented<'_>) -> Answer {
    let Presented {
        credential,
        ambient,
        ..
    } = presented;
    // A JWT's kind is known once it is known whether a configured issuer claims it: with
    // introspection, one that none claims is an opaque token (`jwt_user`).
    match credential.kind() {
        Some(CredentialKind::Jwt) if config.introspects() => {}
        Some(kind) => config.accept(kind)?,
        None => {}
    }
    if let Some(headers) = ambient {
        config.check_origin(headers)?;
    }
    Ok(match credential {
        Credential::IdentityHeader { header, identity } => {
            UserInfo::from_identity_header(header, &identity)
        }
        Credential::SessionCookie(value) => UserInfo::from_session_cookie(value)?,
        Credential::Jwt(token) => return jwt_user(config, token),
        #[cfg(feature = "verify")]
        Credential::EncryptedJwt => {
            let encrypted = crate::error::VerifyError::Encrypted;
            return Err(ResolveError::Verification(encrypted).into());
        }
        #[cfg(feature = "introspection")]
        Credential::OpaqueToken(token) => return opaque_user(config, token),
        Credential::ApiKey(key) => api_key_user(config, key)?,
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
fn jwt_user(config: &Config, token: &[u8]) -> Answer {
    #[cfg(feature = "introspection")]
    if config.introspects() {
        if !config.verifies_jwts() {
            return opaque_user(config, token);
        }
        return match config.issuers.user(token) {
            Err(Unfinished::Refused(refusal)) if is_unclaimed(&refusal) => {
                opaque_user(config, token)
            }
            verified => {
                config.accept(CredentialKind::Jwt)?;
                verified
            }
        };
    }
    #[cfg(feature = "verify")]
    if config.verifies_jwts() {
        return config.issuers.user(token);
    }
    let _ = config;
    Ok(unverified_jwt_user(token)?)
}

/// The user of an opaque token, by its introspection answer (cached, or to be asked).
#[cfg(feature = "introspection")]
fn opaque_user(config: &Config, token: &[u8]) -> Answer {
    config.accept(CredentialKind::OpaqueToken)?;
    match &config.introspection {
        Some(client) => client.user(token),
        None => {
            Err(ResolveError::Introspection(crate::error::IntrospectionError::Unavailable).into())
        }
    }
}

/// The user of an API key; with a key store, only of a key it knows.
fn api_key_user(config: &Config, key: std::borrow::Cow<'_, str>) -> Result<UserInfo, ResolveError> {
    let Some(store) = &config.api_keys else {
        return UserInfo::from_api_key(key);
    };
    let digest = crate::api_keys::ApiKeyDigest::of(&key);
    let entry = store.find(&digest).ok_or(ResolveError::UnknownApiKey)?;
    UserInfo::from_known_api_key(key, entry, config.scope_hierarchy.clone())
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
