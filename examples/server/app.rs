//! The demo server's router, shared with the integration tests (`tests/server.rs` includes this
//! file), so what is tested is what runs.

use axum::extract::Request;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use axum_userinfo::forward_auth::ForwardAuthHeaders;
use axum_userinfo::mcp::McpPolicy;
use axum_userinfo::verify::{CachePolicy, redacted_url};
use axum_userinfo::{
    AcceptedKinds, ConfigError, Guard, Resolver, SocketIdentity, UserInfo, UserInfoLayer,
    UserInfoRejection, WebSocketAuth, authorize::ProtectedResource,
    layer::resource_metadata_routes, verify::JwtVerifier,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::{Value, json};

/// How often the keys are fetched again without requests.
const KEY_REFRESH: std::time::Duration = std::time::Duration::from_secs(300);

/// The demo server's options (see `--help`). Their `Debug`, in the start-up line, shows URLs
/// without userinfo or query, where credentials hide.
#[derive(Clone, Default)]
pub(crate) struct Options {
    /// Refuse anonymous requests to `/whoami` with 401.
    pub(crate) require: bool,
    /// Accept only these credential kinds.
    pub(crate) accept: Option<AcceptedKinds>,
    /// Take identities only from this trusted proxy header.
    pub(crate) identity_header: Option<String>,
    /// Accept the identity header only from peers in these CIDR ranges.
    pub(crate) trusted_proxies: Vec<String>,
    /// Accept cookie-authenticated WebSocket upgrades only from these origins.
    pub(crate) allowed_origins: Vec<String>,
    /// How long an anonymous socket has to authenticate (`None`: the default, 10 s; zero: no limit).
    pub(crate) auth_timeout: Option<std::time::Duration>,
    /// Verify JWTs of these issuers, keys found by OIDC discovery.
    pub(crate) oidc_issuers: Vec<String>,
    /// Verify JWTs of these issuers (`ISSUER=JWKS_URL`), keys from the JWKS URL.
    pub(crate) jwks: Vec<(String, String)>,
    /// Require this audience in verified tokens (otherwise any audience is accepted).
    pub(crate) audience: Option<String>,
    /// Require these scopes in verified tokens, of every issuer.
    pub(crate) required_scopes: Vec<String>,
    /// Allow `http` key URLs on loopback (local identity providers).
    pub(crate) allow_http_loopback: bool,
    /// The least time between two request-triggered fetches of an issuer's keys (default 30 s).
    pub(crate) key_refetch_interval: Option<std::time::Duration>,
    /// JWT claims set as `/whoami` response headers (`CLAIM`, `HEADER`).
    pub(crate) claim_headers: Vec<(String, String)>,
    /// This service's RFC 9728 resource identifier.
    pub(crate) resource: Option<String>,
    /// The resource's `resource_name`.
    pub(crate) resource_name: Option<String>,
    /// Introspect opaque tokens (RFC 7662) at this authorization server.
    pub(crate) introspection: Option<Introspection>,
    /// Accept only the API keys of this list (a file of keys or digests, with labels).
    pub(crate) api_keys: Option<std::path::PathBuf>,
    /// Accept DPoP-bound tokens.
    pub(crate) dpop: bool,
    /// The DPoP replay store's Redis URL (else memory).
    pub(crate) dpop_replay: Option<String>,
    /// The URL clients address the service by.
    pub(crate) public_url: Option<String>,
    /// DPoP server nonces: the HMAC secret (from a file or the environment) and their lifetime.
    pub(crate) dpop_nonces: Option<(secrecy::SecretString, std::time::Duration)>,
    /// Clock leeway for `exp` / `nbf` of verified and introspected tokens (default 60 s).
    pub(crate) leeway: Option<std::time::Duration>,
    /// The JWT `typ` verified tokens must have (`at+jwt`, RFC 9068).
    pub(crate) token_type: Option<String>,
    /// Certificate-bound tokens (RFC 8705): the trusted proxy's client certificate header and
    /// its format.
    pub(crate) client_cert_header: Option<(String, axum_userinfo::mtls::CertificateFormat)>,
    /// Where verified tokens' scopes, roles and groups are (a preset and paths of its own).
    pub(crate) claim_mapping: Option<axum_userinfo::identity::ClaimMapping>,
    /// Also take the access token from this cookie.
    pub(crate) token_cookie: Option<String>,
    /// Also take the access token from this header.
    pub(crate) token_header: Option<String>,
    /// MCP operations' scopes (`--mcp-scope`): /whoami judges the original request's
    /// `Mcp-Method` / `Mcp-Name`.
    pub(crate) mcp_rules: Vec<axum_userinfo::mcp::McpScopeRule>,
    /// Scope implications (`--scope-implies`).
    pub(crate) scope_implies: Vec<(String, Vec<String>)>,
    /// The scope hierarchy's separator rule (`--scope-separator`).
    pub(crate) scope_separator: Option<char>,
    /// Origins answered with CORS (`--cors-allow-origin`; `*` for any).
    pub(crate) cors_allow_origins: Vec<String>,
}

/// `--introspection-*`: the authorization server whose opaque tokens are introspected.
#[derive(Clone)]
pub(crate) struct Introspection {
    /// The issuer: its answers' `iss`, and the scope of its users' ids.
    pub(crate) issuer: String,
    /// The endpoint; OIDC discovery of the issuer without it.
    pub(crate) url: Option<String>,
    pub(crate) client_id: String,
    /// From `USERINFO_INTROSPECTION_CLIENT_SECRET` or a file, never a flag's value.
    pub(crate) client_secret: secrecy::SecretString,
    /// How the client authenticates (`client_secret_basic` by default, or `_post`).
    pub(crate) client_auth: axum_userinfo::introspect::ClientAuth,
    /// The longest an active answer is cached (default 5 min).
    pub(crate) cache_ttl: Option<std::time::Duration>,
    /// How long an inactive answer is cached (default 10 s).
    pub(crate) inactive_ttl: Option<std::time::Duration>,
}

impl Introspection {
    /// The authorization server `issuer`, its endpoint (`None`: by discovery), and this
    /// service's client id and secret; every other setting its default.
    pub(crate) fn new(
        issuer: &str,
        url: Option<String>,
        client_id: &str,
        client_secret: secrecy::SecretString,
    ) -> Self {
        Self {
            issuer: issuer.to_owned(),
            url,
            client_id: client_id.to_owned(),
            client_secret,
            client_auth: axum_userinfo::introspect::ClientAuth::default(),
            cache_ttl: None,
            inactive_ttl: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let jwks: Vec<(String, String)> = (self.jwks.iter())
            .map(|(issuer, url)| (redacted_url(issuer), redacted_url(url)))
            .collect();
        let oidc: Vec<String> = self
            .oidc_issuers
            .iter()
            .map(|url| redacted_url(url))
            .collect();
        f.debug_struct("Options")
            .field("require", &self.require)
            .field("accept", &self.accept)
            .field("identity_header", &self.identity_header)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("allowed_origins", &self.allowed_origins)
            .field("auth_timeout", &self.auth_timeout)
            .field("oidc_issuers", &oidc)
            .field("jwks", &jwks)
            .field("audience", &self.audience)
            .field("required_scopes", &self.required_scopes)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .field("key_refetch_interval", &self.key_refetch_interval)
            .field("claim_headers", &self.claim_headers)
            .field(
                "introspection",
                &self.introspection.as_ref().map(|introspection| {
                    let url = introspection.url.as_deref().map(redacted_url);
                    (
                        redacted_url(&introspection.issuer),
                        url,
                        &introspection.client_id,
                        introspection.client_auth,
                        introspection.cache_ttl,
                        introspection.inactive_ttl,
                    )
                }),
            )
            .field("api_keys", &self.api_keys)
            .field("dpop", &self.dpop)
            .field(
                "dpop_replay",
                &self.dpop_replay.as_deref().map(redacted_url),
            )
            .field("public_url", &self.public_url)
            .field(
                "dpop_nonces",
                &self.dpop_nonces.as_ref().map(|(_, lifetime)| lifetime),
            )
            .field("leeway", &self.leeway)
            .field("token_type", &self.token_type)
            .field("client_cert_header", &self.client_cert_header)
            .field("claim_mapping", &self.claim_mapping)
            .field("token_cookie", &self.token_cookie)
            .field("token_header", &self.token_header)
            .field("mcp_rules", &self.mcp_rules)
            .field("scope_implies", &self.scope_implies)
            .field("scope_separator", &self.scope_separator)
            .field("cors_allow_origins", &self.cors_allow_origins)
            .finish()
    }
}

/// The demo's log filter: `RUST_LOG` (default `info`), except that WebSocket frame logging
/// (tungstenite's `trace`, which prints auth messages verbatim: API keys, passwords, JWTs)
/// stays at `debug` unless a directive of `RUST_LOG` has that target itself: `tungstenite`
/// (or `tungstenite::…`, which is more specific than the cap and so wins anyway) for
/// tungstenite, `tokio_tungstenite` for tokio-tungstenite. A directive that only mentions the
/// name (`my_tungstenite_wrapper=trace`, `tokio_tungstenite=off`) lifts nothing else.
pub(crate) fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    let spec = rust_log
        .filter(|spec| !spec.trim().is_empty())
        .unwrap_or("info");
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    // The target of each directive: what precedes its span filter and its `=level`.
    let targets: Vec<&str> = spec
        .split(',')
        .map(|directive| {
            let target = directive.split(['=', '[']).next().unwrap_or_default();
            target.trim()
        })
        .collect();
    for capped in ["tungstenite", "tokio_tungstenite"] {
        if targets.contains(&capped) {
            continue; // the operator set this target's level by name
        }
        if let Ok(directive) = format!("{capped}=debug").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// The resolver, with the credential kinds the demo accepts: `--accept` when given. Without
/// it, **only** what is verified, by the library's one rule (`accept_only_verified`: JWTs with
/// a verifier, opaque tokens with introspection, API keys with `--api-keys`): an unchecked API
/// key, Basic credentials, a session cookie or a JWT nothing verifies would each give a user,
/// and a gateway that asks this server must not let them through. When nothing verifies (the
/// library says so), every kind, as the reference.
fn build(
    builder: axum_userinfo::ResolverBuilder,
    options: &Options,
) -> Result<Resolver, ConfigError> {
    if let Some(kinds) = options.accept {
        return builder.with_accepted_kinds(kinds).build();
    }
    match builder.clone().accept_only_verified().build() {
        Err(ConfigError::NothingVerifies) => builder.build(),
        verified => {
            tracing::info!(
                "credentials are verified: only verified credential kinds are accepted (JWTs \
                 if a verifier, opaque tokens if introspection, API keys if --api-keys; never \
                 Basic credentials or session cookies); --accept jwt,api_key,… accepts more kinds"
            );
            verified
        }
    }
}

/// `--introspection-*`: the introspection client, with `--audience`, `--required-scope` and
/// `--allow-http-loopback` as for the verifiers.
fn introspection(
    options: &Options,
) -> Result<Option<axum_userinfo::introspect::IntrospectionClient>, ConfigError> {
    let Some(introspection) = &options.introspection else {
        return Ok(None);
    };
    let mut client = axum_userinfo::introspect::IntrospectionClient::builder(&introspection.issuer)
        .with_client_credentials(
            &introspection.client_id,
            introspection.client_secret.clone(),
        );
    client = match &introspection.url {
        Some(url) => client.with_endpoint(url),
        None => client.with_oidc_discovery(),
    };
    client = match &options.audience {
        Some(audience) => client.with_audience(audience),
        None => client.allow_any_audience(),
    };
    for scope in &options.required_scopes {
        client = client.with_required_scope(scope);
    }
    if options.allow_http_loopback {
        client = client.allow_http_loopback();
    }
    client = client.with_client_auth(introspection.client_auth);
    if let Some(mapping) = &options.claim_mapping {
        client = client.with_claim_mapping(mapping.clone());
    }
    if let Some(leeway) = options.leeway {
        client = client.with_leeway(leeway);
    }
    if let Some(ttl) = introspection.cache_ttl {
        client = client.with_max_cache_ttl(ttl);
    }
    if let Some(ttl) = introspection.inactive_ttl {
        client = client.with_inactive_cache_ttl(ttl);
    }
    client.build().map(Some)
}

/// The JWT verifiers the options ask for.
fn verifiers(options: &Options) -> Result<Vec<JwtVerifier>, ConfigError> {
    let oidc = options
        .oidc_issuers
        .iter()
        .map(|issuer| JwtVerifier::builder(issuer).with_oidc_discovery());
    let jwks = options
        .jwks
        .iter()
        .map(|(issuer, url)| JwtVerifier::builder(issuer).with_jwks_url(url));
    oidc.chain(jwks)
        .map(|mut verifier| {
            verifier = match &options.audience {
                Some(audience) => verifier.with_audience(audience),
                None => verifier.allow_any_audience(),
            };
            if options.allow_http_loopback {
                verifier = verifier.allow_http_loopback();
            }
            for scope in &options.required_scopes {
                verifier = verifier.with_required_scope(scope);
            }
            if let Some(leeway) = options.leeway {
                verifier = verifier.with_leeway(leeway);
            }
            if let Some(typ) = &options.token_type {
                verifier = verifier.with_type(typ);
            }
            if let Some(mapping) = &options.claim_mapping {
                verifier = verifier.with_claim_mapping(mapping.clone());
            }
            if let Some(interval) = options.key_refetch_interval {
                verifier = verifier.with_cache_policy(CachePolicy {
                    refetch_interval: interval,
                    ..CachePolicy::default()
                });
            }
            verifier.build()
        })
        .collect()
}

/// The router: `/whoami`, `/ping`, `/websocket` and `/healthz`.
pub(crate) fn app(options: &Options) -> Result<Router, ConfigError> {
    prometheus(); // before the first count
    let mut builder = Resolver::builder();
    if let Some(header) = &options.identity_header {
        builder = builder.with_identity_header(header.as_str());
    }
    if !options.trusted_proxies.is_empty() {
        builder = builder.with_trusted_proxies(options.trusted_proxies.iter().cloned());
    }
    if let Some((header, format)) = &options.client_cert_header {
        use axum_userinfo::mtls::ClientCertificates;
        builder =
            builder.with_client_certificates(ClientCertificates::from_header(header, *format)?);
    }
    if let Some(name) = &options.token_cookie {
        builder = builder.with_token_cookie(name.as_str());
    }
    if let Some(name) = &options.token_header {
        builder = builder.with_token_header(name.as_str());
    }
    if let Some(timeout) = options.auth_timeout {
        builder = builder.with_websocket_auth_timeout(Some(timeout).filter(|t| !t.is_zero()));
    }
    if !options.allowed_origins.is_empty() {
        builder = builder.with_allowed_origins(options.allowed_origins.iter().cloned());
    }
    for verifier in verifiers(options)? {
        builder = builder.with_verifier(verifier);
    }
    if let Some(client) = introspection(options)? {
        builder = builder.with_introspection(client);
    }
    if options.dpop {
        use axum_userinfo::dpop::{DpopChecker, MemoryReplayStore, RedisReplayStore};
        let mut checker = match &options.dpop_replay {
            Some(url) => {
                // Connect and mark the Redis instance's birth at start-up, not at the first
                // proof (a new instance refuses proofs made before its mark); the checker
                // shares the store, and so its connection.
                let store = std::sync::Arc::new(RedisReplayStore::new(url)?);
                let warm = std::sync::Arc::clone(&store);
                tokio::spawn(async move {
                    if warm.connect().await.is_err() {
                        tracing::warn!(
                            "the DPoP replay store (Redis) does not answer yet: DPoP proofs are \
                             refused with 503 until it does"
                        );
                    }
                });
                DpopChecker::new(store)
            }
            None => DpopChecker::new(MemoryReplayStore::new()),
        };
        if let Some((secret, lifetime)) = &options.dpop_nonces {
            use secrecy::ExposeSecret as _;
            checker = checker.with_nonces(secret.expose_secret().as_bytes(), *lifetime)?;
        }
        builder = builder.with_dpop(checker);
        if let Some(url) = &options.public_url {
            builder = builder.with_public_url(url);
        }
    }
    if let Some(path) = &options.api_keys {
        let keys = axum_userinfo::api_keys::ApiKeyList::load(path)?;
        tracing::info!(keys = keys.len(), path = %path.display(), "API keys loaded");
        #[cfg(unix)]
        reload_on_sighup(keys.clone(), path.clone());
        builder = builder.with_api_keys(keys);
    }
    let resource = protected_resource(options)?;
    if let Some(resource) = resource.clone() {
        builder = builder.with_protected_resource(resource);
    }
    if !options.scope_implies.is_empty() || options.scope_separator.is_some() {
        let mut hierarchy = axum_userinfo::authorize::ScopeHierarchy::new();
        for (broad, narrow) in &options.scope_implies {
            hierarchy = hierarchy.with_implied(broad.as_str(), narrow.iter().cloned())?;
        }
        if let Some(separator) = options.scope_separator {
            hierarchy = hierarchy.with_separator(separator)?;
        }
        builder = builder.with_scope_hierarchy(hierarchy);
    }
    let mcp = McpGate((!options.mcp_rules.is_empty()).then(|| {
        let rules = options.mcp_rules.iter().cloned();
        std::sync::Arc::new(rules.fold(McpPolicy::new(), McpPolicy::with_scope_rule))
    }));
    let resolver = build(builder, options)?;
    tracing::info!(kinds = ?resolver.accepted_kinds(), "accepted credential kinds");
    let mut forward = ForwardAuthHeaders::new();
    for (claim, header) in &options.claim_headers {
        forward = forward.with_claim(claim, header)?;
    }
    if resolver.verifies_jwts() {
        // Keys from start-up on, without holding the listener back; then every five minutes,
        // so that an idle server's keys do not age out.
        let resolver = resolver.clone();
        tokio::spawn(async move { resolver.keep_keys_fresh(KEY_REFRESH).await });
    }

    // With MCP rules, /whoami's policy refuses anonymous requests itself, naming the
    // operation's scopes in its 401.
    let identity = UserInfoLayer::new(resolver.clone())
        .with_required(options.require && mcp.0.is_none())
        .with_rejection(|rejection| {
            let reason = Refused(rejection.to_string());
            let anonymous = rejection.is_missing_credentials();
            let mut response = rejection.into_response();
            if anonymous {
                // Keep the default rejection's status and challenges, with the demo's own body.
                *response.body_mut() = json!({"outcome": "anonymous"}).to_string().into();
            }
            response.extensions_mut().insert(reason);
            response
        });

    let metadata = resource
        .as_ref()
        .map(resource_metadata_routes)
        .unwrap_or_default();
    let router = Router::new()
        // Every method alike: gateways forward the original one (Envoy's ext_authz, Traefik).
        .route("/whoami", any(whoami))
        // Envoy's ext_authz appends the original path to its `path_prefix` (`/whoami/` for a
        // request to `/`).
        .route("/whoami/", any(whoami))
        .route("/whoami/{*path}", any(whoami))
        // The cheapest route behind the layer: `benches/load.sh` compares it with `/healthz`.
        .route("/ping", get(|| async { "pong" }))
        .route_layer(identity)
        // The socket resolves its own upgrade, so a browser sees the reference's error reply
        // and close 1008 instead of an unreadable HTTP 401.
        .route("/websocket", get(websocket))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(metadata)
        .layer(Extension(resolver))
        .layer(Extension(forward))
        .layer(Extension(mcp))
        .layer(middleware::from_fn(log_request));
    // Outermost: a browser's preflight is answered before any credential is asked for.
    Ok(match cors(&options.cors_allow_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    })
}

/// `--cors-allow-origin`: browsers of these origins (`*`: any) may call the routes and read
/// `WWW-Authenticate` (an MCP client in a browser follows the challenge to the metadata); none
/// without the flag.
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::from(Any)
    } else {
        // Checked by the command line (a header value each); one that is not would be left
        // out, never widened.
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::try_from(origin.as_str()).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("dpop"),
                HeaderName::from_static("mcp-method"),
                HeaderName::from_static("mcp-name"),
                HeaderName::from_static("mcp-protocol-version"),
                HeaderName::from_static("mcp-session-id"),
            ])
            .expose_headers([
                header::WWW_AUTHENTICATE,
                HeaderName::from_static("mcp-session-id"),
            ]),
    )
}

/// The MCP policy of `--mcp-scope`, when given.
#[derive(Debug, Clone)]
struct McpGate(Option<std::sync::Arc<McpPolicy>>);

/// Reads the API key list again on every `SIGHUP`; a file that cannot be read or parsed keeps
/// the keys loaded before (logged), never an empty list and never an exit.
#[cfg(unix)]
fn reload_on_sighup(keys: axum_userinfo::api_keys::ApiKeyList, path: std::path::PathBuf) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP: --api-keys is not reloaded");
            return;
        }
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match keys.reload(&path) {
                Ok(()) => {
                    tracing::info!(keys = keys.len(), path = %path.display(), "API keys reloaded");
                }
                Err(error) => tracing::error!(
                    %error,
                    path = %path.display(),
                    "API keys not reloaded: the keys loaded before stay"
                ),
            }
        }
    });
}

/// `--resource`: the service as an RFC 9728 protected resource, its authorization servers every
/// configured issuer (verified or introspected; the resolver refuses a resource with none) and
/// its scopes the required ones. Warns when no audience is required:
/// a token issued for another service would pass (RFC 8707).
fn protected_resource(options: &Options) -> Result<Option<ProtectedResource>, ConfigError> {
    let Some(url) = &options.resource else {
        return Ok(None);
    };
    // Every issuer the demo trusts: an MCP client must find where to get a token, whether
    // tokens are verified (--oidc, --jwks) or introspected (--introspection-issuer).
    if options.audience.is_none() {
        tracing::info!(
            resource = %url,
            "--resource without --audience: tokens must name the resource as their audience \
             (RFC 8707; scheme and host in any case, a trailing slash or none)"
        );
    }
    let issuers = (options.oidc_issuers.iter())
        .chain(options.jwks.iter().map(|(issuer, _)| issuer))
        .chain(options.introspection.iter().map(|i| &i.issuer));
    // Without --audience, the resolver requires the resource as every token's audience.
    let mut resource = ProtectedResource::new(url.as_str(), issuers.cloned())?
        .with_scopes_supported(options.required_scopes.iter().cloned())?;
    if let Some(name) = &options.resource_name {
        resource = resource.with_resource_name(name.as_str());
    }
    Ok(Some(resource))
}

/// The user as the demo shows it: never a password, key, cookie value or token.
fn describe(user: &UserInfo) -> Value {
    let mut value = serde_json::to_value(user).unwrap_or_default();
    if let Value::Object(map) = &mut value {
        map.insert("outcome".into(), "user".into());
        // What guards (and `/whoami?role=…`) read: mapped by --claims-preset / --role-claim …
        map.insert(
            "granted".into(),
            json!({
                "scopes": user.granted_scopes(),
                "roles": user.granted_roles(),
                "groups": user.granted_groups(),
            }),
        );
    }
    value
}

/// Who the request resolved to, for the request log.
#[derive(Debug, Clone)]
struct LogUser(Option<UserInfo>);

/// Why a request was refused, for the request log (error messages never hold a credential).
#[derive(Debug, Clone)]
struct Refused(String);

/// The route's requirements from `/whoami`'s query, so that one auth endpoint serves every
/// route of a gateway: `scope=` (repeatable, all required), `role=` and `group=` (repeatable,
/// any one). `None` when the query asks for nothing; an unknown parameter, or an empty or
/// malformed value, is refused (400): a typo must not silently drop a requirement.
fn requirements(query: &[(String, String)]) -> Result<Option<Guard>, String> {
    let (mut scopes, mut roles, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for (name, value) in query {
        let list = match name.as_str() {
            "scope" => &mut scopes,
            "role" => &mut roles,
            "group" => &mut groups,
            other => {
                return Err(format!(
                    "unknown query parameter '{other}' (scope, role, group)"
                ));
            }
        };
        if value.is_empty() {
            return Err(format!("empty '{name}' in the query"));
        }
        list.push(value.as_str());
    }
    if scopes.is_empty() && roles.is_empty() && groups.is_empty() {
        return Ok(None);
    }
    let mut guard = Guard::new("whoami");
    let invalid = |error: ConfigError| error.to_string();
    if !scopes.is_empty() {
        guard = guard.require_scopes(scopes).map_err(invalid)?;
    }
    if !roles.is_empty() {
        guard = guard.any_role(roles).map_err(invalid)?;
    }
    if !groups.is_empty() {
        guard = guard.any_group(groups).map_err(invalid)?;
    }
    Ok(Some(guard))
}

/// Under `/whoami/…` (Envoy's `path_prefix` form) the query is the original request's, so no
/// requirement is read from it. An nginx or Traefik operator who writes `/whoami/?scope=x` (a
/// trailing slash) would lose every requirement without a word: the first such request logs a
/// warning.
fn warn_of_requirements_under_prefix(uri: &Uri) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let names_requirement = uri.query().is_some_and(|query| {
        (query.split('&')).any(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            matches!(name, "scope" | "role" | "group")
        })
    });
    if names_requirement && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            "a request to /whoami/… carries scope=, role= or group= in its query: requirements \
             are read on /whoami itself only (under /whoami/… the query is the original \
             request's, Envoy's path_prefix form); point an nginx or Traefik auth request at \
             /whoami?…, without a trailing slash"
        );
    }
}

/// A query's `name=value` pairs, decoded as forms are (`+` is a space), strictly: a
/// percent-encoding that does not decode to UTF-8 (`%FF`, `%C3%28`) is refused, never replaced
/// with U+FFFD, which could make two requirements one.
fn query_pairs(query: &str) -> Result<Vec<(String, String)>, String> {
    let decode = |text: &str| -> Result<String, String> {
        let spaced = text.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| "the query is not UTF-8 once percent-decoded".to_owned())
    };
    (query.split('&'))
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

async fn whoami(
    user: Option<UserInfo>,
    Extension(forward): Extension<ForwardAuthHeaders>,
    Extension(resolver): Extension<Resolver>,
    Extension(mcp): Extension<McpGate>,
    headers: axum::http::HeaderMap,
    uri: Uri,
) -> Response {
    // Requirements come only with `/whoami` itself: under `/whoami/…` (Envoy's `path_prefix`)
    // the path and the query are the original request's, not the gateway's.
    let query = if uri.path() == "/whoami" {
        match query_pairs(uri.query().unwrap_or_default()) {
            Ok(query) => query,
            Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
        }
    } else {
        warn_of_requirements_under_prefix(&uri);
        Vec::new()
    };
    let guard = match requirements(&query) {
        Ok(guard) => guard,
        Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
    };
    // The original request's MCP operation (the gateway forwards its headers; never its
    // body: the MCP server behind it checks the headers against the body).
    if let Some(policy) = &mcp.0 {
        if let Err(refusal) = policy.authorize_headers(&headers, user.as_ref()) {
            let rejection = match UserInfoRejection::from_mcp(refusal) {
                Ok(rejection) => rejection,
                Err(error) => {
                    let mut response = axum_userinfo::layer::mcp_header_refusal(&error);
                    response.extensions_mut().insert(Refused(error.to_string()));
                    return response;
                }
            };
            let rejection = rejection.with_resolver(&resolver);
            let reason = Refused(rejection.to_string());
            let mut response = rejection.into_response();
            response.extensions_mut().insert(reason);
            return response;
        }
    }
    if let Some(guard) = guard {
        if let Err(refused) = guard.authorize(user.as_ref()) {
            let rejection = UserInfoRejection::from(refused).with_resolver(&resolver);
            let reason = Refused(rejection.to_string());
            let mut response = rejection.into_response();
            response.extensions_mut().insert(reason);
            return response;
        }
    }
    let Some(user) = user else {
        return (
            Extension(LogUser(None)),
            Json(json!({"outcome": "anonymous"})),
        )
            .into_response();
    };
    let mut response = Json(describe(&user)).into_response();
    forward.insert_into(&user, response.headers_mut());
    response.extensions_mut().insert(LogUser(Some(user)));
    response
}

/// The process's Prometheus recorder, installed by the first app built (tests build several).
fn prometheus() -> Option<&'static PrometheusHandle> {
    static PROMETHEUS: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    let handle = PROMETHEUS.get_or_init(|| PrometheusBuilder::new().install_recorder().ok());
    handle.as_ref()
}

/// The crate's counters, in Prometheus text.
async fn metrics() -> String {
    prometheus()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Readiness: 200 once every configured issuer has keys, else 503 naming (redacted) the
/// issuers still waiting.
async fn readyz(Extension(resolver): Extension<Resolver>) -> Response {
    let waiting: Vec<String> = (resolver.issuers_awaiting_keys().into_iter())
        .map(redacted_url)
        .collect();
    if waiting.is_empty() {
        Json(json!({"ready": true})).into_response()
    } else {
        let body = json!({"ready": false, "waiting_for_keys": waiting});
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    }
}

async fn websocket(ws: WebSocketUpgrade, auth: WebSocketAuth) -> Response {
    let user = auth.resolution().ok().flatten().cloned();
    // No frame needs to be larger than an auth message here: tungstenite closes with 1009 past it.
    let ws = ws
        .max_message_size(axum_userinfo::limits::DEFAULT_MAX_AUTH_FRAME_LEN)
        .max_frame_size(axum_userinfo::limits::DEFAULT_MAX_AUTH_FRAME_LEN);
    let mut response = ws.on_upgrade(|mut socket| async move {
        if let Some(identity) = auth.accept(&mut socket).await {
            serve_socket(socket, identity).await;
        }
    });
    response.extensions_mut().insert(LogUser(user));
    response
}

/// Auth messages are answered inside `recv`; every other text frame gets the socket's identity.
async fn serve_socket(mut socket: WebSocket, mut identity: SocketIdentity) {
    while let Some(message) = identity.recv(&mut socket).await {
        match message {
            Message::Text(_) => {
                let user = identity.user();
                let frame = json!({
                    "type": "identity",
                    "user_id": user.map(|u| u.user_id().to_string()),
                    "source": user.map(|u| u.source().as_str()),
                });
                if socket
                    .send(Message::Text(frame.to_string().into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
}

/// The longest path (or refusal) a request log line shows, in bytes: anyone can send a path of
/// 64 KiB, or a query whose requirements a refusal names one by one.
const LOGGED_PATH_MAX: usize = 256;

/// `path` (or any text from the request) as the request log shows it: cut at
/// [`LOGGED_PATH_MAX`] bytes (on a character boundary), with `…` where it was cut.
pub(crate) fn logged_path(path: &str) -> String {
    if path.len() <= LOGGED_PATH_MAX {
        return path.to_owned();
    }
    let mut end = LOGGED_PATH_MAX;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    let mut cut = path.get(..end).unwrap_or_default().to_owned();
    cut.push('…');
    cut
}

/// One log line per request: method, path, status, and who it was (never a credential).
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = logged_path(request.uri().path());
    let response = next.run(request).await;
    let user = response
        .extensions()
        .get::<LogUser>()
        .and_then(|u| u.0.as_ref());
    // A refusal names the requirements it checked, and the query sets them: cut as the path.
    let refused = response
        .extensions()
        .get::<Refused>()
        .map_or_else(String::new, |r| logged_path(&r.0));
    let status = response.status();
    let user_id = user.map_or_else(|| "-".to_owned(), |u| u.user_id().to_string());
    let source = user.map_or("-", |u| u.source().as_str());
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(%method, path, status = status.as_u16(), user_id, source, refused, "request");
    } else {
        tracing::info!(%method, path, status = status.as_u16(), user_id, source, refused, "request");
    }
    response
}
