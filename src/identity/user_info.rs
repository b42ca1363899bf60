//! The resolved identity: [`UserInfo`], with the source-specific [`UserDetails`].

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::{Serialize, SerializeMap, Serializer};
use uuid::Uuid;

use crate::api_keys::ApiKeyEntry;
use crate::error::BasicError;
use crate::error::ResolveError;
use crate::identity::claim_mapping::MappedGrants;
use crate::identity::confirmation::Confirmation;
use crate::identity::grant_rules::GrantRules;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::kinds::CredentialKind;
use crate::identity::user_id::{
    check_untrusted_key, identity_header_user_id, user_id_of_key, verified_jwt_user_id,
};

/// Who is calling: a deterministic user id and the credential it was derived from.
///
/// A `UserInfo` has exactly one source, by construction. Cloning it is a reference-count bump.
/// Its `Debug` output and its `Serialize` form never contain a password, API key, cookie
/// value or raw token.
///
/// ```
/// use axum_userinfo::{Source, UserInfo};
///
/// let user = UserInfo::from_api_key("sk-service-abc123")?;
/// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
/// assert_eq!(user.source(), Source::API_KEY);
/// assert!(!format!("{user:?}").contains("sk-service"));
/// # Ok::<(), axum_userinfo::ResolveError>(())
/// ```
#[derive(Clone)]
pub struct UserInfo(Arc<Inner>);

struct Inner {
    user_id: Uuid,
    details: UserDetails,
    /// A verified JWT's `exp` plus the verifier's leeway.
    valid_until: Option<SystemTime>,
    /// A verified JWT's key binding: whether the key that verified it still stands.
    verified: Option<Arc<dyn StillVerified>>,
    /// Whether the claims are trusted (verified, or given to `from_claims_unchecked`): only
    /// then do they grant scopes, roles and groups to a guard.
    claims_trusted: bool,
    /// A known API key's entry in the configured store: its label and scopes.
    key_entry: Option<Arc<ApiKeyEntry>>,
    /// What a verified or introspected token's `cnf` binds it to.
    confirmation: Confirmation,
    /// Where its verifier (or introspection client) reads scopes, roles and groups, when
    /// configured, and its resolver's scope hierarchy; the mapped grants, computed at the
    /// first look (a cached user keeps them).
    rules: GrantRules,
    mapped: OnceLock<MappedGrants>,
}

/// Whether a verified identity still holds (the key that verified it is still its issuer's,
/// its time claims still valid); implemented where tokens are verified, so that this core type
/// knows nothing of keys.
pub(crate) trait StillVerified: Send + Sync + fmt::Debug + 'static {
    /// Whether the identity still holds now.
    fn still_verified(&self) -> bool;
}

/// The identity-source data a [`UserInfo`] was created from (the reference's
/// `get_user_details()`).
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "it lives in UserInfo's Arc: boxing the JWT would only add an allocation"
)]
pub enum UserDetails {
    /// A session cookie (`nat-session`, or a WebSocket `?session=` id): its value.
    SessionCookie(SecretString),
    /// A JWT: its decoded claims.
    Jwt(JwtUserInfo),
    /// An opaque access token's RFC 7662 introspection answer (feature `introspection`): its
    /// members, read like a JWT's claims (`scope`, `client_id`, `username`, `exp`, …).
    Introspected(JwtUserInfo),
    /// An API key (Bearer or `X-API-Key`): the key.
    ApiKey(SecretString),
    /// HTTP Basic credentials.
    Basic(BasicUserInfo),
    /// An identity asserted by a trusted proxy header.
    IdentityHeader {
        /// The configured header.
        header: HeaderName,
        /// The identity it carried, trimmed.
        identity: String,
    },
}

/// Where a [`UserInfo`] came from: a credential of one of the [`CredentialKind`]s, or a
/// trusted proxy's identity header. One list of kinds: the constants name the credential
/// sources, and match as patterns.
///
/// ```
/// use axum_userinfo::{CredentialKind, Source};
/// assert_eq!(Source::JWT, Source::Credential(CredentialKind::Jwt));
/// assert_eq!(Source::API_KEY.as_str(), CredentialKind::ApiKey.as_str());
/// assert_eq!(Source::IdentityHeader.credential_kind(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// A credential: [`UserDetails::SessionCookie`], [`UserDetails::Jwt`],
    /// [`UserDetails::Introspected`] (an opaque token), [`UserDetails::ApiKey`] or
    /// [`UserDetails::Basic`].
    Credential(CredentialKind),
    /// [`UserDetails::IdentityHeader`].
    IdentityHeader,
}

impl Source {
    /// A session cookie (or a WebSocket `?session=` id).
    pub const SESSION_COOKIE: Self = Self::Credential(CredentialKind::SessionCookie);
    /// A JWT.
    pub const JWT: Self = Self::Credential(CredentialKind::Jwt);
    /// An opaque access token, introspected (RFC 7662).
    pub const OPAQUE_TOKEN: Self = Self::Credential(CredentialKind::OpaqueToken);
    /// An API key.
    pub const API_KEY: Self = Self::Credential(CredentialKind::ApiKey);
    /// Basic credentials.
    pub const BASIC: Self = Self::Credential(CredentialKind::Basic);

    /// The credential's kind; `None` for the trusted identity header.
    #[must_use]
    pub const fn credential_kind(self) -> Option<CredentialKind> {
        match self {
            Self::Credential(kind) => Some(kind),
            Self::IdentityHeader => None,
        }
    }

    /// The kind's name (`session_cookie`, `jwt`, `api_key`, `basic`) or `identity_header`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Credential(kind) => kind.as_str(),
            Self::IdentityHeader => "identity_header",
        }
    }
}

impl From<CredentialKind> for Source {
    fn from(kind: CredentialKind) -> Self {
        Self::Credential(kind)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl UserInfo {
    fn new(user_id: Uuid, details: UserDetails) -> Self {
        Self(Arc::new(Inner {
            user_id,
            details,
            valid_until: None,
            verified: None,
            claims_trusted: false,
            key_entry: None,
            confirmation: Confirmation::None,
            rules: GrantRules::default(),
            mapped: OnceLock::new(),
        }))
    }

    /// A JWT user whose id the caller derived while checking the claims.
    pub(crate) fn from_checked_jwt(user_id: Uuid, jwt: JwtUserInfo) -> Self {
        Self::new(user_id, UserDetails::Jwt(jwt))
    }

    /// A verified JWT user, valid until its `exp` plus the verifier's leeway, and while
    /// `verified` holds (its key is still its issuer's).
    #[cfg_attr(not(feature = "verify"), allow(dead_code))]
    pub(crate) fn from_verified_checked_jwt(
        user_id: Uuid,
        jwt: JwtUserInfo,
        valid_until: Option<SystemTime>,
        verified: Arc<dyn StillVerified>,
        rules: GrantRules,
    ) -> Self {
        Self::trusted_jwt(user_id, jwt, valid_until, Some(verified), rules)
    }

    /// A JWT user whose claims are trusted: they grant scopes, roles and groups to guards.
    fn trusted_jwt(
        user_id: Uuid,
        jwt: JwtUserInfo,
        valid_until: Option<SystemTime>,
        verified: Option<Arc<dyn StillVerified>>,
        rules: GrantRules,
    ) -> Self {
        let confirmation = Confirmation::of_payload(jwt.payload());
        Self(Arc::new(Inner {
            user_id,
            details: UserDetails::Jwt(jwt),
            valid_until,
            verified,
            claims_trusted: true,
            key_entry: None,
            confirmation,
            rules,
            mapped: OnceLock::new(),
        }))
    }

    /// Whether the identity still holds now. For a JWT verified by a configured
    /// [`JwtVerifier`](crate::verify::JwtVerifier): its `exp` (with the leeway) has not passed, and
    /// the key that verified it is still the one its `kid` picks in its issuer's current key
    /// set (a key rotated out or revoked ends the identity at once). Every other identity
    /// holds as long as it is held. Long-lived connections check it before acting for the
    /// user: [`SocketIdentity`](crate::SocketIdentity) does at every message.
    #[must_use]
    pub fn is_still_valid(&self) -> bool {
        self.0.verified.as_ref().is_none_or(|v| v.still_verified())
    }

    /// The claims of a JWT user whose claims are trusted (verified by a configured verifier,
    /// or given to [`from_claims_unchecked`](Self::from_claims_unchecked)); `None` for a JWT
    /// decoded without verification and for every other source.
    pub(crate) fn trusted_claims(&self) -> Option<&JwtUserInfo> {
        self.claims().filter(|_| self.0.claims_trusted)
    }

    /// The mapped grants of a trusted token's user whose verifier (or introspection client)
    /// has a [`ClaimMapping`]; `None` otherwise (the reference's fields apply).
    pub(crate) fn mapped_grants(&self) -> Option<&MappedGrants> {
        let mapping = self.0.rules.mapping.as_deref()?;
        let claims = self.trusted_claims()?;
        Some(
            self.0
                .mapped
                .get_or_init(|| mapping.grants(claims.claims())),
        )
    }

    /// The claims of a JWT user, or the introspection answer of an opaque token's user.
    #[must_use]
    pub fn claims(&self) -> Option<&JwtUserInfo> {
        match self.details() {
            UserDetails::Jwt(claims) | UserDetails::Introspected(claims) => Some(claims),
            _ => None,
        }
    }

    /// The introspection answer of an opaque token's user (RFC 7662; feature
    /// `introspection`), read like a JWT's claims.
    #[must_use]
    pub fn introspected(&self) -> Option<&JwtUserInfo> {
        match self.details() {
            UserDetails::Introspected(claims) => Some(claims),
            _ => None,
        }
    }

    /// An opaque token's user: its id issuer-scoped, its answer's claims trusted (and its
    /// `cnf`, read from the answer), valid until its `exp` plus the leeway (and while `still`
    /// holds).
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    pub(crate) fn from_introspection(
        user_id: Uuid,
        claims: JwtUserInfo,
        confirmation: Confirmation,
        valid_until: Option<SystemTime>,
        still: (Arc<dyn StillVerified>, GrantRules),
    ) -> Self {
        let (still, rules) = still;
        Self(Arc::new(Inner {
            user_id,
            details: UserDetails::Introspected(claims),
            valid_until,
            verified: Some(still),
            claims_trusted: true,
            key_entry: None,
            confirmation,
            rules,
            mapped: OnceLock::new(),
        }))
    }

    /// Whether a configured verifier verified this identity.
    #[cfg_attr(not(feature = "verify"), allow(dead_code))]
    pub(crate) fn is_verified(&self) -> bool {
        self.0.verified.is_some()
    }

    /// A user identified by an API key; the key is the identity.
    ///
    /// # Errors
    /// [`ResolveError::ControlCharacter`] when the key holds a C0 control character or DEL
    /// (it could spell the id of a verified or trusted identity).
    pub fn from_api_key(key: impl Into<String>) -> Result<Self, ResolveError> {
        Self::api_key(key.into(), None, GrantRules::default())
    }

    /// An API key's user, with its store's entry when the key is a known one.
    fn api_key(
        key: String,
        key_entry: Option<Arc<ApiKeyEntry>>,
        rules: GrantRules,
    ) -> Result<Self, ResolveError> {
        check_untrusted_key(&key, CredentialKind::ApiKey)?;
        Ok(Self(Arc::new(Inner {
            user_id: user_id_of_key(&key),
            details: UserDetails::ApiKey(key.into()),
            valid_until: None,
            verified: None,
            claims_trusted: false,
            key_entry,
            confirmation: Confirmation::None,
            rules,
            mapped: OnceLock::new(),
        })))
    }

    /// A user of an API key the configured store knows: the reference's id, and the entry.
    ///
    /// # Errors
    /// As [`from_api_key`](Self::from_api_key).
    pub(crate) fn from_known_api_key(
        key: impl Into<String>,
        entry: Arc<ApiKeyEntry>,
        hierarchy: Option<Arc<crate::authorize::ScopeHierarchy>>,
    ) -> Result<Self, ResolveError> {
        Self::api_key(
            key.into(),
            Some(entry),
            GrantRules {
                mapping: None,
                hierarchy,
            },
        )
    }

    /// The scope hierarchy this user's scopes are judged by: its resolver's
    /// ([`with_scope_hierarchy`](crate::ResolverBuilder::with_scope_hierarchy)), for a user
    /// with scopes (a verified or introspected token's, a known API key's); `None` for exact
    /// matching.
    #[must_use]
    pub fn scope_hierarchy(&self) -> Option<&crate::authorize::ScopeHierarchy> {
        self.0.rules.hierarchy.as_deref()
    }

    /// The thumbprint a verified or introspected token is bound to by `cnf.jkt` (RFC 9449):
    /// only a DPoP proof by that key may present it.
    #[must_use]
    pub fn dpop_jkt(&self) -> Option<&str> {
        match &self.0.confirmation {
            Confirmation::Jkt(jkt) => Some(jkt),
            _ => None,
        }
    }

    /// What the token's `cnf` binds it to.
    pub(crate) fn confirmation(&self) -> &Confirmation {
        &self.0.confirmation
    }

    /// The store's entry of a known API key's user (label and scopes; see
    /// [`ResolverBuilder::with_api_keys`](crate::ResolverBuilder::with_api_keys)).
    #[must_use]
    pub fn api_key_entry(&self) -> Option<&ApiKeyEntry> {
        self.0.key_entry.as_deref()
    }

    /// A user identified by a session cookie value; the value is the identity.
    ///
    /// # Errors
    /// [`ResolveError::ControlCharacter`] when the value holds a C0 control character or DEL.
    pub fn from_session_cookie(value: impl Into<String>) -> Result<Self, ResolveError> {
        let value = value.into();
        check_untrusted_key(&value, CredentialKind::SessionCookie)?;
        Ok(Self::new(
            user_id_of_key(&value),
            UserDetails::SessionCookie(value.into()),
        ))
    }

    /// A user identified by username and password; `base64(username:password)` is the identity,
    /// so a new password is a new user.
    ///
    /// ```
    /// use axum_userinfo::{identity::BasicUserInfo, UserInfo};
    /// let basic = BasicUserInfo::new("alice", "s3cret").unwrap();
    /// let user = UserInfo::from_basic(basic);
    /// assert_eq!(user.user_id().to_string(), "acc6fc5a-2d86-52ef-b55f-6e20b1bbc2ce");
    /// ```
    #[must_use]
    pub fn from_basic(basic: BasicUserInfo) -> Self {
        let id = user_id_of_key(basic.credential().expose_secret());
        Self::new(id, UserDetails::Basic(basic))
    }

    /// A Basic user whose credential the caller decoded: `credential` is its canonical base64,
    /// the identity key.
    pub(crate) fn from_decoded_basic(basic: BasicUserInfo, credential: &str) -> Self {
        Self::new(user_id_of_key(credential), UserDetails::Basic(basic))
    }

    /// A user identified by the claims of a JWT decoded **without verification** (the
    /// reference's default): the trimmed identity claim is the identity.
    ///
    /// # Errors
    /// [`ResolveError::NoIdentityClaim`] when no `sub`, `email` or `preferred_username` claim
    /// is a non-blank string, [`ResolveError::ControlCharacter`] when that claim holds a C0
    /// control character or DEL.
    pub fn from_unverified_jwt(jwt: JwtUserInfo) -> Result<Self, ResolveError> {
        let identity = jwt.identity_claim().ok_or(ResolveError::NoIdentityClaim)?;
        check_untrusted_key(identity, CredentialKind::Jwt)?;
        Ok(Self::new(user_id_of_key(identity), UserDetails::Jwt(jwt)))
    }

    /// A user identified by the claims of a JWT **that you have verified**: *unchecked*, as
    /// the name says, since it trusts whatever it is given (this function verifies nothing: a configured [`JwtVerifier`](crate::verify::JwtVerifier) does, in the
    /// resolver). The identity is scoped by its issuer, `iss` `U+001F` identity claim, so two
    /// identity providers never share a user; because the claims are trusted, the identity may
    /// hold any character.
    ///
    /// # Errors
    /// [`ResolveError::NoIdentityClaim`] as for [`UserInfo::from_unverified_jwt`], and
    /// [`ResolveError::MissingIssuer`] when `iss` is absent or empty.
    pub fn from_claims_unchecked(jwt: JwtUserInfo) -> Result<Self, ResolveError> {
        let identity = jwt.identity_claim().ok_or(ResolveError::NoIdentityClaim)?;
        let id = verified_jwt_user_id(jwt.issuer(), identity)?;
        Ok(Self::trusted_jwt(
            id,
            jwt,
            None,
            None,
            GrantRules::default(),
        ))
    }

    /// A user asserted by a trusted proxy header: the identity is
    /// `"trusted-header:"` header name `U+001F` identity (trimmed of whitespace).
    ///
    /// ```
    /// use axum_userinfo::UserInfo;
    /// use http::HeaderName;
    /// let header = HeaderName::from_static("x-forwarded-user");
    /// let user = UserInfo::from_identity_header(&header, " alice ");
    /// assert_eq!(user.user_id().to_string(), "970689e0-10dd-55c4-a1ae-b67263f049eb");
    /// ```
    #[must_use]
    pub fn from_identity_header(header: &HeaderName, identity: &str) -> Self {
        let identity = crate::parse::pytext::py_strip(identity);
        let id = identity_header_user_id(header, identity);
        Self::new(
            id,
            UserDetails::IdentityHeader {
                header: header.clone(),
                identity: identity.to_owned(),
            },
        )
    }

    /// The deterministic user id, the same as the reference's `get_user_id()`
    /// (its `Display` is the lower-case hyphenated form).
    #[must_use]
    pub fn user_id(&self) -> Uuid {
        self.0.user_id
    }

    /// The identity-source data (the reference's `get_user_details()`).
    #[must_use]
    pub fn details(&self) -> &UserDetails {
        &self.0.details
    }

    /// For a JWT verified by a configured verifier: when the identity stops being valid, its
    /// `exp` plus the verifier's leeway (`None` without `exp`, and for every other source,
    /// none of which carries an expiry). Hold an identity no longer than this: a WebSocket's
    /// [`SocketIdentity`](crate::SocketIdentity) closes the socket when it passes.
    #[must_use]
    pub fn valid_until(&self) -> Option<SystemTime> {
        self.0.valid_until
    }

    /// Where this user came from.
    #[must_use]
    pub fn source(&self) -> Source {
        match self.details() {
            UserDetails::SessionCookie(_) => Source::SESSION_COOKIE,
            UserDetails::Jwt(_) => Source::JWT,
            UserDetails::Introspected(_) => Source::OPAQUE_TOKEN,
            UserDetails::ApiKey(_) => Source::API_KEY,
            UserDetails::Basic(_) => Source::BASIC,
            UserDetails::IdentityHeader { .. } => Source::IdentityHeader,
        }
    }

    /// The JWT claims, for a JWT user.
    #[must_use]
    pub fn jwt(&self) -> Option<&JwtUserInfo> {
        match self.details() {
            UserDetails::Jwt(jwt) => Some(jwt),
            _ => None,
        }
    }

    /// The Basic credentials, for a Basic user.
    #[must_use]
    pub fn basic(&self) -> Option<&BasicUserInfo> {
        match self.details() {
            UserDetails::Basic(basic) => Some(basic),
            _ => None,
        }
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfo")
            .field("user_id", &self.0.user_id)
            .field("details", &self.0.details)
            .finish()
    }
}

impl PartialEq for UserInfo {
    /// Two users are equal when their ids are: the id is derived from the whole identity.
    fn eq(&self, other: &Self) -> bool {
        self.user_id() == other.user_id() && self.source() == other.source()
    }
}

impl Eq for UserInfo {}

impl Serialize for UserInfo {
    /// `{"user_id": …, "source": …}`, plus `"jwt": {…}` for a JWT user, `"basic": {"username": …}`
    /// for a Basic user and `"identity_header": {"header": …, "identity": …}` for a trusted
    /// header. Never a password, API key, cookie value or token.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("user_id", &self.user_id())?;
        map.serialize_entry("source", self.source().as_str())?;
        match self.details() {
            UserDetails::Jwt(jwt) => map.serialize_entry("jwt", jwt)?,
            UserDetails::Introspected(claims) => map.serialize_entry("introspection", claims)?,
            UserDetails::Basic(basic) => {
                map.serialize_entry("basic", &serde_json::json!({ "username": basic.username }))?;
            }
            UserDetails::IdentityHeader { header, identity } => map.serialize_entry(
                "identity_header",
                &serde_json::json!({ "header": header.as_str(), "identity": identity }),
            )?,
            UserDetails::SessionCookie(_) | UserDetails::ApiKey(_) => {}
        }
        map.end()
    }
}

/// Username and password (HTTP Basic, or a WebSocket `basic` auth message).
///
/// The identity key is the derived [`credential`](Self::credential),
/// `base64(username ":" password)`, so changing a password gives a new user id.
///
/// ```
/// use axum_userinfo::identity::BasicUserInfo;
/// use secrecy::ExposeSecret;
/// let basic = BasicUserInfo::new("alice", "s3cret").unwrap();
/// assert_eq!(basic.username(), "alice");
/// assert_eq!(basic.credential().expose_secret(), "YWxpY2U6czNjcmV0");
/// assert!(!format!("{basic:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct BasicUserInfo {
    username: String,
    password: SecretString,
}

impl BasicUserInfo {
    /// Username and password; the password may be empty, the username may not.
    ///
    /// # Errors
    /// [`ResolveError::MalformedBasic`] with [`BasicError::EmptyUsername`].
    pub fn new(
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, ResolveError> {
        let username = username.into();
        if username.is_empty() {
            return Err(ResolveError::MalformedBasic(BasicError::EmptyUsername));
        }
        Ok(Self::from_decoded(username, password.into()))
    }

    /// Credentials decoded from a header, whose username is known not to be empty.
    pub(crate) fn from_decoded(username: String, password: String) -> Self {
        Self {
            username,
            password: password.into(),
        }
    }

    /// The username.
    #[must_use]
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    #[must_use]
    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// `base64(username ":" password)` (standard alphabet, padded), the identity key.
    #[must_use]
    pub fn credential(&self) -> SecretString {
        let password = self.password.expose_secret();
        let mut plain = String::with_capacity(self.username.len() + 1 + password.len());
        plain.push_str(&self.username);
        plain.push(':');
        plain.push_str(password);
        let credential = STANDARD.encode(plain.as_bytes()).into();
        // The joined text holds the password: zeroed when dropped, as a secret.
        drop(SecretString::from(plain));
        credential
    }
}

impl fmt::Debug for BasicUserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicUserInfo")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traits() {
        fn assert_send_sync<T: Send + Sync + Clone + fmt::Debug + 'static>() {}
        assert_send_sync::<UserInfo>();
        assert_send_sync::<UserDetails>();
        assert_send_sync::<BasicUserInfo>();
    }

    #[test]
    fn empty_username_is_refused() {
        assert_eq!(
            BasicUserInfo::new("", "pw").err(),
            Some(ResolveError::MalformedBasic(BasicError::EmptyUsername))
        );
        assert!(BasicUserInfo::new("u", "").is_ok());
    }

    #[test]
    fn secrets_stay_out_of_debug_and_serialize() {
        let users = [
            UserInfo::from_api_key("sk-very-secret").unwrap(),
            UserInfo::from_session_cookie("sk-very-secret").unwrap(),
            UserInfo::from_basic(BasicUserInfo::new("alice", "sk-very-secret").unwrap()),
        ];
        for user in users {
            let debug = format!("{user:?}");
            let json = serde_json::to_string(&user).unwrap();
            for text in [&debug, &json] {
                assert!(!text.contains("sk-very-secret"), "{text}");
                assert!(!text.contains("c2stdmVyeS1zZWNyZXQ"), "{text}");
            }
            assert!(json.contains(&user.user_id().to_string()));
        }
    }

    #[test]
    fn one_source_each() {
        let user = UserInfo::from_session_cookie("abc").unwrap();
        assert_eq!(user.source(), Source::SESSION_COOKIE);
        assert_eq!(
            user.user_id().to_string(),
            "152f5ceb-ed84-5d9b-9777-f31c9251b83d"
        );
        assert!(user.jwt().is_none() && user.basic().is_none());
        assert_eq!(user, user.clone());
        assert_ne!(user, UserInfo::from_api_key("abc").unwrap());
    }
}
