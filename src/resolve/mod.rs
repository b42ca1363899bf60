//! The resolver: a request's headers in, `Result<Option<UserInfo>, ResolveError>` out.
//!
//! Precedence, the reference's (`UserManager.extract_user_from_connection`), for HTTP requests
//! and WebSocket upgrades alike:
//!
//! 1. A configured trusted identity header is the only source.
//! 2. The `nat-session` cookie (or a valid WebSocket `?session=` id when there is no such
//!    cookie); an empty value is ignored.
//! 3. The first `Authorization` header: `Bearer` with exactly two dots is a JWT (an undecodable
//!    one is an error, never a fall-through), any other `Bearer` an API key, `Basic` username
//!    and password. Other schemes fall through.
//! 4. The first `X-API-Key` header, when non-empty.
//! 5. Otherwise anonymous: `Ok(None)`.

pub(crate) mod builder;
pub(crate) mod halt;
pub(crate) mod kinds;
pub(crate) mod limits;
pub(crate) mod request;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::ORIGIN;
use http::{HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

use crate::parse::authorization::{Authorization, authorization};
use crate::parse::cookie::session_cookie;
use crate::parse::pytext::latin1;
use crate::parse::session_query::check_session_id;
use crate::parse::{basic, identity_header, jwt};
use crate::resolve::halt::Halt;
use crate::resolve::limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT, bounded,
};
use crate::{AcceptedKinds, CredentialKind, JwtUserInfo, RequestView, ResolveError, UserInfo};

/// The `X-API-Key` header.
pub const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Resolves requests into users. Build it once; cloning it is a reference-count bump.
///
/// ```
/// use axum_userinfo::{CredentialKind, Resolver, Source};
/// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
///
/// let resolver = Resolver::builder()
///     .with_accepted_kinds([CredentialKind::Jwt, CredentialKind::ApiKey])
///     .build()
///     .unwrap();
///
/// let mut headers = HeaderMap::new();
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer sk-service-abc123"));
/// let user = resolver.resolve(&headers).unwrap().unwrap();
/// assert_eq!(user.source(), Source::ApiKey);
/// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
///
/// assert!(resolver.resolve(&HeaderMap::new()).unwrap().is_none()); // anonymous
/// ```
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    config: Arc<Config>,
}

#[derive(Debug)]
pub(super) struct Config {
    accepted: AcceptedKinds,
    identity_header: Option<HeaderName>,
    trusted_proxies: Option<Vec<IpNet>>,
    allowed_origins: Option<Vec<String>>,
    max_credential_len: usize,
    max_auth_frame_len: usize,
    websocket_auth_timeout: Option<Duration>,
    #[cfg(feature = "verify")]
    issuers: crate::verify::Issuers,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            accepted: AcceptedKinds::default(),
            identity_header: None,
            trusted_proxies: None,
            allowed_origins: None,
            max_credential_len: DEFAULT_MAX_CREDENTIAL_LEN,
            max_auth_frame_len: DEFAULT_MAX_AUTH_FRAME_LEN,
            websocket_auth_timeout: Some(DEFAULT_WEBSOCKET_AUTH_TIMEOUT),
            #[cfg(feature = "verify")]
            issuers: crate::verify::Issuers::default(),
        }
    }
}

impl Resolver {
    /// The default resolver: every credential kind accepted, no trusted identity header.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder for a configured resolver.
    pub fn builder() -> builder::ResolverBuilder {
        builder::ResolverBuilder::default()
    }

    /// The accepted credential kinds.
    #[must_use]
    pub fn accepted_kinds(&self) -> AcceptedKinds {
        self.config.accepted
    }

    /// How long an anonymous WebSocket has to authenticate, when limited.
    #[must_use]
    pub fn websocket_auth_timeout(&self) -> Option<Duration> {
        self.config.websocket_auth_timeout
    }

    /// Whether JWTs are verified (verifiers are configured; feature `verify`).
    #[must_use]
    pub fn verifies_jwts(&self) -> bool {
        #[cfg(feature = "verify")]
        return !self.config.issuers.is_empty();
        #[cfg(not(feature = "verify"))]
        false
    }

    /// Fetches the keys of every verifier whose keys are fetched (feature `jwks`), at most once
    /// per refetch interval: for a readiness probe, or to warm the cache before serving.
    /// Returns whether every such verifier has usable keys. Verifiers also fetch on their own.
    #[cfg(feature = "verify")]
    pub async fn load_keys(&self) -> bool {
        self.config.issuers.load_keys().await
    }

    /// The issuers that cannot verify a token yet: their keys are fetched (feature `jwks`)
    /// and have never been fetched, or every key they publish was left out (weak, not for
    /// signatures, symmetric, malformed: logged as an error with the reasons). None once the
    /// resolver is ready to verify every configured issuer's tokens. For a readiness probe
    /// (redact them with [`verify::redacted_url`](crate::verify::redacted_url) before showing
    /// them). Verifiers with static keys are always ready.
    #[cfg(feature = "verify")]
    #[must_use]
    pub fn issuers_awaiting_keys(&self) -> Vec<&str> {
        self.config.issuers.awaiting_keys()
    }

    /// Keeps fetched keys fresh without requests (feature `jwks`), for services idle for longer
    /// than the keys' lifetime: loads every issuer's keys now, then again every `every`;
    /// while some issuer has none, it tries again every second (each issuer still fetches at
    /// most once per its [`CachePolicy::refetch_interval`](crate::verify::CachePolicy)).
    /// It never returns: spawn it.
    ///
    /// ```no_run
    /// # async fn run(resolver: axum_userinfo::Resolver) {
    /// tokio::spawn({
    ///     let resolver = resolver.clone();
    ///     async move { resolver.keep_keys_fresh(std::time::Duration::from_secs(300)).await }
    /// });
    /// # }
    /// ```
    #[cfg(feature = "jwks")]
    pub async fn keep_keys_fresh(&self, every: Duration) {
        const RETRY: Duration = Duration::from_secs(1);
        loop {
            let loaded = self.load_keys().await;
            tokio::time::sleep(if loaded { every } else { every.min(RETRY) }).await;
        }
    }

    /// The trusted identity header, when configured.
    #[must_use]
    pub fn identity_header(&self) -> Option<&HeaderName> {
        self.config.identity_header.as_ref()
    }

    /// Resolves a request: `Ok(None)` when it carries no credential. Pass the headers
    /// (`&HeaderMap`), or a [`RequestView`](crate::RequestView) for a WebSocket upgrade (its
    /// `?session=` id counts, and its `Origin` is checked for ambient credentials) or a request
    /// whose peer address matters ([`with_trusted_proxies`](crate::ResolverBuilder::with_trusted_proxies)).
    ///
    /// Fetched keys are read from the cache only: a verified JWT whose issuer's keys miss is
    /// refused here; [`resolve_async`](Self::resolve_async) waits for the refetch.
    ///
    /// ```
    /// use axum_userinfo::{RequestView, Resolver};
    /// use http::HeaderMap;
    /// let headers = HeaderMap::new();
    /// assert!(Resolver::new().resolve(&headers).unwrap().is_none()); // anonymous
    /// let upgrade = RequestView::new(&headers).websocket(Some("session=s-query-1"));
    /// let user = Resolver::new().resolve(upgrade).unwrap().unwrap();
    /// assert_eq!(user.user_id().to_string(), "4dac49d3-9eb5-5fd3-a1f3-9b4d39723681");
    /// ```
    ///
    /// # Errors
    /// A [`ResolveError`] when it carries a credential that cannot be resolved or is not
    /// accepted; for an upgrade, [`ResolveError::InvalidSessionId`] for an unsafe session id
    /// (the reference closes such a socket with code 1008) and
    /// [`ResolveError::OriginNotAllowed`]; [`ResolveError::UntrustedPeer`].
    pub fn resolve<'a>(
        &self,
        request: impl Into<RequestView<'a>>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        let outcome = self.first_pass(request.into()).map_err(Halt::into_error);
        crate::metrics::resolution(outcome.as_ref().map(Option::as_ref));
        outcome
    }

    /// As [`resolve`](Self::resolve), waiting for the issuer's keys when a verified JWT needs
    /// them (an unknown `kid`, a cold cache): the request is parsed once, and its token
    /// finished after at most one refetch, shared with every request that missed the same
    /// issuer. Without fetched keys it is `resolve`, ready at once.
    ///
    /// # Errors
    /// As [`resolve`](Self::resolve).
    pub async fn resolve_async<'a>(
        &self,
        request: impl Into<RequestView<'a>>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        let outcome = match self.first_pass(request.into()) {
            Ok(user) => Ok(user),
            Err(halt) => halt.finish().await.map(Some),
        };
        crate::metrics::resolution(outcome.as_ref().map(Option::as_ref));
        outcome
    }

    /// Resolves a request without waiting: a user, or why not, or a verified JWT that waits for
    /// its issuer's keys (parsed, to finish after the refetch).
    pub(crate) fn first_pass(&self, request: RequestView<'_>) -> Result<Option<UserInfo>, Halt> {
        let session = match request.query {
            Some(query) if request.upgrade => crate::websocket::session_from_query(query)?,
            _ => None,
        };
        let (headers, peer) = (request.headers, request.peer);
        self.resolve_request(headers, session.as_deref(), request.upgrade, peer)
    }

    fn resolve_request(
        &self,
        headers: &HeaderMap,
        session: Option<&str>,
        upgrade: bool,
        peer: Option<IpAddr>,
    ) -> Result<Option<UserInfo>, Halt> {
        let session = session.filter(|id| !id.is_empty());
        if let Some(id) = session {
            check_session_id(id)?;
        }
        let max_len = self.config.max_credential_len;
        if let Some(name) = &self.config.identity_header {
            self.check_peer(peer)?;
            return Ok(Some(identity_header::resolve(headers, name, max_len)?));
        }

        match session_cookie(headers, max_len)? {
            Some(cookie) if !cookie.is_empty() => {
                self.accept(CredentialKind::SessionCookie)?;
                if upgrade {
                    self.check_origin(headers)?;
                }
                return Ok(Some(UserInfo::from_session_cookie(cookie)?));
            }
            Some(_) => {} // present but empty: ignored, and the query id does not replace it
            None => {
                if let Some(id) = session {
                    self.accept(CredentialKind::SessionCookie)?;
                    return Ok(Some(UserInfo::from_session_cookie(id)?));
                }
            }
        }

        match authorization(headers, max_len)? {
            Some(Authorization::Bearer(token)) if jwt::is_jwt_shaped(token) => {
                self.accept(CredentialKind::Jwt)?;
                return self.jwt_user(token).map(Some);
            }
            #[cfg(feature = "verify")]
            Some(Authorization::Bearer(token))
                if self.verifies_jwts() && crate::verify::is_jwe_shaped(token) =>
            {
                self.accept(CredentialKind::Jwt)?;
                let encrypted = crate::error::VerifyError::Encrypted;
                return Err(ResolveError::Verification(encrypted).into());
            }
            Some(Authorization::Bearer(key)) => {
                self.accept(CredentialKind::ApiKey)?;
                return Ok(Some(UserInfo::from_api_key(latin1(key))?));
            }
            Some(Authorization::Basic(credential)) => {
                self.accept(CredentialKind::Basic)?;
                if upgrade {
                    self.check_origin(headers)?; // browsers replay cached Basic credentials
                }
                return Ok(Some(basic::user(credential)?));
            }
            None => {}
        }

        match headers.get(X_API_KEY) {
            Some(key) if !key.is_empty() => {
                let key = bounded(key, max_len)?;
                self.accept(CredentialKind::ApiKey)?;
                Ok(Some(UserInfo::from_api_key(latin1(key))?))
            }
            _ => Ok(None),
        }
    }

    /// Cross-site WebSocket hijacking (RFC 6455 §10.2): a browser sends a site's cookies with a
    /// WebSocket upgrade whatever page opened it, so an upgrade that rides on a session cookie
    /// must come from an allowed `Origin`, when an allow-list is configured.
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), ResolveError> {
        let Some(allowed) = &self.config.allowed_origins else {
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

    /// With trusted proxies configured, the identity header counts only from a peer in their
    /// ranges; an unknown peer is not trusted.
    fn check_peer(&self, peer: Option<IpAddr>) -> Result<(), ResolveError> {
        let Some(proxies) = &self.config.trusted_proxies else {
            return Ok(());
        };
        match peer.map(|ip| ip.to_canonical()) {
            Some(ip) if proxies.iter().any(|range| range.contains(&ip)) => Ok(()),
            _ => Err(ResolveError::UntrustedPeer),
        }
    }

    /// The longest auth message parsed.
    pub(crate) fn max_auth_frame_len(&self) -> usize {
        self.config.max_auth_frame_len
    }

    /// A user from a JWT: verified when verifiers are configured, else decoded.
    pub(crate) fn jwt_user(&self, token: &[u8]) -> Result<UserInfo, Halt> {
        #[cfg(feature = "verify")]
        if self.verifies_jwts() {
            return self.config.issuers.user(token);
        }
        Ok(unverified_jwt_user(token)?)
    }

    /// Refuses a credential of a kind the deployment does not accept.
    pub(crate) fn accept(&self, kind: CredentialKind) -> Result<(), ResolveError> {
        if self.config.accepted.contains(kind) {
            Ok(())
        } else {
            Err(ResolveError::NotAccepted(kind))
        }
    }
}

/// A user from an unverified JWT; the identity claim is checked before the claim types, as in
/// the reference.
fn unverified_jwt_user(token: &[u8]) -> Result<UserInfo, ResolveError> {
    let payload = jwt::decode_unverified(token).map_err(ResolveError::MalformedJwt)?;
    let (jwt, id) = JwtUserInfo::from_payload(payload)?;
    Ok(UserInfo::from_checked_jwt(id, jwt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::HandledAuthMessage;
    use crate::{ConfigError, ResolverBuilder};

    #[test]
    fn traits() {
        fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
        assert_send_sync::<Resolver>();
        assert_send_sync::<ResolverBuilder>();
        assert_send_sync::<HandledAuthMessage>();
    }

    #[test]
    fn limits_apply_before_parsing() {
        let resolver = Resolver::builder()
            .with_identity_header("x-user")
            .with_max_credential_len(4)
            .build()
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-user", http::HeaderValue::from_static("alice"));
        assert_eq!(
            resolver.resolve(&headers),
            Err(ResolveError::CredentialTooLarge { limit: 4 })
        );

        let resolver = Resolver::builder()
            .with_max_auth_frame_len(32)
            .build()
            .unwrap();
        let long_other = format!(r#"{{"type":"chat","text":"{}"}}"#, "x".repeat(64));
        assert!(resolver.handle_auth_frame(&long_other).is_none());
        let long_auth = format!(
            r#"{{"type":"auth_message","payload":{{"method":"api_key","token":"{}"}}}}"#,
            "k".repeat(64)
        );
        let Some(HandledAuthMessage::Rejected { error, response }) =
            resolver.handle_auth_frame(&long_auth)
        else {
            panic!("an oversized auth message is refused");
        };
        assert_eq!(error, ResolveError::AuthFrameTooLarge { limit: 32 });
        assert!(response.to_json().contains("invalid_message"));
    }

    #[test]
    fn configuration_is_checked() {
        let both = Resolver::builder()
            .with_identity_header("x-user")
            .with_accepted_kinds([CredentialKind::Jwt])
            .build();
        assert_eq!(
            both.err(),
            Some(ConfigError::IdentityHeaderWithAcceptedKinds)
        );
        let bad = Resolver::builder().with_identity_header("x user").build();
        assert_eq!(bad.err(), Some(ConfigError::InvalidHeaderName));
        let no_header = Resolver::builder()
            .with_trusted_proxies(["10.0.0.0/8"])
            .build();
        assert_eq!(
            no_header.err(),
            Some(ConfigError::TrustedProxiesWithoutIdentityHeader)
        );
        let bad_range = Resolver::builder()
            .with_identity_header("x-user")
            .with_trusted_proxies(["10.0.0.0"])
            .build();
        assert_eq!(bad_range.err(), Some(ConfigError::InvalidProxyRange));
    }

    #[test]
    fn trusted_proxies() {
        let resolver = Resolver::builder()
            .with_identity_header("x-user")
            .with_trusted_proxies(["10.0.0.0/8", "2001:db8::/32"])
            .build()
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-user", http::HeaderValue::from_static("alice"));
        let from = |peer: Option<&str>| {
            let connection = RequestView::new(&headers);
            let connection = match peer {
                Some(peer) => connection.peer(peer.parse().unwrap()),
                None => connection,
            };
            resolver.resolve(connection).map(|user| user.is_some())
        };
        assert_eq!(from(Some("10.9.8.7")), Ok(true));
        assert_eq!(from(Some("::ffff:10.9.8.7")), Ok(true)); // IPv4-mapped
        assert_eq!(from(Some("2001:db8::1")), Ok(true));
        assert_eq!(from(Some("11.0.0.1")), Err(ResolveError::UntrustedPeer));
        assert_eq!(from(None), Err(ResolveError::UntrustedPeer)); // unknown: never trusted
        assert_eq!(resolver.resolve(&headers), Err(ResolveError::UntrustedPeer));
    }
}
