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

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::ORIGIN;
use http::{HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;
use secrecy::ExposeSecret;

use crate::authorization::{Authorization, authorization};
use crate::cookie::session_cookie;
use crate::limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT, bounded,
};
use crate::session_query::check_session_id;
use crate::text::latin1;
use crate::{
    AcceptedKinds, AuthMessage, AuthResponse, BasicUserInfo, ConfigError, Connection,
    CredentialKind, JwtUserInfo, OAuthMode, ResolveError, UserInfo, basic, identity_header, jwt,
};

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
struct Config {
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

/// Builds a [`Resolver`]; the configuration is checked by [`build`](Self::build).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ResolverBuilder {
    accepted: Option<AcceptedKinds>,
    identity_header: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    max_credential_len: Option<usize>,
    max_auth_frame_len: Option<usize>,
    websocket_auth_timeout: Option<Option<Duration>>,
    #[cfg(feature = "verify")]
    verifiers: Vec<crate::JwtVerifier>,
}

impl ResolverBuilder {
    /// Verifies JWTs of this issuer (feature `verify`; call again for more issuers). Once a
    /// verifier is configured, every JWT must be verified by the verifier of its `iss`: a
    /// token of another issuer, or without `iss`, is refused, and ids are issuer-scoped
    /// (`iss` `U+001F` identity). Other credential kinds are unaffected.
    ///
    /// ```
    /// use axum_userinfo::{JwtVerifier, Resolver, VerificationKey};
    /// let verifier = JwtVerifier::builder("https://issuer.example.com")
    ///     .with_key(VerificationKey::hmac(b"a secret of at least 32 bytes....")?)
    ///     .build()
    ///     .unwrap();
    /// let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    /// assert!(resolver.verifies_jwts());
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[cfg(feature = "verify")]
    pub fn with_verifier(mut self, verifier: crate::JwtVerifier) -> Self {
        self.verifiers.push(verifier);
        self
    }

    /// Accepts only these credential kinds (default: all). A recognised credential of another
    /// kind is refused with [`ResolveError::NotAccepted`].
    ///
    /// ```
    /// # use axum_userinfo::{CredentialKind, Resolver};
    /// let resolver = Resolver::builder().with_accepted_kinds([CredentialKind::Jwt]).build().unwrap();
    /// assert!(!resolver.accepted_kinds().contains(CredentialKind::ApiKey));
    /// ```
    pub fn with_accepted_kinds(mut self, kinds: impl Into<AcceptedKinds>) -> Self {
        self.accepted = Some(kinds.into());
        self
    }

    /// Takes identities only from this header, set by a trusted authenticating proxy
    /// (case-insensitive, e.g. `X-Forwarded-User`). It cannot be combined with
    /// [`with_accepted_kinds`](Self::with_accepted_kinds).
    ///
    /// ```
    /// # use axum_userinfo::Resolver;
    /// let resolver = Resolver::builder().with_identity_header("X-Forwarded-User").build().unwrap();
    /// assert_eq!(resolver.identity_header().map(|h| h.as_str()), Some("x-forwarded-user"));
    /// ```
    pub fn with_identity_header(mut self, name: impl Into<String>) -> Self {
        self.identity_header = Some(name.into());
        self
    }

    /// Accepts the trusted identity header only from peers in these CIDR ranges (e.g.
    /// `10.0.0.0/8`, `::1/128`): from any other peer, or one whose address is unknown, it is
    /// refused with [`ResolveError::UntrustedPeer`] (HTTP 403), never trusted. The adapters read
    /// the peer from axum's `ConnectInfo<SocketAddr>`: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    ///
    /// ```
    /// # use axum_userinfo::{Connection, Resolver, ResolveError};
    /// # use http::{HeaderMap, HeaderValue};
    /// let resolver = Resolver::builder()
    ///     .with_identity_header("X-Forwarded-User")
    ///     .with_trusted_proxies(["10.0.0.0/8"])
    ///     .build()
    ///     .unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-forwarded-user", HeaderValue::from_static("alice"));
    /// let from_proxy = Connection::new(&headers).peer("10.1.2.3".parse().unwrap());
    /// assert!(resolver.resolve_connection(&from_proxy).unwrap().is_some());
    /// let direct = Connection::new(&headers).peer("203.0.113.9".parse().unwrap());
    /// assert_eq!(resolver.resolve_connection(&direct), Err(ResolveError::UntrustedPeer));
    /// ```
    pub fn with_trusted_proxies<I>(mut self, ranges: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.trusted_proxies = Some(ranges.into_iter().map(Into::into).collect());
        self
    }

    /// Accepts a WebSocket upgrade authenticated by an *ambient* credential only from these
    /// origins (`scheme://host[:port]`, compared case-insensitively), against cross-site
    /// WebSocket hijacking (RFC 6455 §10.2, §10.5). Ambient credentials are the ones a browser
    /// attaches to an upgrade whatever page opens it: the session cookie and HTTP Basic
    /// credentials (which browsers cache and replay). A Bearer token, an API key, a `?session=`
    /// id and an auth message are sent by the page's own code, are not ambient, and are not
    /// checked. An upgrade without `Origin` is refused when it is checked. Default: no check.
    ///
    /// ```
    /// # use axum_userinfo::{Resolver, ResolveError};
    /// # use http::{HeaderMap, HeaderValue};
    /// let resolver = Resolver::builder()
    ///     .with_allowed_origins(["https://app.example.com"])
    ///     .build()
    ///     .unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", HeaderValue::from_static("nat-session=s1"));
    /// headers.insert("origin", HeaderValue::from_static("https://evil.example"));
    /// assert_eq!(resolver.resolve_websocket(&headers, None), Err(ResolveError::OriginNotAllowed));
    /// assert!(resolver.resolve(&headers).is_ok()); // plain requests: CORS and SameSite's job
    ///
    /// let mut basic = HeaderMap::new();
    /// basic.insert("authorization", HeaderValue::from_static("Basic YWxpY2U6czNjcmV0"));
    /// assert_eq!(resolver.resolve_websocket(&basic, None), Err(ResolveError::OriginNotAllowed));
    /// ```
    pub fn with_allowed_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Refuses a credential header (`Cookie`, `Authorization`, `X-API-Key`, the identity
    /// header) longer than `max_len` bytes before parsing it, with
    /// [`ResolveError::CredentialTooLarge`] (HTTP 431). Default:
    /// [`DEFAULT_MAX_CREDENTIAL_LEN`](crate::DEFAULT_MAX_CREDENTIAL_LEN), 32 KiB.
    ///
    /// ```
    /// # use axum_userinfo::{Resolver, ResolveError};
    /// # use http::{HeaderMap, HeaderValue};
    /// let resolver = Resolver::builder().with_max_credential_len(8).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-api-key", HeaderValue::from_static("sk-longer-than-8"));
    /// assert_eq!(resolver.resolve(&headers), Err(ResolveError::CredentialTooLarge { limit: 8 }));
    /// ```
    pub fn with_max_credential_len(mut self, max_len: usize) -> Self {
        self.max_credential_len = Some(max_len);
        self
    }

    /// Refuses a WebSocket auth message longer than `max_len` bytes before parsing it, with
    /// [`ResolveError::AuthFrameTooLarge`]. Default:
    /// [`DEFAULT_MAX_AUTH_FRAME_LEN`](crate::DEFAULT_MAX_AUTH_FRAME_LEN), 64 KiB.
    ///
    /// ```
    /// # use axum_userinfo::{AuthFrame, Resolver};
    /// let resolver = Resolver::builder().with_max_auth_frame_len(16).build().unwrap();
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"k"}}"#;
    /// assert!(matches!(resolver.handle_auth_frame(frame), Some(AuthFrame::Rejected { .. })));
    /// ```
    pub fn with_max_auth_frame_len(mut self, max_len: usize) -> Self {
        self.max_auth_frame_len = Some(max_len);
        self
    }

    /// How long a WebSocket that opens without an identity has to authenticate with an auth
    /// message before it is closed with 1008; `None` lets anonymous sockets stay. Default:
    /// [`DEFAULT_WEBSOCKET_AUTH_TIMEOUT`](crate::DEFAULT_WEBSOCKET_AUTH_TIMEOUT), 10 s.
    /// Enforced by [`SocketIdentity::recv`](crate::SocketIdentity::recv).
    ///
    /// ```
    /// # use axum_userinfo::Resolver;
    /// # use std::time::Duration;
    /// let resolver = Resolver::builder().with_websocket_auth_timeout(None).build().unwrap();
    /// assert_eq!(resolver.websocket_auth_timeout(), None);
    /// assert_eq!(Resolver::new().websocket_auth_timeout(), Some(Duration::from_secs(10)));
    /// ```
    pub fn with_websocket_auth_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.websocket_auth_timeout = Some(timeout);
        self
    }

    /// Checks the configuration and builds the resolver.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] for an identity header that is not a header name,
    /// [`ConfigError::IdentityHeaderWithAcceptedKinds`] when both are configured,
    /// [`ConfigError::IdentityHeaderWithVerification`] for a trusted identity header with JWT
    /// verifiers, [`ConfigError::InvalidIssuer`] for two verifiers of one issuer.
    pub fn build(self) -> Result<Resolver, ConfigError> {
        let identity_header = self
            .identity_header
            .map(|name| {
                HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| ConfigError::InvalidHeaderName)
            })
            .transpose()?;
        if identity_header.is_some() && self.accepted.is_some() {
            return Err(ConfigError::IdentityHeaderWithAcceptedKinds);
        }
        #[cfg(feature = "verify")]
        if identity_header.is_some() && !self.verifiers.is_empty() {
            return Err(ConfigError::IdentityHeaderWithVerification);
        }
        if identity_header.is_none() && self.trusted_proxies.is_some() {
            return Err(ConfigError::TrustedProxiesWithoutIdentityHeader);
        }
        let trusted_proxies = self
            .trusted_proxies
            .map(|ranges| {
                ranges
                    .iter()
                    .map(|range| range.trim().parse::<IpNet>().map(|net| net.trunc()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| ConfigError::InvalidProxyRange)
            })
            .transpose()?;
        Ok(Resolver {
            config: Arc::new(Config {
                accepted: self.accepted.unwrap_or_default(),
                identity_header,
                trusted_proxies,
                allowed_origins: self.allowed_origins,
                max_credential_len: self
                    .max_credential_len
                    .unwrap_or(DEFAULT_MAX_CREDENTIAL_LEN),
                max_auth_frame_len: self
                    .max_auth_frame_len
                    .unwrap_or(DEFAULT_MAX_AUTH_FRAME_LEN),
                websocket_auth_timeout: self
                    .websocket_auth_timeout
                    .unwrap_or(Some(DEFAULT_WEBSOCKET_AUTH_TIMEOUT)),
                #[cfg(feature = "verify")]
                issuers: crate::verify::Issuers::new(self.verifiers)?,
            }),
        })
    }
}

/// What [`Resolver::handle_auth_frame`] made of a WebSocket auth message.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthFrame {
    /// The credential resolved: the socket's identity becomes `user`; send `response`.
    Resolved {
        /// The user.
        user: UserInfo,
        /// The success reply to send.
        response: AuthResponse,
    },
    /// The message or its credential was refused; send `response`.
    Rejected {
        /// Why.
        error: ResolveError,
        /// The error reply to send.
        response: AuthResponse,
    },
    /// An OAuth presentation preference: no identity and no reply.
    OAuthModePreference(OAuthMode),
}

impl Resolver {
    /// The default resolver: every credential kind accepted, no trusted identity header.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder for a configured resolver.
    pub fn builder() -> ResolverBuilder {
        ResolverBuilder::default()
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
    /// Returns whether every such verifier has keys. Verifiers also fetch on their own.
    #[cfg(feature = "verify")]
    pub async fn load_keys(&self) -> bool {
        self.config.issuers.load_keys().await
    }

    /// The trusted identity header, when configured.
    #[must_use]
    pub fn identity_header(&self) -> Option<&HeaderName> {
        self.config.identity_header.as_ref()
    }

    /// Resolves a request: `Ok(None)` when it carries no credential.
    ///
    /// # Errors
    /// A [`ResolveError`] when it carries a credential that cannot be resolved or is not
    /// accepted.
    pub fn resolve(&self, headers: &HeaderMap) -> Result<Option<UserInfo>, ResolveError> {
        self.resolve_request(headers, None, false, None)
    }

    /// Resolves a [`Connection`]: a request or a WebSocket upgrade, with the peer's address
    /// when it is known (needed when trusted proxies are configured).
    ///
    /// # Errors
    /// As [`resolve_websocket`](Self::resolve_websocket) for an upgrade, else as
    /// [`resolve`](Self::resolve); and [`ResolveError::UntrustedPeer`].
    pub fn resolve_connection(
        &self,
        connection: &Connection<'_>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        let session = match connection.query {
            Some(query) if connection.upgrade => crate::session_from_query(query)?,
            _ => None,
        };
        let (headers, peer) = (connection.headers, connection.peer);
        self.resolve_request(headers, session.as_deref(), connection.upgrade, peer)
    }

    /// Resolves a WebSocket upgrade: like [`resolve`](Self::resolve), with the `?session=` id of
    /// `query` (the URI's query string, without `?`) acting as the session cookie when the
    /// request carries none, and the `Origin` checked when the upgrade rides on a session
    /// cookie and an allow-list is configured
    /// ([`with_allowed_origins`](ResolverBuilder::with_allowed_origins)).
    ///
    /// # Errors
    /// [`ResolveError::InvalidSessionId`] for an unsafe session id (the reference closes such a
    /// socket with code 1008), [`ResolveError::OriginNotAllowed`], and the errors of
    /// [`resolve`](Self::resolve).
    pub fn resolve_websocket(
        &self,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        self.resolve_connection(&Connection::new(headers).websocket(query))
    }

    /// Resolves a WebSocket upgrade with an already-extracted `?session=` id (`None` or empty:
    /// none).
    ///
    /// # Errors
    /// As [`resolve_websocket`](Self::resolve_websocket).
    pub fn resolve_with_session(
        &self,
        headers: &HeaderMap,
        session: Option<&str>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        self.resolve_request(headers, session, true, None)
    }

    fn resolve_request(
        &self,
        headers: &HeaderMap,
        session: Option<&str>,
        upgrade: bool,
        peer: Option<IpAddr>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        let session = session.filter(|id| !id.is_empty());
        if let Some(id) = session {
            check_session_id(id)?;
        }
        let max_len = self.config.max_credential_len;
        if let Some(name) = &self.config.identity_header {
            self.check_peer(peer)?;
            return identity_header::resolve(headers, name, max_len).map(Some);
        }

        match session_cookie(headers, max_len)? {
            Some(cookie) if !cookie.is_empty() => {
                self.accept(CredentialKind::SessionCookie)?;
                if upgrade {
                    self.check_origin(headers)?;
                }
                return UserInfo::from_session_cookie(cookie).map(Some);
            }
            Some(_) => {} // present but empty: ignored, and the query id does not replace it
            None => {
                if let Some(id) = session {
                    self.accept(CredentialKind::SessionCookie)?;
                    return UserInfo::from_session_cookie(id).map(Some);
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
                return Err(ResolveError::Verification(crate::VerifyError::Encrypted));
            }
            Some(Authorization::Bearer(key)) => {
                self.accept(CredentialKind::ApiKey)?;
                return UserInfo::from_api_key(latin1(key)).map(Some);
            }
            Some(Authorization::Basic(credential)) => {
                self.accept(CredentialKind::Basic)?;
                if upgrade {
                    self.check_origin(headers)?; // browsers replay cached Basic credentials
                }
                return basic::user(credential).map(Some);
            }
            None => {}
        }

        match headers.get(X_API_KEY) {
            Some(key) if !key.is_empty() => {
                let key = bounded(key, max_len)?;
                self.accept(CredentialKind::ApiKey)?;
                UserInfo::from_api_key(latin1(key)).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Resolves a parsed WebSocket auth message: `Ok(None)` for an OAuth mode preference,
    /// which is not a credential. The accepted kinds apply as for headers.
    ///
    /// # Errors
    /// The errors of the credential's kind, and
    /// [`ResolveError::AuthMessageWithIdentityHeader`] when a trusted identity header is
    /// configured (an auth message must not replace the proxy's identity).
    pub fn resolve_auth_message(
        &self,
        message: &AuthMessage,
    ) -> Result<Option<UserInfo>, ResolveError> {
        if matches!(message, AuthMessage::OAuthModePreference { .. }) {
            return Ok(None);
        }
        if self.config.identity_header.is_some() {
            return Err(ResolveError::AuthMessageWithIdentityHeader);
        }
        let user = match message {
            AuthMessage::Jwt { token } => {
                self.accept(CredentialKind::Jwt)?;
                self.jwt_user(token.expose_secret().as_bytes())?
            }
            AuthMessage::ApiKey { token } => {
                self.accept(CredentialKind::ApiKey)?;
                UserInfo::from_api_key(token.expose_secret())?
            }
            AuthMessage::Basic { username, password } => {
                self.accept(CredentialKind::Basic)?;
                UserInfo::from_basic(BasicUserInfo::new(
                    username.as_str(),
                    password.expose_secret(),
                )?)
            }
            AuthMessage::OAuthModePreference { .. } => return Ok(None),
        };
        Ok(Some(user))
    }

    /// Handles one WebSocket text frame: `None` when it is not an auth message (it belongs to
    /// the application), else the identity and the exact reply to send.
    ///
    /// ```
    /// use axum_userinfo::{AuthFrame, Resolver};
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"sk-service-abc123"}}"#;
    /// let Some(AuthFrame::Resolved { user, response }) = Resolver::new().handle_auth_frame(frame) else {
    ///     panic!("resolves");
    /// };
    /// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
    /// assert!(response.to_json().contains(r#""status":"success""#));
    /// ```
    #[must_use]
    pub fn handle_auth_frame(&self, frame: &str) -> Option<AuthFrame> {
        let limit = self.config.max_auth_frame_len;
        if frame.len() > limit {
            // Too long to parse: refused when it says it is an auth message, else not ours.
            memchr::memmem::find(frame.as_bytes(), br#""auth_message""#)?;
            let error = ResolveError::AuthFrameTooLarge { limit };
            return Some(AuthFrame::Rejected {
                response: AuthResponse::error(&error),
                error,
            });
        }
        let resolved = match AuthMessage::parse(frame)? {
            Ok(AuthMessage::OAuthModePreference { mode }) => {
                return Some(AuthFrame::OAuthModePreference(mode));
            }
            // Only an OAuth preference resolves to no user, and it returned above.
            Ok(message) => self.resolve_auth_message(&message).transpose()?,
            Err(error) => Err(error),
        };
        Some(match resolved {
            Ok(user) => AuthFrame::Resolved {
                response: AuthResponse::success(user.user_id()),
                user,
            },
            Err(error) => AuthFrame::Rejected {
                response: AuthResponse::error(&error),
                error,
            },
        })
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

    #[cfg(feature = "verify")]
    pub(crate) fn issuers(&self) -> &crate::verify::Issuers {
        &self.config.issuers
    }

    #[cfg(feature = "verify")]
    pub(crate) fn max_credential_len(&self) -> usize {
        self.config.max_credential_len
    }

    /// A user from a JWT: verified when verifiers are configured, else decoded.
    fn jwt_user(&self, token: &[u8]) -> Result<UserInfo, ResolveError> {
        #[cfg(feature = "verify")]
        if self.verifies_jwts() {
            return self.config.issuers.user(token);
        }
        unverified_jwt_user(token)
    }

    fn accept(&self, kind: CredentialKind) -> Result<(), ResolveError> {
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

    #[test]
    fn traits() {
        fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
        assert_send_sync::<Resolver>();
        assert_send_sync::<ResolverBuilder>();
        assert_send_sync::<AuthFrame>();
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
        let Some(AuthFrame::Rejected { error, response }) = resolver.handle_auth_frame(&long_auth)
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
            let connection = Connection::new(&headers);
            let connection = match peer {
                Some(peer) => connection.peer(peer.parse().unwrap()),
                None => connection,
            };
            resolver
                .resolve_connection(&connection)
                .map(|user| user.is_some())
        };
        assert_eq!(from(Some("10.9.8.7")), Ok(true));
        assert_eq!(from(Some("::ffff:10.9.8.7")), Ok(true)); // IPv4-mapped
        assert_eq!(from(Some("2001:db8::1")), Ok(true));
        assert_eq!(from(Some("11.0.0.1")), Err(ResolveError::UntrustedPeer));
        assert_eq!(from(None), Err(ResolveError::UntrustedPeer)); // unknown: never trusted
        assert_eq!(resolver.resolve(&headers), Err(ResolveError::UntrustedPeer));
    }
}
