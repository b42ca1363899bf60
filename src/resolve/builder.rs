//! [`ResolverBuilder`](crate::ResolverBuilder): a resolver's configuration, checked when it is built.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;
use ipnet::IpNet;

use crate::error::ConfigError;
use crate::identity::kinds::AcceptedKinds;
use crate::resolve::Config;
use crate::resolve::Resolver;
use crate::resolve::limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT,
};

/// Builds a [`Resolver`](crate::Resolver); the configuration is checked by [`build`](Self::build).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ResolverBuilder {
    accepted: Option<AcceptedKinds>,
    only_verified: bool,
    identity_header: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    max_credential_len: Option<usize>,
    max_auth_frame_len: Option<usize>,
    websocket_auth_timeout: Option<Option<Duration>>,
    protected_resource: Option<crate::authorize::ProtectedResource>,
    scope_hierarchy: Option<crate::authorize::ScopeHierarchy>,
    #[cfg(feature = "verify")]
    verifiers: Vec<crate::verify::JwtVerifier>,
    #[cfg(feature = "verify")]
    token_cache_bytes: Option<usize>,
    #[cfg(feature = "introspection")]
    introspection: Option<crate::introspect::IntrospectionClient>,
    api_keys: Option<std::sync::Arc<dyn crate::api_keys::ApiKeyStore>>,
    #[cfg(feature = "dpop")]
    dpop: Option<crate::dpop::DpopChecker>,
    #[cfg(feature = "dpop")]
    public_url: Option<String>,
    client_certificates: Option<crate::mtls::ClientCertificates>,
    token_cookie: Option<String>,
    token_header: Option<String>,
    token_query: bool,
}

impl ResolverBuilder {
    /// The scopes every token must have: its verifiers' and introspection client's required
    /// scopes, each once.
    fn required_scopes(&self) -> Vec<String> {
        #[cfg(feature = "verify")]
        let verifiers = self
            .verifiers
            .iter()
            .map(|verifier| verifier.required_scopes());
        #[cfg(not(feature = "verify"))]
        let verifiers = std::iter::empty::<&[String]>();
        #[cfg(feature = "introspection")]
        let client = self
            .introspection
            .iter()
            .map(|client| client.required_scopes());
        #[cfg(not(feature = "introspection"))]
        let client = std::iter::empty::<&[String]>();
        crate::parse::scope::distinct(verifiers.chain(client).flatten())
    }

    /// DPoP's configuration, checked: a public URL that parses, and one at all (or trusted
    /// proxies to forward the scheme and host).
    #[cfg(feature = "dpop")]
    fn dpop_config(&self) -> Result<Option<crate::resolve::DpopConfig>, ConfigError> {
        let Some(checker) = self.dpop.clone() else {
            return Ok(None);
        };
        let public_url = match &self.public_url {
            Some(url) => {
                Some(crate::dpop::target::public_url(url).ok_or(ConfigError::InvalidPublicUrl)?)
            }
            None if self.trusted_proxies.is_some() => None,
            None => return Err(ConfigError::DpopWithoutPublicUrl),
        };
        Ok(Some(crate::resolve::DpopConfig {
            checker,
            public_url,
        }))
    }

    /// The accepted kinds: as given, or those something verifies
    /// ([`accept_only_verified`](Self::accept_only_verified)), or all.
    fn accepted_kinds(&self) -> Result<AcceptedKinds, ConfigError> {
        if !self.only_verified {
            return Ok(self.accepted.unwrap_or_default());
        }
        if self.accepted.is_some() {
            return Err(ConfigError::AcceptedKindsTwice);
        }
        #[cfg(feature = "verify")]
        let jwt = !self.verifiers.is_empty();
        #[cfg(not(feature = "verify"))]
        let jwt = false;
        #[cfg(feature = "introspection")]
        let introspection = self.introspection.is_some();
        #[cfg(not(feature = "introspection"))]
        let introspection = false;
        let kinds = AcceptedKinds::verified_by(jwt, introspection, self.api_keys.is_some());
        if kinds.is_empty() {
            return Err(ConfigError::NothingVerifies);
        }
        Ok(kinds)
    }

    /// Verifies JWTs of this issuer (feature `verify`; call again for more issuers). Once a
    /// verifier is configured, every JWT must be verified by the verifier of its `iss`: a
    /// token of another issuer, or without `iss`, is refused, and ids are issuer-scoped
    /// (`iss` `U+001F` identity).
    ///
    /// **The other credential kinds still resolve**, as in the reference: an API key (any
    /// Bearer token that is not JWT-shaped, or `X-API-Key`), Basic credentials and a session
    /// cookie are not verified by anything, and each still gives a user. A service (or a
    /// gateway's auth endpoint) that must trust only verified credentials calls
    /// [`accept_only_verified`](Self::accept_only_verified), and everything else is refused
    /// with [`ResolveError::NotAccepted`](crate::ResolveError::NotAccepted) (HTTP 401).
    ///
    /// ```
    /// use axum_userinfo::{CredentialKind, verify::JwtVerifier, Resolver, ResolveError, verify::VerificationKey};
    /// use http::{HeaderMap, HeaderValue};
    /// let verifier = JwtVerifier::builder("https://issuer.example.com")
    ///     .with_key(VerificationKey::from_secret(b"a secret of at least 32 bytes....")?)
    ///     .build()?;
    /// let resolver = Resolver::builder()
    ///     .with_verifier(verifier)
    ///     .accept_only_verified() // here: JWTs, verified
    ///     .build()?;
    /// assert!(resolver.verifies_jwts());
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-api-key", HeaderValue::from_static("anything"));
    /// assert_eq!(
    ///     resolver.resolve(&headers),
    ///     Err(ResolveError::NotAccepted(CredentialKind::ApiKey))
    /// );
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[cfg(feature = "verify")]
    pub fn with_verifier(mut self, verifier: crate::verify::JwtVerifier) -> Self {
        self.verifiers.push(verifier);
        self
    }

    /// Remembers verified tokens up to a weight of `bytes` (feature `verify`; default
    /// [`DEFAULT_TOKEN_CACHE_BYTES`](crate::verify::DEFAULT_TOKEN_CACHE_BYTES), 16 MiB; 0
    /// turns the cache off). Each entry weighs its token, three times its claims and a fixed
    /// overhead, so the bound holds whatever the tokens' size. A token seen again answers
    /// without its signature check, as long as the uncached path would accept it: each hit
    /// checks its `exp` (with the leeway) and `nbf` at the current time, and that the key that
    /// verified it is still in its issuer's key set. Only tokens that passed are kept, keyed
    /// by all their bytes.
    ///
    /// ```
    /// use axum_userinfo::{verify::JwtVerifier, Resolver, verify::VerificationKey};
    /// let verifier = JwtVerifier::builder("https://issuer.example.com")
    ///     .with_key(VerificationKey::from_secret(b"a secret of at least 32 bytes....")?)
    ///     .build()?;
    /// let resolver = Resolver::builder()
    ///     .with_verifier(verifier)
    ///     .with_token_cache_bytes(0) // every token's signature checked, every time
    ///     .build()?;
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[cfg(feature = "verify")]
    pub fn with_token_cache_bytes(mut self, bytes: usize) -> Self {
        self.token_cache_bytes = Some(bytes);
        self
    }

    /// Checks opaque access tokens by RFC 7662 introspection (feature `introspection`): a
    /// Bearer token that is not JWT-shaped is then an
    /// [`OpaqueToken`](crate::CredentialKind::OpaqueToken), introspected, instead of an API
    /// key; so is a JWT-shaped one that no configured verifier claims (no verifier, an
    /// unknown or missing `iss`, or a token that does not decode), as the reference's
    /// `BearerTokenValidator` falls back to introspection. A JWT of a configured issuer is
    /// verified by that issuer's keys alone: a token that fails its issuer's checks is not
    /// given a second chance at the authorization server (the reference's fallback would let
    /// the server's looser view, say of the audience, override this service's own checks).
    /// `X-API-Key` and WebSocket `api_key` messages stay API keys. One authorization server
    /// per resolver: an opaque token does not say whose it is.
    ///
    /// ```
    /// use axum_userinfo::{introspect::IntrospectionClient, Resolver};
    /// let client = IntrospectionClient::builder("https://auth.example.com")
    ///     .with_oidc_discovery()
    ///     .with_client_credentials("my-api", "a secret read from a file")
    ///     .build()?;
    /// let resolver = Resolver::builder().with_introspection(client).build()?;
    /// assert!(resolver.introspects());
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[cfg(feature = "introspection")]
    pub fn with_introspection(mut self, client: crate::introspect::IntrospectionClient) -> Self {
        self.introspection = Some(client);
        self
    }

    /// Accepts DPoP-bound tokens (RFC 9449, feature `dpop`): `Authorization: DPoP <token>`
    /// with one `DPoP` proof header, checked by `checker` against the request (its method,
    /// and its URI with the [public URL](Self::with_public_url)) and the token's `cnf.jkt`.
    /// Bound tokens are refused as `Bearer` whether or not DPoP is configured.
    ///
    /// ```
    /// use axum_userinfo::Resolver;
    /// use axum_userinfo::dpop::{DpopChecker, MemoryReplayStore};
    /// let resolver = Resolver::builder()
    ///     .with_dpop(DpopChecker::new(MemoryReplayStore::new()))
    ///     .with_public_url("https://api.example.com")
    ///     .build()?;
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[cfg(feature = "dpop")]
    pub fn with_dpop(mut self, checker: crate::dpop::DpopChecker) -> Self {
        self.dpop = Some(checker);
        self
    }

    /// The URL clients address this service by (`https://api.example.com`, with a path
    /// prefix when a gateway mounts it under one): the scheme and host a DPoP proof's `htu`
    /// names, which the service does not see behind a gateway. It pins them: forwarded headers
    /// never replace it. Without it, [trusted proxies](Self::with_trusted_proxies)'
    /// `X-Forwarded-Proto` and `X-Forwarded-Host` (`host[:port]` only) give them. From trusted
    /// proxies, `X-Original-Method` / `X-Original-URI` (a forward-auth subrequest's; the URI a
    /// path, never absolute) give the request's own method and path. A path with dot segments
    /// is refused.
    #[cfg(feature = "dpop")]
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Accepts only the API keys `store` knows ([`ApiKeyList`](crate::api_keys::ApiKeyList), or your
    /// own [`ApiKeyStore`](crate::api_keys::ApiKeyStore)): an unknown key is refused with
    /// [`ResolveError::UnknownApiKey`](crate::ResolveError::UnknownApiKey) (401
    /// `invalid_token`). A known key's user keeps the reference's id (`uuid5` of the key),
    /// and is granted its entry's scopes.
    pub fn with_api_keys(mut self, store: impl crate::api_keys::ApiKeyStore) -> Self {
        self.api_keys = Some(std::sync::Arc::new(store));
        self
    }

    /// Accepts only these credential kinds (default: all). A recognised credential of another
    /// kind is refused with [`ResolveError::NotAccepted`](crate::ResolveError::NotAccepted).
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

    /// Accepts only the credential kinds something in this resolver verifies
    /// ([`AcceptedKinds::verified_by`]): JWTs when a [verifier](Self::with_verifier) is
    /// configured, opaque tokens when an [introspection client](Self::with_introspection) is,
    /// API keys when a [key store](Self::with_api_keys) is. Basic credentials, session cookies
    /// and JWTs that nothing verifies are refused with
    /// [`ResolveError::NotAccepted`](crate::ResolveError::NotAccepted) (401). The policy of a
    /// service, or a gateway's auth endpoint, that must trust only verified credentials: the
    /// kinds follow the configuration, so adding a key store later cannot leave JWTs (or
    /// anything else) accepted unverified.
    ///
    /// ```
    /// use axum_userinfo::{api_keys::ApiKeyList, CredentialKind, Resolver, ResolveError};
    /// use http::{HeaderMap, HeaderValue};
    /// let keys = ApiKeyList::parse("sk-live-1 ci-robot\n")?;
    /// let resolver = Resolver::builder().with_api_keys(keys).accept_only_verified().build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("authorization", HeaderValue::from_static("Basic eDp5")); // x:y
    /// assert_eq!(resolver.resolve(&headers), Err(ResolveError::NotAccepted(CredentialKind::Basic)));
    /// headers.insert("authorization", HeaderValue::from_static("Bearer sk-live-1"));
    /// assert!(resolver.resolve(&headers)?.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors (at [`build`](Self::build))
    /// [`ConfigError::NothingVerifies`](crate::ConfigError::NothingVerifies) when nothing is
    /// configured that verifies a credential (every credential would be refused), and
    /// [`ConfigError::AcceptedKindsTwice`](crate::ConfigError::AcceptedKindsTwice) beside
    /// [`with_accepted_kinds`](Self::with_accepted_kinds).
    pub fn accept_only_verified(mut self) -> Self {
        self.only_verified = true;
        self
    }

    /// Accepts certificate-bound tokens (`cnf.x5t#S256`, RFC 8705) with the client certificate
    /// from `source`: the service's own TLS connection, or a trusted proxy's header (which
    /// needs [`with_trusted_proxies`](Self::with_trusted_proxies)). See [`crate::mtls`].
    /// Without it, a certificate-bound token is refused.
    pub fn with_client_certificates(mut self, source: crate::mtls::ClientCertificates) -> Self {
        self.client_certificates = Some(source);
        self
    }

    /// Also takes the access token from the cookie `name` (a browser app's BFF sets one, e.g.
    /// `__Host-access_token`).
    ///
    /// Token locations (this, [`with_token_header`](Self::with_token_header),
    /// [`with_websocket_token_query`](Self::with_websocket_token_query)) come after the
    /// reference's sources, which keep their precedence: a trusted identity header, the
    /// `nat-session` cookie (or `?session=`), `Authorization`, `X-API-Key`. A located token is
    /// the credential, as a `Bearer` token would be, when none of those is there; beside
    /// `Authorization` or `X-API-Key` it must be the same token, and located tokens must agree:
    /// two different tokens on one request are refused (401,
    /// [`ResolveError::TokenLocation`](crate::ResolveError::TokenLocation)), never one picked.
    /// The value is taken as it is (one that needs unescaping is refused). A cookie is an
    /// ambient credential: on WebSocket upgrades its origin must be allowed
    /// ([`with_allowed_origins`](Self::with_allowed_origins)), and routes that change state
    /// need a CSRF defence of the application's own (`SameSite`, a `__Host-` cookie, and a
    /// custom header or token on those routes). With none configured nothing changes.
    pub fn with_token_cookie(mut self, name: impl Into<String>) -> Self {
        self.token_cookie = Some(name.into());
        self
    }

    /// Also takes the access token from the header `name` (a gateway's own), as a `Bearer`
    /// token's value (without a scheme).
    pub fn with_token_header(mut self, name: impl Into<String>) -> Self {
        self.token_header = Some(name.into());
        self
    }

    /// Also takes the access token from a WebSocket upgrade's `access_token` query parameter
    /// (RFC 6750 §2.3): browsers cannot set headers on an upgrade. Upgrades only; never logged
    /// by this crate (its spans and the demo's log hold no query).
    pub fn with_websocket_token_query(mut self) -> Self {
        self.token_query = true;
        self
    }

    /// The token locations, checked.
    fn token_locations(
        &self,
        identity_header: bool,
    ) -> Result<Option<Box<crate::resolve::token_locations::TokenLocations>>, ConfigError> {
        if self.token_cookie.is_none() && self.token_header.is_none() && !self.token_query {
            return Ok(None);
        }
        if identity_header {
            return Err(ConfigError::InvalidTokenLocation(
                "a trusted identity header is the only identity source",
            ));
        }
        let header = (self.token_header.as_deref())
            .map(|name| {
                let name = HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| ConfigError::InvalidTokenLocation("not a header name"))?;
                let reserved = [http::header::AUTHORIZATION, http::header::COOKIE];
                if reserved.contains(&name) || name == crate::resolve::X_API_KEY {
                    return Err(ConfigError::InvalidTokenLocation(
                        "Authorization, Cookie and X-API-Key are read already",
                    ));
                }
                Ok(name)
            })
            .transpose()?;
        let cookie = (self.token_cookie.as_deref())
            .map(|name| {
                let token = !name.is_empty()
                    && (name.bytes())
                        .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
                if !token || name == crate::parse::cookie::SESSION_COOKIE {
                    return Err(ConfigError::InvalidTokenLocation(
                        "not a cookie name (or the session cookie's)",
                    ));
                }
                Ok(name.to_owned())
            })
            .transpose()?;
        Ok(Some(Box::new(
            crate::resolve::token_locations::TokenLocations {
                cookie,
                header,
                query: self.token_query,
            },
        )))
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
    /// refused with [`ResolveError::UntrustedPeer`](crate::ResolveError::UntrustedPeer) (HTTP 403), never trusted. The adapters read
    /// the peer from axum's `ConnectInfo<SocketAddr>`: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    ///
    /// With DPoP ([`with_dpop`](Self::with_dpop)), the same peers' `X-Forwarded-Proto`,
    /// `X-Forwarded-Host`, `X-Original-Method` and `X-Original-URI` give the request a proof
    /// was signed for; no other peer's are read. Trusted proxies need one of the two.
    ///
    /// ```
    /// # use axum_userinfo::{RequestView, Resolver, ResolveError};
    /// # use http::{HeaderMap, HeaderValue};
    /// let resolver = Resolver::builder()
    ///     .with_identity_header("X-Forwarded-User")
    ///     .with_trusted_proxies(["10.0.0.0/8"])
    ///     .build()
    ///     .unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-forwarded-user", HeaderValue::from_static("alice"));
    /// let from_proxy = RequestView::new(&headers).peer("10.1.2.3".parse().unwrap());
    /// assert!(resolver.resolve(from_proxy).unwrap().is_some());
    /// let direct = RequestView::new(&headers).peer("203.0.113.9".parse().unwrap());
    /// assert_eq!(resolver.resolve(direct), Err(ResolveError::UntrustedPeer));
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
    /// # use axum_userinfo::{RequestView, Resolver, ResolveError};
    /// # use http::{HeaderMap, HeaderValue};
    /// let resolver = Resolver::builder()
    ///     .with_allowed_origins(["https://app.example.com"])
    ///     .build()
    ///     .unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", HeaderValue::from_static("nat-session=s1"));
    /// headers.insert("origin", HeaderValue::from_static("https://evil.example"));
    /// assert_eq!(resolver.resolve(RequestView::new(&headers).websocket(None)), Err(ResolveError::OriginNotAllowed));
    /// assert!(resolver.resolve(&headers).is_ok()); // plain requests: CORS and SameSite's job
    ///
    /// let mut basic = HeaderMap::new();
    /// basic.insert("authorization", HeaderValue::from_static("Basic YWxpY2U6czNjcmV0"));
    /// assert_eq!(resolver.resolve(RequestView::new(&basic).websocket(None)), Err(ResolveError::OriginNotAllowed));
    /// ```
    pub fn with_allowed_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Describes the service as an RFC 9728 protected resource: every 401 challenge (and the
    /// 403 of a guard) the axum adapters send then carries `resource_metadata="…"`, the URL of
    /// its metadata document (which [`resource_metadata_routes`](crate::layer::resource_metadata_routes)
    /// serves), so that a client finds where to get a token.
    ///
    /// ```
    /// use axum_userinfo::{authorize::ProtectedResource, Resolver};
    /// let resource = ProtectedResource::new("https://api.example.com/mcp", ["https://sso.example.com"])?;
    /// let resolver = Resolver::builder().with_protected_resource(resource).build()?;
    /// assert_eq!(resolver.protected_resource().unwrap().resource(), "https://api.example.com/mcp");
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    pub fn with_protected_resource(
        mut self,
        resource: crate::authorize::ProtectedResource,
    ) -> Self {
        self.protected_resource = Some(resource);
        self
    }

    /// Judges every scope by `hierarchy` (a broader scope implies narrower ones; the MCP
    /// authorization spec requires it): its users carry it to every guard
    /// ([`UserInfo::has_scope`](crate::UserInfo::has_scope)), and its verifiers' and
    /// introspection client's required scopes are judged by it. None by default: exact
    /// matching.
    ///
    /// ```
    /// use axum_userinfo::{authorize::ScopeHierarchy, Resolver};
    /// let hierarchy = ScopeHierarchy::new().with_implied("files", ["files:read"])?;
    /// let resolver = Resolver::builder().with_scope_hierarchy(hierarchy).build()?;
    /// assert!(resolver.scope_hierarchy().unwrap().implies("files", "files:read"));
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    pub fn with_scope_hierarchy(mut self, hierarchy: crate::authorize::ScopeHierarchy) -> Self {
        self.scope_hierarchy = (!hierarchy.is_exact()).then_some(hierarchy);
        self
    }

    /// Refuses a credential header (`Cookie`, `Authorization`, `X-API-Key`, the identity
    /// header) longer than `max_len` bytes before parsing it, with
    /// [`ResolveError::CredentialTooLarge`](crate::ResolveError::CredentialTooLarge) (HTTP 431). Default:
    /// [`DEFAULT_MAX_CREDENTIAL_LEN`](crate::limits::DEFAULT_MAX_CREDENTIAL_LEN), 32 KiB.
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
    /// [`ResolveError::AuthFrameTooLarge`](crate::ResolveError::AuthFrameTooLarge). Default:
    /// [`DEFAULT_MAX_AUTH_FRAME_LEN`](crate::limits::DEFAULT_MAX_AUTH_FRAME_LEN), 64 KiB.
    ///
    /// ```
    /// # use axum_userinfo::Resolver;
    /// # use axum_userinfo::websocket::HandledAuthMessage;
    /// let resolver = Resolver::builder().with_max_auth_frame_len(16).build().unwrap();
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"k"}}"#;
    /// assert!(matches!(resolver.handle_auth_frame(frame), Some(HandledAuthMessage::Rejected { .. })));
    /// ```
    pub fn with_max_auth_frame_len(mut self, max_len: usize) -> Self {
        self.max_auth_frame_len = Some(max_len);
        self
    }

    /// How long a WebSocket that opens without an identity has to authenticate with an auth
    /// message before it is closed with 1008; `None` lets anonymous sockets stay. Default:
    /// [`DEFAULT_WEBSOCKET_AUTH_TIMEOUT`](crate::limits::DEFAULT_WEBSOCKET_AUTH_TIMEOUT), 10 s.
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
    /// [`ConfigError::InvalidHeaderName`](crate::ConfigError::InvalidHeaderName) for an identity header that is not a header name,
    /// [`ConfigError::IdentityHeaderWithAcceptedKinds`](crate::ConfigError::IdentityHeaderWithAcceptedKinds) when both are configured,
    /// [`ConfigError::IdentityHeaderWithVerification`](crate::ConfigError::IdentityHeaderWithVerification) for a trusted identity header with JWT
    /// verifiers, [`ConfigError::InvalidIssuer`](crate::ConfigError::InvalidIssuer) for two verifiers of one issuer.
    pub fn build(self) -> Result<Resolver, ConfigError> {
        #[cfg(feature = "dpop")]
        let dpop = self.dpop_config()?;
        let accepted = self.accepted_kinds()?;
        let required_scopes = self.required_scopes();
        let token_locations = self.token_locations(self.identity_header.is_some())?;
        let identity_header = self
            .identity_header
            .map(|name| {
                HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| ConfigError::InvalidHeaderName)
            })
            .transpose()?;
        if identity_header.is_some() && (self.accepted.is_some() || self.only_verified) {
            return Err(ConfigError::IdentityHeaderWithAcceptedKinds);
        }
        #[cfg(feature = "verify")]
        if identity_header.is_some() && !self.verifiers.is_empty() {
            return Err(ConfigError::IdentityHeaderWithVerification);
        }
        #[cfg(feature = "introspection")]
        if identity_header.is_some() && self.introspection.is_some() {
            return Err(ConfigError::IdentityHeaderWithVerification);
        }
        let certificate_header = matches!(
            self.client_certificates,
            Some(crate::mtls::ClientCertificates::Header { .. })
        );
        if certificate_header && self.trusted_proxies.is_none() {
            return Err(ConfigError::CertificateHeaderWithoutTrustedProxies);
        }
        #[cfg(feature = "dpop")]
        let proxies_used = identity_header.is_some() || dpop.is_some() || certificate_header;
        #[cfg(not(feature = "dpop"))]
        let proxies_used = identity_header.is_some() || certificate_header;
        if !proxies_used && self.trusted_proxies.is_some() {
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
        #[cfg(feature = "dpop")]
        let dpop_algorithms = dpop.as_ref().map(|dpop| dpop.checker.algorithms());
        #[cfg(not(feature = "dpop"))]
        let dpop_algorithms = None;
        let challenges = Arc::new(crate::refusal::Challenges::new(
            identity_header.is_none().then_some(accepted),
            dpop_algorithms,
            (self.protected_resource.as_ref()).map(|resource| resource.metadata_url()),
            required_scopes,
        ));
        let scope_hierarchy = self.scope_hierarchy.map(Arc::new);
        #[cfg(feature = "verify")]
        let rules = crate::verify::claims::ResolverRules {
            hierarchy: scope_hierarchy.clone(),
            resource: (self.protected_resource.as_ref())
                .map(|resource| resource.resource().to_owned()),
        };
        Ok(Resolver {
            config: Arc::new(Config {
                scope_hierarchy,
                token_locations,
                challenges,
                accepted,
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
                protected_resource: self.protected_resource,
                #[cfg(feature = "verify")]
                issuers: crate::verify::Issuers::new(
                    (self.verifiers.iter())
                        .map(|verifier| verifier.adopted(&rules))
                        .collect(),
                    (self.token_cache_bytes).unwrap_or(crate::verify::DEFAULT_TOKEN_CACHE_BYTES),
                )?,
                #[cfg(feature = "introspection")]
                introspection: (self.introspection.as_ref()).map(|client| client.adopted(&rules)),
                api_keys: self.api_keys,
                client_certificates: self.client_certificates,
                #[cfg(feature = "dpop")]
                dpop,
            }),
        })
    }
}
