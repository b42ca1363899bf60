//! The demo server: who is calling, over HTTP and WebSocket, and a forward-auth endpoint.
//!
//! ```text
//! cargo run --example server -- --help
//! ```
//!
//! - `/whoami` (every method; `/whoami/` and `/whoami/…` too): the caller as JSON, with
//!   `X-User-Id`, `X-User-Source` and the `--claim-header` headers, so the server can be the
//!   auth endpoint of nginx `auth_request`, Traefik ForwardAuth or Envoy `ext_authz`. Anonymous: 200
//!   `{"outcome":"anonymous"}`, or 401 with `--require`.
//! - `GET /websocket`: answers `auth_message` frames, and any other text frame with the
//!   socket's current identity.
//! - `GET /ping`: `pong`, behind the identity layer (a forward-auth check without a body).
//! - `GET /healthz`: liveness, 200, with no identity involved.
//! - `GET /readyz`: readiness, 200 once every configured issuer has keys, else 503 naming the
//!   issuers still waiting. Keys are fetched from start-up on, without holding the listener.
//!
//! Every flag has an environment fallback, `USERINFO_` and the flag's name (`--oidc` is
//! `USERINFO_OIDC`; repeatable flags take a comma list). With `--oidc` or `--jwks`, JWTs are
//! verified (issuer-scoped ids; unknown issuers refused); when anything verifies (those,
//! `--introspection-issuer`, `--api-keys`), only verified kinds are accepted unless
//! `--accept` names the kinds. Logs go through `tracing`, filtered
//! by `RUST_LOG` (default `info`); WebSocket frames, which carry auth messages, are never
//! logged (tungstenite stays at `debug` unless `RUST_LOG` names it).

mod app;

use axum_userinfo::identity::{ClaimMapping, ClaimPath};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use app::Options;
use axum_userinfo::AcceptedKinds;
use clap::Parser;

/// The axum-userinfo demo server: who is calling, and a forward-auth endpoint.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Listen address.
    #[arg(long, env = "USERINFO_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Refuse anonymous requests to /whoami with 401.
    #[arg(long, env = "USERINFO_REQUIRE")]
    require: bool,
    /// Accept only these credential kinds: a comma list of session_cookie, jwt, opaque_token,
    /// api_key, basic ('' accepts none). Default: all when nothing verifies; otherwise only
    /// what is verified (jwt with --oidc/--jwks, opaque_token with --introspection-issuer,
    /// api_key with --api-keys).
    #[arg(long, env = "USERINFO_ACCEPT", value_name = "KINDS")]
    accept: Option<AcceptedKinds>,
    /// Take identities only from this trusted proxy header.
    #[arg(long, env = "USERINFO_IDENTITY_HEADER", value_name = "NAME")]
    identity_header: Option<String>,
    /// Trusted proxies: peers in this CIDR range (repeatable) whose identity header counts, and
    /// whose X-Forwarded-Proto/-Host and X-Original-Method/-URI give a DPoP proof's request.
    #[arg(
        long,
        env = "USERINFO_TRUSTED_PROXY",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<String>,
    /// Accept cookie- or Basic-authenticated WebSockets only from this origin (repeatable).
    #[arg(
        long,
        env = "USERINFO_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    allow_origin: Vec<String>,
    /// Seconds an anonymous WebSocket has to authenticate (0: no limit).
    #[arg(long, env = "USERINFO_AUTH_TIMEOUT", value_name = "SECS", value_parser = seconds)]
    auth_timeout: Option<Duration>,
    /// Verify JWTs of this issuer, keys by OIDC discovery (repeatable).
    #[arg(
        long,
        env = "USERINFO_OIDC",
        value_name = "ISSUER_URL",
        value_delimiter = ','
    )]
    oidc: Vec<String>,
    /// Verify JWTs of this issuer, keys from this JWKS URL (repeatable).
    #[arg(long, env = "USERINFO_JWKS", value_name = "ISSUER=JWKS_URL", value_delimiter = ',', value_parser = pair)]
    jwks: Vec<(String, String)>,
    /// Require this audience in verified JWTs (default: any).
    #[arg(long, env = "USERINFO_AUDIENCE", value_name = "AUD")]
    audience: Option<String>,
    /// Require this scope in verified JWTs, of every issuer (repeatable: all are required).
    /// A valid token without it gets 403 insufficient_scope.
    #[arg(
        long,
        env = "USERINFO_REQUIRED_SCOPE",
        value_name = "SCOPE",
        value_delimiter = ','
    )]
    required_scope: Vec<String>,
    /// Allow http key URLs on loopback (local identity providers).
    #[arg(long, env = "USERINFO_ALLOW_HTTP_LOOPBACK")]
    allow_http_loopback: bool,
    /// Seconds between two key fetches of one issuer that requests may trigger (an unknown
    /// kid, no keys yet).
    #[arg(long, env = "USERINFO_KEY_REFETCH_INTERVAL", value_name = "SECS", value_parser = seconds)]
    key_refetch_interval: Option<Duration>,
    /// Set this JWT claim as this header on /whoami (repeatable), e.g. --claim-header
    /// email=X-User-Email. Strings as they are; lists of strings joined with ',', left out
    /// when an item is empty, holds ',' or has edge whitespace (the join would be ambiguous).
    #[arg(long, env = "USERINFO_CLAIM_HEADER", value_name = "CLAIM=HEADER", value_delimiter = ',', value_parser = pair)]
    claim_header: Vec<(String, String)>,
    /// This service's RFC 9728 resource identifier (an https URL; http on loopback): serves
    /// /.well-known/oauth-protected-resource and points every 401 challenge to it. Set
    /// --audience to the same URL, so that only tokens issued for this service pass.
    #[arg(long, env = "USERINFO_RESOURCE", value_name = "URL")]
    resource: Option<String>,
    /// The resource's name for people (`resource_name` in its metadata).
    #[arg(
        long,
        env = "USERINFO_RESOURCE_NAME",
        value_name = "NAME",
        requires = "resource"
    )]
    resource_name: Option<String>,
    /// Introspect opaque Bearer tokens (RFC 7662) at this authorization server: the issuer
    /// its answers name (and the scope of its users' ids). Its client secret comes from
    /// USERINFO_INTROSPECTION_CLIENT_SECRET or --introspection-client-secret-file.
    #[arg(
        long,
        env = "USERINFO_INTROSPECTION_ISSUER",
        value_name = "ISSUER",
        requires = "introspection_client_id"
    )]
    introspection_issuer: Option<String>,
    /// The introspection endpoint (default: the issuer's OIDC discovery).
    #[arg(
        long,
        env = "USERINFO_INTROSPECTION_URL",
        value_name = "URL",
        requires = "introspection_issuer"
    )]
    introspection_url: Option<String>,
    /// This service's client id at the authorization server.
    #[arg(
        long,
        env = "USERINFO_INTROSPECTION_CLIENT_ID",
        value_name = "ID",
        requires = "introspection_issuer"
    )]
    introspection_client_id: Option<String>,
    /// How the introspection client authenticates: client_secret_basic (default) or
    /// client_secret_post.
    #[arg(
        long,
        env = "USERINFO_INTROSPECTION_CLIENT_AUTH",
        value_name = "METHOD",
        value_parser = client_auth,
        requires = "introspection_issuer"
    )]
    introspection_client_auth: Option<axum_userinfo::introspect::ClientAuth>,
    /// Seconds an active introspection answer is cached at most (default 300; never past its
    /// exp): how long a revoked token may still pass. 0 turns the cache off.
    #[arg(long, env = "USERINFO_INTROSPECTION_CACHE_TTL", value_name = "SECS", value_parser = seconds, requires = "introspection_issuer")]
    introspection_cache_ttl: Option<Duration>,
    /// Seconds an inactive introspection answer is cached (default 10).
    #[arg(long, env = "USERINFO_INTROSPECTION_INACTIVE_TTL", value_name = "SECS", value_parser = seconds, requires = "introspection_issuer")]
    introspection_inactive_ttl: Option<Duration>,
    /// A file holding the client secret (its first line).
    #[arg(
        long,
        env = "USERINFO_INTROSPECTION_CLIENT_SECRET_FILE",
        value_name = "PATH",
        requires = "introspection_issuer"
    )]
    introspection_client_secret_file: Option<std::path::PathBuf>,
    /// Accept only the API keys of this file: one a line, `<key or sha256:digest> <label>
    /// [scope …]` (`cargo run --example resolve -- --api-key-line LABEL` prints a key's).
    /// Read again on SIGHUP; a file that does not parse keeps the keys loaded before.
    #[arg(long, env = "USERINFO_API_KEYS", value_name = "PATH")]
    api_keys: Option<std::path::PathBuf>,
    /// Accept DPoP-bound tokens (RFC 9449): `Authorization: DPoP` with a `DPoP` proof (needs
    /// --public-url, or --trusted-proxy to forward the scheme and host). Bound tokens are
    /// refused as Bearer tokens either way.
    #[arg(long, env = "USERINFO_DPOP")]
    dpop: bool,
    /// The DPoP replay store shared by replicas: a Redis URL (default: this process's memory).
    #[arg(
        long,
        env = "USERINFO_DPOP_REPLAY",
        value_name = "redis://…",
        requires = "dpop"
    )]
    dpop_replay: Option<String>,
    /// Require DPoP server nonces (RFC 9449 §8): the HMAC secret (32 bytes or more) is the
    /// first line of this file, or USERINFO_DPOP_NONCE_SECRET; replicas share nonces by
    /// sharing it. Never a flag's value.
    #[arg(
        long,
        env = "USERINFO_DPOP_NONCE_SECRET_FILE",
        value_name = "PATH",
        requires = "dpop"
    )]
    dpop_nonce_secret_file: Option<std::path::PathBuf>,
    /// Use DPoP nonces with the secret of USERINFO_DPOP_NONCE_SECRET (when no file is given).
    #[arg(long, env = "USERINFO_DPOP_NONCES", requires = "dpop")]
    dpop_nonces: bool,
    /// Seconds a DPoP nonce stays fresh (default 300).
    #[arg(long, env = "USERINFO_DPOP_NONCE_LIFETIME", value_name = "SECS", value_parser = seconds, requires = "dpop")]
    dpop_nonce_lifetime: Option<Duration>,
    /// Clock leeway in seconds for exp and nbf of verified and introspected tokens (default
    /// 60, at most 300).
    #[arg(long, env = "USERINFO_LEEWAY", value_name = "SECS", value_parser = seconds)]
    leeway: Option<Duration>,
    /// Require this JWT typ header of verified tokens, e.g. at+jwt (RFC 9068 access tokens).
    #[arg(long, env = "USERINFO_TOKEN_TYPE", value_name = "TYP")]
    token_type: Option<String>,
    /// The URL clients address this service by (a DPoP proof's htu), e.g. https://api.example.com.
    #[arg(
        long,
        env = "USERINFO_PUBLIC_URL",
        value_name = "URL",
        requires = "dpop"
    )]
    public_url: Option<String>,
    /// Accept certificate-bound tokens (RFC 8705, cnf x5t#S256) with the client certificate a
    /// TLS-terminating proxy forwards in this header (read from --trusted-proxy peers only),
    /// e.g. X-SSL-Client-Cert for nginx's $ssl_client_escaped_cert.
    #[arg(
        long,
        env = "USERINFO_CLIENT_CERT_HEADER",
        value_name = "NAME",
        requires = "trusted_proxy"
    )]
    client_cert_header: Option<String>,
    /// How the proxy writes the certificate: pem-urlencoded (nginx, the default), der-base64
    /// (Traefik) or xfcc (Envoy's X-Forwarded-Client-Cert).
    #[arg(
        long,
        env = "USERINFO_CLIENT_CERT_FORMAT",
        value_name = "FORMAT",
        requires = "client_cert_header"
    )]
    client_cert_format: Option<axum_userinfo::mtls::CertificateFormat>,
    /// Where verified tokens' scopes, roles and groups are, as the identity provider writes
    /// them: keycloak[:CLIENT], auth0[:NAMESPACE], cognito, entra or okta. Guards,
    /// /whoami?role=…&group=… and the roles/groups/scope claim headers read them there.
    #[arg(long, env = "USERINFO_CLAIMS_PRESET", value_name = "PRESET")]
    claims_preset: Option<ClaimMapping>,
    /// A claim path of the roles (segments separated by '/', '~1' for a '/' inside one, '~0'
    /// for '~'; repeatable: the first present wins). Replaces the preset's roles.
    #[arg(
        long,
        env = "USERINFO_ROLE_CLAIM",
        value_name = "PATH",
        value_delimiter = ','
    )]
    role_claim: Vec<ClaimPath>,
    /// A claim path of the groups (as --role-claim).
    #[arg(
        long,
        env = "USERINFO_GROUP_CLAIM",
        value_name = "PATH",
        value_delimiter = ','
    )]
    group_claim: Vec<ClaimPath>,
    /// A claim path of the scopes (as --role-claim).
    #[arg(
        long,
        env = "USERINFO_SCOPE_CLAIM",
        value_name = "PATH",
        value_delimiter = ','
    )]
    scope_claim: Vec<ClaimPath>,
    /// Also take the access token from this cookie (e.g. __Host-access_token, set by a BFF),
    /// after the reference's sources; two different tokens on one request are refused. An
    /// ambient credential: give --allow-origin for WebSockets.
    #[arg(long, env = "USERINFO_TOKEN_COOKIE", value_name = "NAME")]
    token_cookie: Option<String>,
    /// Also take the access token from this header (a gateway's own), as a Bearer token's value.
    #[arg(long, env = "USERINFO_TOKEN_HEADER", value_name = "NAME")]
    token_header: Option<String>,
    /// An MCP operation's scopes (repeatable): METHOD[:NAME_GLOB]=SCOPE[ SCOPE...], the scopes
    /// after the last '=', the method before the first ':' (tools/call:deploy_*=deploy,
    /// resources/read:file:///secret/*=secrets:read, tools/call=tools). Every rule an operation
    /// matches applies. /whoami then judges the original request's Mcp-Method / Mcp-Name;
    /// a request without them (or of a revision before 2026-07-28) is refused with 400.
    #[arg(
        long,
        env = "USERINFO_MCP_SCOPE",
        value_name = "RULE",
        value_delimiter = ','
    )]
    mcp_scope: Vec<axum_userinfo::mcp::McpScopeRule>,
    /// A scope implies narrower ones (repeatable): BROAD=NARROW[ NARROW...], e.g.
    /// 'files=files:read files:write'. A granted broad scope satisfies every requirement of a
    /// narrow one (guards, --required-scope, --mcp-scope, /whoami?scope=), never the reverse.
    #[arg(long, env = "USERINFO_SCOPE_IMPLIES", value_name = "BROAD=NARROW...", value_delimiter = ',', value_parser = implication)]
    scope_implies: Vec<(String, Vec<String>)>,
    /// The separator rule of scope hierarchies: with ':', a implies a:b implies a:b:c.
    #[arg(long, env = "USERINFO_SCOPE_SEPARATOR", value_name = "CHAR")]
    scope_separator: Option<char>,
    /// Answer browsers from this origin (repeatable; '*' for any) with CORS, exposing
    /// WWW-Authenticate (the metadata routes answer any origin already).
    #[arg(
        long,
        env = "USERINFO_CORS_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ',',
        value_parser = origin
    )]
    cors_allow_origin: Vec<String>,
}

/// `*`, or an origin: `scheme://host[:port]`, no path.
fn origin(text: &str) -> Result<String, String> {
    let valid = text == "*"
        || (text.split_once("://")).is_some_and(|(scheme, rest)| {
            matches!(scheme, "http" | "https")
                && !rest.is_empty()
                && !rest.contains(['/', '?', '#', ' ', '*'])
        });
    if valid && axum::http::HeaderValue::try_from(text).is_ok() {
        Ok(text.to_owned())
    } else {
        Err("expected * or an origin, scheme://host[:port]".to_owned())
    }
}

/// `BROAD=NARROW[ NARROW…]`.
fn implication(text: &str) -> Result<(String, Vec<String>), String> {
    let (broad, narrow) = text
        .split_once('=')
        .ok_or_else(|| "expected BROAD=NARROW[ NARROW...]".to_owned())?;
    let narrow: Vec<String> = narrow.split_whitespace().map(str::to_owned).collect();
    if broad.trim().is_empty() || narrow.is_empty() {
        return Err("expected BROAD=NARROW[ NARROW...]".to_owned());
    }
    Ok((broad.trim().to_owned(), narrow))
}

/// `client_secret_basic` or `client_secret_post`.
fn client_auth(text: &str) -> Result<axum_userinfo::introspect::ClientAuth, String> {
    match text {
        "client_secret_basic" => Ok(axum_userinfo::introspect::ClientAuth::ClientSecretBasic),
        "client_secret_post" => Ok(axum_userinfo::introspect::ClientAuth::ClientSecretPost),
        _ => Err("expected client_secret_basic or client_secret_post".to_owned()),
    }
}

/// A secret: the file's first line, else the environment variable `env`; never a flag's
/// value, which `ps` shows. `what` names it in the error.
fn secret_from(
    file: Option<&std::path::Path>,
    env: &str,
    what: &str,
) -> Result<secrecy::SecretString, String> {
    let secret = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => std::env::var(env)
            .map_err(|_| format!("{what} needs a secret: set {env} or its --…-file flag"))?,
    };
    Ok(secret.into())
}

/// `SECS` (fractions allowed) as a duration.
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|e| format!("{e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

/// `A=B`, both non-empty.
fn pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err("expected NAME=VALUE".to_owned()),
    }
}

impl TryFrom<Cli> for Options {
    type Error = String;

    fn try_from(cli: Cli) -> Result<Self, String> {
        let introspection = match (cli.introspection_issuer, cli.introspection_client_id) {
            (Some(issuer), Some(client_id)) => {
                let secret = secret_from(
                    cli.introspection_client_secret_file.as_deref(),
                    "USERINFO_INTROSPECTION_CLIENT_SECRET",
                    "--introspection-issuer",
                )?;
                let mut introspection =
                    app::Introspection::new(&issuer, cli.introspection_url, &client_id, secret);
                introspection.client_auth = cli.introspection_client_auth.unwrap_or_default();
                introspection.cache_ttl = cli.introspection_cache_ttl;
                introspection.inactive_ttl = cli.introspection_inactive_ttl;
                Some(introspection)
            }
            _ => None,
        };
        let dpop_nonces = if cli.dpop_nonce_secret_file.is_some() || cli.dpop_nonces {
            let secret = secret_from(
                cli.dpop_nonce_secret_file.as_deref(),
                "USERINFO_DPOP_NONCE_SECRET",
                "DPoP nonces",
            )?;
            let lifetime = cli.dpop_nonce_lifetime.unwrap_or(Duration::from_secs(300));
            Some((secret, lifetime))
        } else {
            None
        };
        Ok(Self {
            require: cli.require,
            accept: cli.accept,
            identity_header: cli.identity_header,
            trusted_proxies: cli.trusted_proxy,
            allowed_origins: cli.allow_origin,
            auth_timeout: cli.auth_timeout,
            oidc_issuers: cli.oidc,
            jwks: cli.jwks,
            audience: cli.audience,
            required_scopes: cli.required_scope,
            allow_http_loopback: cli.allow_http_loopback,
            key_refetch_interval: cli.key_refetch_interval,
            claim_headers: cli.claim_header,
            resource: cli.resource,
            resource_name: cli.resource_name,
            introspection,
            api_keys: cli.api_keys,
            dpop: cli.dpop,
            dpop_replay: cli.dpop_replay,
            public_url: cli.public_url,
            dpop_nonces,
            leeway: cli.leeway,
            token_type: cli.token_type,
            client_cert_header: cli
                .client_cert_header
                .map(|name| (name, cli.client_cert_format.unwrap_or_default())),
            claim_mapping: claim_mapping(
                cli.claims_preset,
                cli.role_claim,
                cli.group_claim,
                cli.scope_claim,
            ),
            token_cookie: cli.token_cookie,
            token_header: cli.token_header,
            mcp_rules: cli.mcp_scope,
            scope_implies: cli.scope_implies,
            scope_separator: cli.scope_separator,
            cors_allow_origins: cli.cors_allow_origin,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse(); // malformed flags: a message and exit code 2
    let rust_log = std::env::var("RUST_LOG").ok();
    tracing_subscriber::fmt()
        .with_env_filter(app::log_filter(rust_log.as_deref()))
        .init();
    let addr = cli.addr;
    let options = match Options::try_from(cli) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let app = match app::app(&options) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    if options.oidc_issuers.is_empty() && options.jwks.is_empty() {
        tracing::info!(%addr, ?options, "listening: try curl http://{addr}/whoami -H 'x-api-key: sk-1'");
    } else {
        tracing::info!(%addr, ?options, "listening: try curl http://{addr}/whoami -H 'authorization: Bearer <a token of the issuer>'");
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    // The peer's address, for --trusted-proxy.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    match axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `--claims-preset` with `--role-claim`, `--group-claim` and `--scope-claim`: a path flag
/// replaces its category's preset paths. `None` when none is given (the reference's rules).
fn claim_mapping(
    preset: Option<ClaimMapping>,
    roles: Vec<ClaimPath>,
    groups: Vec<ClaimPath>,
    scopes: Vec<ClaimPath>,
) -> Option<ClaimMapping> {
    if preset.is_none() && roles.is_empty() && groups.is_empty() && scopes.is_empty() {
        return None;
    }
    let preset = preset.unwrap_or_default();
    let pick = |flags: Vec<ClaimPath>, preset: &[ClaimPath]| {
        if flags.is_empty() {
            preset.to_vec()
        } else {
            flags
        }
    };
    let (roles, groups, scopes) = (
        pick(roles, preset.roles()),
        pick(groups, preset.groups()),
        pick(scopes, preset.scopes()),
    );
    let mut mapping = ClaimMapping::new();
    for path in roles {
        mapping = mapping.with_roles(path);
    }
    for path in groups {
        mapping = mapping.with_groups(path);
    }
    for path in scopes {
        mapping = mapping.with_scopes(path);
    }
    Some(mapping)
}
