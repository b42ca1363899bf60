//! A streamable-HTTP MCP server with two tools that need different scopes, behind
//! `UserInfoLayer`, the header check and the per-operation policy, with RFC 9728 metadata:
//! what the README's MCP section sets up, as a process the official SDK clients talk to
//! (`tests/mcp_sdk.rs`). It speaks both revisions in use: 2026-07-28 (`server/discover`,
//! stateless requests with `_meta`, the routing headers) and 2025-11-25 (`initialize`, no
//! routing headers: the body check hands the policy the body's operation). JSON responses
//! only; no event stream (`GET` is 405).
//!
//! ```text
//! cargo run --example mcp_server -- --addr 127.0.0.1:8080 \
//!     --oidc https://sso.example.com --resource https://mcp.example.com/mcp \
//!     --mcp-scope 'tools/call=tools' --mcp-scope 'tools/call:deploy_*=deploy' \
//!     --scopes-supported tools
//! ```
//!
//! Tools: `read_file` (any `tools/call` rule) and `deploy_prod` (and `deploy_*` rules).

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use axum_userinfo::authorize::{ProtectedResource, ScopeHierarchy};
use axum_userinfo::layer::{McpHeaderCheck, McpPolicyLayer, resource_metadata_routes};
use axum_userinfo::mcp::{McpPolicy, McpScopeRule};
use axum_userinfo::verify::JwtVerifier;
use axum_userinfo::{ConfigError, Resolver, UserInfo, UserInfoLayer};
use clap::Parser;
use serde_json::{Value, json};

/// The revision whose requests carry `_meta` and the routing headers.
const MODERN: &str = "2026-07-28";
/// The handshake revisions this server answers `initialize` with.
const HANDSHAKE: [&str; 3] = [LATEST_HANDSHAKE, "2025-06-18", "2025-03-26"];
/// The newest of them.
const LATEST_HANDSHAKE: &str = "2025-11-25";

#[derive(Debug, Parser)]
#[command(about = "An MCP server (streamable HTTP) with per-tool scopes")]
struct Cli {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Verify JWTs of this issuer, keys by OIDC discovery (repeatable).
    #[arg(long, value_name = "ISSUER_URL")]
    oidc: Vec<String>,
    /// Verify JWTs of this issuer, keys from this JWKS URL (repeatable).
    #[arg(long, value_name = "ISSUER=JWKS_URL")]
    jwks: Vec<String>,
    /// Allow http key URLs on loopback (local identity providers).
    #[arg(long)]
    allow_http_loopback: bool,
    /// This server's resource identifier (its MCP endpoint's URL): the RFC 9728 metadata, and
    /// every token's required audience.
    #[arg(long, value_name = "URL")]
    resource: String,
    /// The scopes a client asks for when a challenge names none (`scopes_supported`).
    #[arg(long, value_name = "SCOPE", value_delimiter = ',')]
    scopes_supported: Vec<String>,
    /// An operation's scopes (repeatable): METHOD[:NAME_GLOB]=SCOPE[ SCOPE...].
    #[arg(long, value_name = "RULE")]
    mcp_scope: Vec<McpScopeRule>,
    /// A scope implies narrower ones (repeatable): BROAD=NARROW[ NARROW...].
    #[arg(long, value_name = "BROAD=NARROW...")]
    scope_implies: Vec<String>,
    /// The separator rule of scope hierarchies (with ':', a implies a:b).
    #[arg(long, value_name = "CHAR")]
    scope_separator: Option<char>,
}

fn resolver(cli: &Cli, resource: &ProtectedResource) -> Result<Resolver, ConfigError> {
    let mut builder = Resolver::builder().with_protected_resource(resource.clone());
    for issuer in &cli.oidc {
        let mut verifier = JwtVerifier::builder(issuer).with_oidc_discovery();
        if cli.allow_http_loopback {
            verifier = verifier.allow_http_loopback();
        }
        // No audience: the resource is the audience.
        builder = builder.with_verifier(verifier.build()?);
    }
    for pair in &cli.jwks {
        let (issuer, url) = pair.split_once('=').ok_or(ConfigError::InvalidIssuer)?;
        let mut verifier = JwtVerifier::builder(issuer).with_jwks_url(url);
        if cli.allow_http_loopback {
            verifier = verifier.allow_http_loopback();
        }
        builder = builder.with_verifier(verifier.build()?);
    }
    let mut hierarchy = ScopeHierarchy::new();
    for implication in &cli.scope_implies {
        let (broad, narrow) = implication
            .split_once('=')
            .ok_or(ConfigError::InvalidScope)?;
        hierarchy = hierarchy.with_implied(broad, narrow.split_whitespace())?;
    }
    if let Some(separator) = cli.scope_separator {
        hierarchy = hierarchy.with_separator(separator)?;
    }
    builder
        .with_scope_hierarchy(hierarchy)
        .accept_only_verified()
        .build()
}

fn app(cli: &Cli) -> Result<Router, ConfigError> {
    let issuers = cli.oidc.iter().cloned().chain(
        cli.jwks
            .iter()
            .filter_map(|pair| Some(pair.split_once('=')?.0.to_owned())),
    );
    let resource = ProtectedResource::new(cli.resource.as_str(), issuers)?
        .with_scopes_supported(cli.scopes_supported.iter().cloned())?
        .with_resource_name("axum-userinfo MCP example");
    let resolver = resolver(cli, &resource)?;
    let policy = (cli.mcp_scope.iter().cloned()).fold(McpPolicy::new(), McpPolicy::with_scope_rule);
    Ok(Router::new()
        .route("/mcp", post(mcp).get(not_allowed).delete(not_allowed))
        .route_layer(McpPolicyLayer::new(policy))
        .route_layer(McpHeaderCheck::new())
        // Optional: the policy refuses anonymous requests itself, naming the scopes.
        .layer(UserInfoLayer::new(resolver))
        .merge(resource_metadata_routes(&resource)))
}

async fn not_allowed() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}

/// One JSON-RPC message (the header check and the policy passed it).
async fn mcp(Extension(user): Extension<UserInfo>, Json(message): Json<Value>) -> Response {
    let Some(id) = message.get("id").cloned() else {
        return StatusCode::ACCEPTED.into_response(); // a notification, or a response
    };
    let method = message
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let text = |pointer: &str| params.pointer(pointer).and_then(Value::as_str);
    let modern = text("/_meta/io.modelcontextprotocol~1protocolVersion") == Some(MODERN);
    let server_info = json!({"name": "axum-userinfo-mcp-example", "version": "0.1.0"});
    let mut result = match method {
        "initialize" => {
            let asked = text("/protocolVersion").unwrap_or_default();
            let version = HANDSHAKE
                .iter()
                .find(|v| **v == asked)
                .unwrap_or(&HANDSHAKE[0]);
            json!({
                "protocolVersion": version,
                "capabilities": {"tools": {"listChanged": false}},
                "serverInfo": server_info,
            })
        }
        "server/discover" => json!({
            "supportedVersions": [MODERN],
            "capabilities": {"tools": {"listChanged": false}},
            "_meta": {"io.modelcontextprotocol/serverInfo": server_info},
        }),
        "ping" => json!({}),
        "tools/list" => json!({"tools": [
            {"name": "read_file", "description": "Reads a file (scope: tools)",
             "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}},
            {"name": "deploy_prod", "description": "Deploys to production (scopes: tools, deploy)",
             "inputSchema": {"type": "object", "properties": {}}},
        ]}),
        "tools/call" => match text("/name") {
            Some(tool @ ("read_file" | "deploy_prod")) => json!({
                "content": [{"type": "text", "text": format!("{tool} ran for {}", user.user_id())}],
                "isError": false,
            }),
            _ => return error(StatusCode::OK, id, -32602, "unknown tool"),
        },
        _ => return error(StatusCode::NOT_FOUND, id, -32601, "Method not found"),
    };
    if modern && method != "ping" {
        if let Value::Object(result) = &mut result {
            result.insert("resultType".into(), "complete".into());
            if matches!(method, "server/discover" | "tools/list") {
                result.insert("ttlMs".into(), 0.into());
                result.insert("cacheScope".into(), "private".into());
            }
        }
    }
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}

fn error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    (status, Json(body)).into_response()
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let app = match app(&cli) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(cli.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", cli.addr);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(error) => eprintln!("{error}"),
    }
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("server error: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
