//! [`IntrospectionClient`]: how one authorization server's opaque tokens are checked, and its
//! builder.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::error::{ConfigError, IntrospectionError, ResolveError};
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::UserInfo;
use crate::introspect::cache::{Answers, CacheSettings, Digest, Lookup};
use crate::introspect::exchange::{ClientAuth, Exchange};
use crate::verify::claims::{ClaimChecks, now};
use crate::verify::fetch::HttpOptions;
use crate::verify::located::Location;

/// What the client answers now: a user, or a refusal, or a token that waits for its answer
/// (as the caller's wait `W`).
pub(crate) type Introspected<W = Box<AwaitingIntrospection>> = Result<UserInfo, Unfinished<W>>;

/// A token waiting for its introspection answer.
pub(crate) struct AwaitingIntrospection {
    client: IntrospectionClient,
    token: Box<[u8]>,
    digest: Digest,
}

impl std::fmt::Debug for AwaitingIntrospection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("AwaitingIntrospection")
            .field("issuer", &crate::verify::redacted_url(self.client.issuer()))
            .finish_non_exhaustive()
    }
}

impl AwaitingIntrospection {
    pub(crate) fn new(client: IntrospectionClient, token: &[u8], digest: Digest) -> Self {
        Self {
            client,
            token: token.into(),
            digest,
        }
    }

    /// The synchronous path's answer: it cannot call the authorization server.
    pub(crate) fn miss(&self) -> ResolveError {
        ResolveError::Introspection(IntrospectionError::NeedsAsync)
    }

    /// Asks the authorization server (or waits for the call in flight for the same token).
    pub(crate) async fn finish(self) -> Result<UserInfo, ResolveError> {
        self.client.answer(&self.token, self.digest).await
    }
}

/// Checks the opaque access tokens of one authorization server by RFC 7662 introspection
/// (feature `introspection`). Add it to a resolver with
/// [`ResolverBuilder::with_introspection`](crate::ResolverBuilder::with_introspection);
/// cloning it is a reference-count bump, and clones share one cache.
///
/// - **The call**: `POST` of `token` and `token_type_hint=access_token` to the endpoint
///   (configured, or OIDC discovery's `introspection_endpoint`), `https` only (plain `http`
///   to loopback when allowed), authenticated as [`ClientAuth`] says; connect timeout 2 s,
///   total 5 s; answers over 64 KiB, redirects and statuses other than 200 refused.
/// - **The answer**: `active` must be JSON `true` (a string `"true"` is not, though the
///   reference takes any truthy value); `token_type` `refresh_token` is refused; then the
///   claims as a verified JWT's: `iss` exactly the issuer (required, as the reference does
///   when an issuer is configured), `exp` (optional, as in RFC 7662) and `nbf` with the
///   leeway, `iat` not in the future, the audience, the required scopes (`scope`, a string or
///   a list; `scp`, a JWT convention, is not read from an answer, nor `azp`).
/// - **The cache**: answers are kept by the SHA-256 of the whole token (never a prefix: the
///   reference's cache key is the token's first 10 characters, so two tokens with a common
///   prefix share one answer); an active answer until the earlier of its `exp` (plus the
///   leeway) and
///   [`DEFAULT_MAX_TTL`](crate::introspect::DEFAULT_MAX_TTL), an inactive one for
///   [`DEFAULT_INACTIVE_TTL`](crate::introspect::DEFAULT_INACTIVE_TTL); failures never.
///   Concurrent first requests for one token make one call; at most
///   [`DEFAULT_MAX_IN_FLIGHT`](crate::introspect::DEFAULT_MAX_IN_FLIGHT) calls are in
///   flight, and past it a call waits its turn (first come, first served) for at most the
///   call timeout, then is refused with 503.
/// - **Unknown tokens**: an answer `400` with the OAuth error `invalid_token` or
///   `unsupported_token_type` (servers that do not know a token say so) refuses the token
///   (401, as an inactive one); any other error answer is a failure (503), logged with the
///   server's error code.
/// - **Failure**: the server unreachable, slow, refusing the client credentials or
///   answering garbage: HTTP 503 with `Retry-After`, logged (a warning, target
///   `axum_userinfo`) without the token or the secret.
///
/// ```
/// use axum_userinfo::{introspect::IntrospectionClient, Resolver};
/// # let secret = "read from a file or the environment".to_owned();
/// let client = IntrospectionClient::builder("https://auth.example.com")
///     .with_endpoint("https://auth.example.com/oauth2/introspect")
///     .with_client_credentials("my-api", secret)
///     .with_audience("my-api")
///     .build()?;
/// let resolver = Resolver::builder().with_introspection(client).build()?;
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct IntrospectionClient(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    checks: ClaimChecks,
    exchange: Arc<Exchange>,
    answers: Answers,
}

impl IntrospectionClient {
    /// A builder for the client of the authorization server `issuer`: the `iss` its answers
    /// must name, and the scope of its users' ids.
    pub fn builder(issuer: impl Into<String>) -> IntrospectionClientBuilder {
        IntrospectionClientBuilder {
            checks: ClaimChecks {
                // An answer's `exp` is checked when present; RFC 7662 makes it optional.
                require_exp: false,
                ..ClaimChecks::new(issuer.into())
            },
            endpoint: None,
            client_id: String::new(),
            secret: None,
            auth: ClientAuth::default(),
            cache: CacheSettings::default(),
            http: HttpOptions {
                max_body: 64 * 1024,
                ..HttpOptions::default()
            },
            client: None,
        }
    }

    /// The issuer, as its answers' `iss` must be.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.0.checks.issuer
    }

    /// The scopes its tokens must have.
    pub(crate) fn required_scopes(&self) -> &[String] {
        &self.0.checks.required_scopes
    }

    /// This client as a resolver with `rules` holds it (see
    /// [`ClaimChecks::adopted`]): the same exchange with the authorization server, the
    /// resolver's rules, and a cache of its own (answers are cached checked).
    pub(crate) fn adopted(&self, rules: &crate::verify::claims::ResolverRules) -> Self {
        match self.0.checks.adopted(rules) {
            Some(checks) => Self(Arc::new(Inner {
                checks,
                exchange: Arc::clone(&self.0.exchange),
                answers: Answers::new(self.0.answers.settings()),
            })),
            None => self.clone(),
        }
    }

    /// The user of an opaque token: a cached answer now, else a pending call.
    pub(crate) fn user<W: From<Box<AwaitingIntrospection>>>(
        &self,
        token: &[u8],
    ) -> Introspected<W> {
        let digest = Digest::of(token);
        match self.0.answers.lookup(&digest, now()) {
            Lookup::Hit(answer) => answer.map_err(Unfinished::Refused),
            Lookup::Miss => {
                let waiting = AwaitingIntrospection::new(self.clone(), token, digest);
                Err(Unfinished::Waits(W::from(Box::new(waiting))))
            }
        }
    }

    /// Asks the authorization server about `token` (one call per token in flight, within the
    /// limit), checks and caches its answer.
    pub(crate) async fn answer(
        &self,
        token: &[u8],
        digest: Digest,
    ) -> Result<UserInfo, crate::ResolveError> {
        let inner = &self.0;
        inner
            .answers
            .answer(digest, || async {
                let answer = inner.exchange.introspect(token).await;
                crate::introspect::answer::checked(answer, &inner.checks, now())
            })
            .await
    }
}

/// A builder of [`IntrospectionClient`]s.
#[derive(Debug)]
#[must_use]
pub struct IntrospectionClientBuilder {
    checks: ClaimChecks,
    endpoint: Option<Location>,
    client_id: String,
    secret: Option<SecretString>,
    auth: ClientAuth,
    cache: CacheSettings,
    http: HttpOptions,
    client: Option<reqwest::Client>,
}

impl IntrospectionClientBuilder {
    crate::verify::claims::claim_check_setters!("answers");

    /// The introspection endpoint's URL.
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(Location::Given(url.into()));
        self
    }

    /// Finds the endpoint by OIDC discovery: the `introspection_endpoint` of
    /// `{issuer}/.well-known/openid-configuration` (whose `issuer` must be this one), asked
    /// at the first opaque token and again after a failure.
    pub fn with_oidc_discovery(mut self) -> Self {
        self.endpoint = Some(Location::Discovered);
        self
    }

    /// The resolver's client id and secret at the authorization server (required). Read the
    /// secret from a file or the environment, never from a command line that `ps` shows.
    pub fn with_client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = client_id.into();
        self.secret = Some(secret.into());
        self
    }

    /// How the client authenticates (default [`ClientAuth::ClientSecretBasic`]).
    pub fn with_client_auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The longest an active answer is cached (default
    /// [`DEFAULT_MAX_TTL`](crate::introspect::DEFAULT_MAX_TTL), 5 min; never past its
    /// `exp`): how long a revoked token may still be accepted. Zero turns the cache off.
    pub fn with_max_cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache.max_ttl = ttl;
        self
    }

    /// How long an inactive answer is cached (default
    /// [`DEFAULT_INACTIVE_TTL`](crate::introspect::DEFAULT_INACTIVE_TTL), 10 s), so that a
    /// flood of one bad token costs one call.
    pub fn with_inactive_cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache.inactive_ttl = ttl;
        self
    }

    /// The weight of the answer cache, in bytes (default 4 MiB).
    pub fn with_cache_bytes(mut self, bytes: usize) -> Self {
        self.cache.bytes = bytes;
        self
    }

    /// The most introspection calls in flight at once (default
    /// [`DEFAULT_MAX_IN_FLIGHT`](crate::introspect::DEFAULT_MAX_IN_FLIGHT), 64); a token
    /// that needs one more waits its turn (first come, first served) for at most the call
    /// timeout ([`with_timeouts`](Self::with_timeouts)), then is refused with 503 and
    /// `Retry-After`.
    pub fn with_max_in_flight(mut self, calls: usize) -> Self {
        self.cache.max_in_flight = calls;
        self
    }

    /// Allows plain `http` endpoints on loopback (development and tests).
    pub fn allow_http_loopback(mut self) -> Self {
        self.http.allow_http_loopback = true;
        self
    }

    /// Timeouts: connecting (default 2 s) and the whole call (default 5 s).
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.http.connect_timeout = connect;
        self.http.timeout = total;
        self
    }

    /// Calls with this HTTP client (private CAs, proxies) instead of the crate's own; the
    /// crate's limits still apply on top of it (`https`, the total timeout, the answer's
    /// size, no redirect).
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] for an empty issuer,
    /// [`ConfigError::NoIntrospectionEndpoint`], [`ConfigError::MissingClientCredentials`],
    /// [`ConfigError::InsecureUrl`] for an endpoint that is not `https` (or loopback `http`
    /// when allowed), [`ConfigError::InvalidScope`], [`ConfigError::ZeroLimit`] for zero
    /// calls in flight, [`ConfigError::HttpClient`].
    pub fn build(self) -> Result<IntrospectionClient, ConfigError> {
        let checks = self.checks.checked()?;
        let endpoint = self.endpoint.ok_or(ConfigError::NoIntrospectionEndpoint)?;
        let secret = match self.secret {
            Some(secret) if !self.client_id.is_empty() && !is_blank(&secret) => secret,
            _ => return Err(ConfigError::MissingClientCredentials),
        };
        if self.cache.max_in_flight == 0 {
            return Err(ConfigError::ZeroLimit("introspection calls in flight"));
        }
        let exchange = Exchange::new(
            endpoint,
            &checks.issuer,
            (self.client_id, secret, self.auth),
            self.http,
            self.client,
        )?;
        let cache = CacheSettings {
            max_wait: self.http.timeout,
            leeway: checks.leeway,
            ..self.cache
        };
        Ok(IntrospectionClient(Arc::new(Inner {
            answers: Answers::new(cache),
            checks,
            exchange: Arc::new(exchange),
        })))
    }
}

fn is_blank(secret: &SecretString) -> bool {
    use secrecy::ExposeSecret as _;
    secret.expose_secret().trim().is_empty()
}
