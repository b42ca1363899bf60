//! [`JwtVerifier`]: how the tokens of one issuer are verified, and its builder.

use std::sync::Arc;
#[cfg(feature = "jwks")]
use std::time::Duration;

use crate::error::ConfigError;
use crate::error::VerifyError;
use crate::identity::claim_rules::ScannedClaims;
use crate::verify::VerificationKey;
use crate::verify::claims::{ClaimChecks, TimeClaims};
use crate::verify::header::TokenHeader;
use crate::verify::key_cache::{CachePolicy, KeyCache};
use crate::verify::published::{PublishedKeys, pick};
use jsonwebtoken::Algorithm;

/// Verifies the tokens of one issuer: their signature with the issuer's keys, then their
/// claims. Add it to a resolver with
/// [`ResolverBuilder::with_verifier`](crate::ResolverBuilder::with_verifier); cloning it is a
/// reference-count bump.
///
/// ```
/// use axum_userinfo::{verify::JwtVerifier, verify::VerificationKey};
/// let verifier = JwtVerifier::builder("https://issuer.example.com")
///     .with_key(VerificationKey::from_secret(b"a secret of at least 32 bytes....")?)
///     .with_audience("my-api")
///     .build()
///     .unwrap();
/// assert_eq!(verifier.issuer(), "https://issuer.example.com");
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtVerifier(Arc<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    checks: ClaimChecks,
    typ: Option<String>,
    keys: Vec<VerificationKey>,
    fetched: Option<Arc<KeyCache>>,
    /// Its keys are found by OIDC discovery (so its issuer publishes a discovery document).
    #[cfg(feature = "jwks")]
    discovery: Option<Arc<crate::verify::discovery::Discovery>>,
}

impl JwtVerifier {
    /// A builder for the verifier of `issuer`, the exact `iss` of its tokens.
    pub fn builder(issuer: impl Into<String>) -> JwtVerifierBuilder {
        JwtVerifierBuilder {
            checks: ClaimChecks::new(issuer.into()),
            typ: None,
            keys: Vec::new(),
            policy: CachePolicy::default(),
            #[cfg(feature = "jwks")]
            remote: None,
            #[cfg(feature = "jwks")]
            http: crate::verify::fetch::HttpOptions::default(),
            #[cfg(feature = "jwks")]
            client: None,
        }
    }

    /// The issuer, as its tokens' `iss` must be.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.0.checks.issuer
    }

    /// The key cache, when keys are fetched.
    pub(crate) fn key_cache(&self) -> Option<&Arc<KeyCache>> {
        self.0.fetched.as_ref()
    }

    /// Checks a token of this issuer at `now` (seconds since the epoch): its type, its
    /// signature, then its claims. The key-cache look-up is not counted here: the caller
    /// counts each token's once ([`count_lookup`](Self::count_lookup)), after a refetch when
    /// it waits for one.
    /// `signature` is the decoded signature, `None` for a segment no verifier accepts (padded).
    pub(crate) fn verify(
        &self,
        header: &TokenHeader,
        signing_input: &[u8],
        signature: Option<&Vec<u8>>,
        claims: &ScannedClaims<'_>,
        now: f64,
    ) -> Result<Passed, VerifyError> {
        if let Some(typ) = &self.0.typ {
            if !header.has_type(typ) {
                return Err(VerifyError::TypeMismatch);
            }
        }
        let key = self.check_signature(header, signing_input, signature)?;
        let times = self.0.checks.check_at(claims, now)?;
        Ok(Passed { key, times })
    }

    /// Counts a token's look-up in the issuer's fetched keys (none for static keys): a miss
    /// when `result` is an unknown `kid` or no keys, a hit otherwise.
    pub(crate) fn count_lookup<T>(&self, result: &Result<T, VerifyError>) {
        if let Some(fetched) = &self.0.fetched {
            let missed = matches!(
                result,
                Err(VerifyError::UnknownKey | VerifyError::KeysUnavailable)
            );
            fetched.count_lookup(!missed);
        }
    }

    /// When a token that passed stops being valid: `exp` plus the leeway.
    /// Its issuer's discovery document, when its keys are found by OIDC discovery.
    #[cfg(feature = "jwks")]
    #[cfg_attr(not(feature = "utoipa"), allow(dead_code))]
    pub(crate) fn discovery(&self) -> Option<&crate::verify::discovery::Discovery> {
        self.0.discovery.as_deref()
    }

    /// This verifier as a resolver with `rules` holds it (see
    /// [`ClaimChecks::adopted`]): the same keys and key cache, the resolver's rules.
    pub(crate) fn adopted(&self, rules: &crate::verify::claims::ResolverRules) -> Self {
        match self.0.checks.adopted(rules) {
            Some(checks) => Self(Arc::new(Inner {
                checks,
                ..Inner::clone(&self.0)
            })),
            None => self.clone(),
        }
    }

    /// The scopes its tokens must have.
    pub(crate) fn required_scopes(&self) -> &[String] {
        &self.0.checks.required_scopes
    }

    /// Where its tokens' grants are read from, and how their scopes are judged.
    pub(crate) fn grant_rules(&self) -> crate::identity::grant_rules::GrantRules {
        self.0.checks.grant_rules()
    }

    pub(crate) fn valid_until(&self, passed: &Passed) -> Option<std::time::SystemTime> {
        self.0.checks.valid_until(passed.times)
    }

    /// Whether a token that passed (with `kid` and `alg`) would pass again at `now`: the key
    /// that verified it is still the one the token's `kid` and `alg` pick among the issuer's
    /// current keys, and its time claims still hold. The type, the claims and the signature
    /// over the same bytes cannot have changed.
    pub(crate) fn would_pass_again(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        passed: &Passed,
        now: f64,
    ) -> bool {
        self.0.checks.still_valid(passed.times, now)
            && self
                .with_key(kid, alg, |key| key.material() == passed.key)
                .unwrap_or(false)
    }

    /// The material of the key that verifies the signature (decoded by the parser; checked
    /// after the key is known, so that a bad signature never hides a key miss).
    fn check_signature(
        &self,
        header: &TokenHeader,
        signing_input: &[u8],
        signature: Option<&Vec<u8>>,
    ) -> Result<u64, VerifyError> {
        let verifying = |key: &VerificationKey| {
            key.verifies(signature?, signing_input, header.alg)
                .then(|| key.material())
        };
        let verified = self.with_key(header.kid(), header.alg, verifying)?;
        verified.ok_or(VerifyError::InvalidSignature)
    }

    /// Runs `use_key` with the one key that may verify a token of `kid` and `alg`: the one
    /// its `kid` picks (the reference's rule, `published.rs`), when its type allows `alg`.
    /// One token costs one signature check at most. Nothing is collected: this runs on every
    /// cache hit.
    fn with_key<R>(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        use_key: impl FnOnce(&VerificationKey) -> R,
    ) -> Result<R, VerifyError> {
        let fetched = self.0.fetched.as_ref().map(KeyCache::current);
        let empty = PublishedKeys::default();
        let fetched_keys = fetched.as_deref().map_or(&empty, |set| &set.keys);
        let Some(key) = pick(&self.0.keys, fetched_keys, kid)? else {
            return Err(match &fetched {
                Some(set) if !set.loaded && self.0.keys.is_empty() => VerifyError::KeysUnavailable,
                _ => VerifyError::UnknownKey,
            });
        };
        if !key.algorithms().contains(&alg) {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        Ok(use_key(key))
    }

    /// Whether tokens can be verified at all: a configured key, or fetched keys of which at
    /// least one is usable. `false` before the first successful fetch, and when every key
    /// the issuer publishes was left out.
    pub(crate) fn has_usable_keys(&self) -> bool {
        !self.0.keys.is_empty()
            || (self.0.fetched.as_ref())
                .is_some_and(|cache| !cache.current().keys.keys().is_empty())
    }
}

/// What a token's successful check leaves: the key that verified it, and its time claims.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Passed {
    key: u64,
    times: TimeClaims,
}

/// Builds a [`JwtVerifier`]. Give it keys ([`with_key`](Self::with_key)), a JWKS URL or OIDC
/// discovery (feature `jwks`), or both. Its `Debug` shows URLs without userinfo or query.
#[derive(Clone)]
#[must_use]
pub struct JwtVerifierBuilder {
    checks: ClaimChecks,
    typ: Option<String>,
    keys: Vec<VerificationKey>,
    policy: CachePolicy,
    #[cfg(feature = "jwks")]
    remote: Option<crate::verify::located::Location>,
    #[cfg(feature = "jwks")]
    http: crate::verify::fetch::HttpOptions,
    #[cfg(feature = "jwks")]
    client: Option<reqwest::Client>,
}

impl std::fmt::Debug for JwtVerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("JwtVerifierBuilder");
        debug
            .field("checks", &self.checks)
            .field("typ", &self.typ)
            .field("keys", &self.keys)
            .field("policy", &self.policy);
        #[cfg(feature = "jwks")]
        debug
            .field("remote", &self.remote)
            .field("http", &self.http)
            .field("custom_client", &self.client.is_some());
        debug.finish()
    }
}

impl JwtVerifierBuilder {
    crate::verify::claims::claim_check_setters!("tokens");

    /// Adds a key.
    pub fn with_key(mut self, key: VerificationKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds keys.
    pub fn with_keys(mut self, keys: impl IntoIterator<Item = VerificationKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Whether `exp` is required (default `true`). It is checked whenever present.
    pub fn with_required_exp(mut self, required: bool) -> Self {
        self.checks.require_exp = required;
        self
    }

    /// Requires this `typ` header, e.g. `at+jwt` for OAuth access tokens (RFC 9068);
    /// compared case-insensitively, with or without `application/`.
    pub fn with_type(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// The key cache's lifetimes and refetch interval (fetched keys only).
    pub fn with_cache_policy(mut self, policy: CachePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Checks the configuration and builds the verifier. No key is fetched here: the first
    /// token fetches them, or [`Resolver::load_keys`](crate::Resolver::load_keys).
    ///
    /// # Errors
    /// [`ConfigError::InvalidIssuer`] for an empty issuer, [`ConfigError::NoKeySource`]
    /// without keys or URL, [`ConfigError::InsecureUrl`] for a key URL that is not `https`,
    /// [`ConfigError::InvalidCachePolicy`] for a cache policy whose `min_ttl` exceeds its
    /// `max_ttl`, [`ConfigError::InvalidScope`] for a required scope that is empty or holds a
    /// space, `"`, a backslash or a control character.
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        let checks = self.checks.checked()?;
        self.policy.check()?;
        #[cfg(feature = "jwks")]
        let mut discovery = None;
        #[cfg(feature = "jwks")]
        let fetched = self
            .remote
            .map(|remote| {
                let client = crate::verify::fetch::client_or_own(self.client, self.http)?;
                if matches!(remote, crate::verify::located::Location::Discovered) {
                    discovery = Some(Arc::new(crate::verify::discovery::Discovery::new(
                        &checks.issuer,
                        client.clone(),
                        self.http,
                    )?));
                }
                let source = crate::verify::remote_keys::HttpKeySource::new(
                    remote,
                    &checks.issuer,
                    self.http,
                    client,
                )?;
                let cache = KeyCache::new(Box::new(source), self.policy, &checks.issuer);
                Ok::<_, ConfigError>(Arc::new(cache))
            })
            .transpose()?;
        #[cfg(not(feature = "jwks"))]
        let fetched: Option<Arc<KeyCache>> = None;
        if self.keys.is_empty() && fetched.is_none() {
            return Err(ConfigError::NoKeySource);
        }
        Ok(JwtVerifier(Arc::new(Inner {
            checks,
            typ: self.typ,
            keys: self.keys,
            fetched,
            #[cfg(feature = "jwks")]
            discovery,
        })))
    }
}

#[cfg(feature = "jwks")]
impl JwtVerifierBuilder {
    /// Fetches the issuer's keys from this JWKS URL (`https`), and caches them.
    pub fn with_jwks_url(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(crate::verify::located::Location::Given(url.into()));
        self
    }

    /// Finds the JWKS URL by OpenID Connect discovery: `{issuer}/.well-known/openid-configuration`,
    /// whose `issuer` must be exactly this verifier's.
    pub fn with_oidc_discovery(mut self) -> Self {
        self.remote = Some(crate::verify::located::Location::Discovered);
        self
    }

    /// Allows `http` key URLs on loopback addresses (`127.0.0.0/8`, `::1`, `localhost`), for
    /// local development and tests. Anything else must be `https`.
    pub fn allow_http_loopback(mut self) -> Self {
        self.http.allow_http_loopback = true;
        self
    }

    /// Fetch timeouts: connecting (default 2 s) and the whole request (default 5 s).
    pub fn with_fetch_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.http.connect_timeout = connect;
        self.http.timeout = total;
        self
    }

    /// Fetches with this HTTP client (private CAs, proxies, your own TLS settings) instead of
    /// the crate's own. The crate's limits still apply on top of it: `https` only (unless
    /// [`allow_http_loopback`](Self::allow_http_loopback)), the document size, the total
    /// timeout of each request ([`with_fetch_timeouts`](Self::with_fetch_timeouts)'s second
    /// value), and no redirect that leaves the URL's origin (a response from elsewhere is
    /// refused). The connect timeout and the redirect policy are the client's own: build it
    /// with `redirect::Policy::none()` to refuse redirects outright.
    ///
    /// ```
    /// use axum_userinfo::verify::JwtVerifier;
    /// let client = reqwest::Client::builder()
    ///     .user_agent("my-service/1.0")
    ///     // .add_root_certificate(private_ca)
    ///     .build()?;
    /// let verifier = JwtVerifier::builder("https://sso.internal.example")
    ///     .with_oidc_discovery()
    ///     .with_http_client(client)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The largest JWKS or discovery document accepted (default 1 MiB).
    pub fn with_max_document_size(mut self, bytes: usize) -> Self {
        self.http.max_body = bytes;
        self
    }
}

#[cfg(test)]
impl JwtVerifier {
    /// This verifier's checks, with no static keys and its keys fetched into `cache`: for
    /// tests that change an issuer's key set at will.
    pub(crate) fn fetching_into(&self, cache: Arc<KeyCache>) -> Self {
        Self(Arc::new(Inner {
            checks: self.0.checks.clone(),
            typ: self.0.typ.clone(),
            keys: Vec::new(),
            fetched: Some(cache),
            #[cfg(feature = "jwks")]
            discovery: None,
        }))
    }
}
