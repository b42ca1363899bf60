//! The resolver: a request's headers (or a WebSocket auth message) in,
//! `Result<Option<UserInfo>, ResolveError>` out, through one engine.
//!
//! | file | step |
//! | --- | --- |
//! | `engine.rs` | **the pipeline**: request view or auth message → credential → identity → binding → user |
//! | `headers.rs` | a request's credential, in the reference's precedence |
//! | `frame.rs` | a WebSocket auth message's credential |
//! | `credential.rs` | a credential: its kind, raw parts and proof of possession, whatever carried it |
//! | `binding.rs` | what binds the token to its sender (bearer, DPoP) |
//! | `wait.rs` | the one thing a resolution can wait for (keys, an introspection answer, the replay store) |
//! | `pending.rs` | a resolution under way; where every one ends (metrics, tracing span) |
//! | `token_locations.rs` | where else a request may carry its token (a cookie, a header, an upgrade's query), opt-in |
//! | `builder.rs`, `config.rs`, `limits.rs`, `request.rs` | configuration and inputs |

pub(crate) mod binding;
pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod credential;
pub(crate) mod engine;
pub(crate) mod frame;
pub(crate) mod headers;
pub(crate) mod limits;
pub(crate) mod pending;
pub(crate) mod request;
pub(crate) mod token_locations;
pub(crate) mod wait;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use crate::error::ResolveError;
use crate::identity::kinds::AcceptedKinds;
use crate::identity::user_info::UserInfo;
use crate::mtls::PresentedCertificate;
pub(crate) use crate::resolve::config::Config;
#[cfg(feature = "dpop")]
pub(crate) use crate::resolve::config::DpopConfig;
use crate::resolve::request::RequestView;
use crate::websocket::handled::HandledAuthMessage;

/// The `X-API-Key` header.
pub const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// The `DPoP` header (RFC 9449): a request's proof.
#[cfg(any(feature = "dpop", feature = "axum"))]
pub(crate) const DPOP: HeaderName = HeaderName::from_static("dpop");

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
/// assert_eq!(user.source(), Source::API_KEY);
/// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
///
/// assert!(resolver.resolve(&HeaderMap::new()).unwrap().is_none()); // anonymous
/// ```
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    config: Arc<Config>,
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
        self.config.verifies_jwts()
    }

    /// Whether opaque tokens are introspected (an
    /// [`IntrospectionClient`](crate::introspect::IntrospectionClient) is configured).
    #[must_use]
    pub fn introspects(&self) -> bool {
        self.config.introspects()
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

    /// The RFC 9728 protected resource, when configured
    /// ([`with_protected_resource`](crate::ResolverBuilder::with_protected_resource)).
    #[must_use]
    pub fn protected_resource(&self) -> Option<&crate::authorize::ProtectedResource> {
        self.config.protected_resource.as_ref()
    }

    /// The scope hierarchy every scope is judged by
    /// ([`with_scope_hierarchy`](crate::ResolverBuilder::with_scope_hierarchy)); `None` for
    /// exact matching.
    #[must_use]
    pub fn scope_hierarchy(&self) -> Option<&crate::authorize::ScopeHierarchy> {
        self.config.scope_hierarchy.as_deref()
    }

    /// The DPoP proof algorithms accepted, when DPoP is configured
    /// ([`with_dpop`](crate::ResolverBuilder::with_dpop); feature `dpop`): what a `DPoP`
    /// challenge's `algs` lists.
    #[must_use]
    pub fn dpop_algorithms(&self) -> Option<&[&'static str]> {
        #[cfg(feature = "dpop")]
        return (self.config.dpop.as_ref()).map(|dpop| dpop.checker.algorithms());
        #[cfg(not(feature = "dpop"))]
        None
    }

    /// What its refusals' `WWW-Authenticate` challenges offer: the schemes it accepts, DPoP's
    /// algorithms, the RFC 9728 metadata URL.
    #[must_use]
    pub fn challenges(&self) -> &crate::refusal::Challenges {
        &self.config.challenges
    }

    /// The refusal of a request for `reason`, as this resolver's configuration answers it:
    /// status, `WWW-Authenticate` challenges and body (see [`Refusal`](crate::refusal::Refusal)).
    /// The layer, the extractors and guards send exactly this; middleware of your own (a gRPC
    /// interceptor, say) can too.
    #[must_use]
    pub fn refusal(&self, reason: crate::refusal::Reason<'_>) -> crate::refusal::Refusal {
        crate::refusal::Refusal::new(reason, &self.config.challenges)
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
    /// refused here; [`resolve_async`](Self::resolve_async) waits for the refetch. So are
    /// introspection answers: an opaque token whose answer is not cached is refused with
    /// [`IntrospectionError::NeedsAsync`](crate::error::IntrospectionError::NeedsAsync) (503).
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
        self.begin(request).now()
    }

    /// As [`resolve`](Self::resolve), waiting for the issuer's keys when a verified JWT needs
    /// them (an unknown `kid`, a cold cache): the request is parsed once, and its token
    /// finished after at most one refetch, shared with every request that missed the same
    /// issuer; and for an opaque token's introspection answer, one call shared with every
    /// request for the same token. Without fetched keys or introspection it is `resolve`,
    /// ready at once.
    ///
    /// # Errors
    /// As [`resolve`](Self::resolve).
    pub async fn resolve_async<'a>(
        &self,
        request: impl Into<RequestView<'a>>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        self.begin(request).finish().await
    }

    /// Handles one WebSocket text frame: `None` when it is not an auth message (it belongs to
    /// the application), else the identity and the exact reply to send.
    ///
    /// ```
    /// use axum_userinfo::Resolver;
    /// use axum_userinfo::websocket::HandledAuthMessage;
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"sk-service-abc123"}}"#;
    /// let Some(HandledAuthMessage::Resolved { user, response }) = Resolver::new().handle_auth_frame(frame) else {
    ///     panic!("resolves");
    /// };
    /// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
    /// assert!(response.to_json().contains(r#""status":"success""#));
    /// ```
    #[must_use]
    pub fn handle_auth_frame(&self, frame: &str) -> Option<HandledAuthMessage> {
        self.handle_auth_frame_on(frame, None)
    }

    /// As [`handle_auth_frame`](Self::handle_auth_frame), on a socket whose upgrade presented
    /// `certificate` (a certificate-bound token's, RFC 8705).
    pub(crate) fn handle_auth_frame_on(
        &self,
        frame: &str,
        certificate: Option<PresentedCertificate>,
    ) -> Option<HandledAuthMessage> {
        Some(match self.begin_frame(frame, certificate)? {
            Ok(handled) => handled,
            Err(pending) => HandledAuthMessage::from_result(pending.now()),
        })
    }

    /// As [`handle_auth_frame`](Self::handle_auth_frame), waiting for the issuer's keys when
    /// the message's JWT needs them: the message is parsed once, and the token finished after
    /// at most one refetch, shared with every token that missed the same issuer.
    pub async fn handle_auth_frame_async(&self, frame: &str) -> Option<HandledAuthMessage> {
        self.handle_auth_frame_on_async(frame, None).await
    }

    /// As [`handle_auth_frame_async`](Self::handle_auth_frame_async), on a socket whose
    /// upgrade presented `certificate`.
    pub(crate) async fn handle_auth_frame_on_async(
        &self,
        frame: &str,
        certificate: Option<PresentedCertificate>,
    ) -> Option<HandledAuthMessage> {
        Some(match self.begin_frame(frame, certificate)? {
            Ok(handled) => handled,
            Err(pending) => HandledAuthMessage::from_result(pending.finish().await),
        })
    }

    /// The client certificate an upgrade presents, kept for its socket's auth messages.
    #[cfg(feature = "ws")]
    pub(crate) fn upgrade_certificate(
        &self,
        upgrade: RequestView<'_>,
    ) -> Option<PresentedCertificate> {
        binding::Binding::certificate_of(&self.config, upgrade)
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;

    use super::*;
    use crate::error::ConfigError;
    use crate::identity::kinds::CredentialKind;
    use crate::resolve::builder::ResolverBuilder;

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

    /// One engine: a credential gives the same user whether a header or an auth message
    /// carried it.
    #[test]
    fn headers_and_auth_messages_agree() {
        let resolver = Resolver::new();
        let cases = [
            (
                "Basic YWxpY2U6cGE6c3M6d29yZA==",
                r#""method":"basic","username":"alice","password":"pa:ss:word""#,
            ),
            (
                "Basic ICBhbCBpY2UgOnB3",
                r#""method":"basic","username":"  al ice ","password":"pw""#,
            ),
            (
                "Bearer sk-service-abc123",
                r#""method":"api_key","token":"sk-service-abc123""#,
            ),
            (
                "Bearer e30.eyJzdWIiOiJhZGEifQ.",
                r#""method":"jwt","token":"e30.eyJzdWIiOiJhZGEifQ.""#,
            ),
        ];
        for (header, message) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(
                http::header::AUTHORIZATION,
                http::HeaderValue::from_static(header),
            );
            let by_header = resolver.resolve(&headers).unwrap().unwrap();
            let frame = format!(r#"{{"type":"auth_message","payload":{{{message}}}}}"#);
            let Some(HandledAuthMessage::Resolved { user, .. }) =
                resolver.handle_auth_frame(&frame)
            else {
                panic!("{message} resolves");
            };
            assert_eq!(user, by_header, "{header}");
            assert_eq!(user.source(), by_header.source());
        }
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
