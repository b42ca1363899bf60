//! The demo server: who is calling, over HTTP and WebSocket, and a forward-auth endpoint.
//!
//! ```text
//! cargo run --example server -- [--addr 127.0.0.1:3000] [--require] [--accept KINDS]
//!     [--identity-header NAME [--trusted-proxy CIDR]...] [--allow-origin ORIGIN]...
//!     [--auth-timeout SECS] [--oidc ISSUER_URL]... [--jwks ISSUER=JWKS_URL]...
//!     [--audience AUD] [--allow-http-loopback]
//! ```
//!
//! - `GET /whoami`: the caller as JSON, with `X-User-Id` and `X-User-Source` headers, so the
//!   server can be the auth endpoint of nginx `auth_request`, Traefik ForwardAuth or Envoy
//!   `ext_authz`. Anonymous: 200 `{"outcome":"anonymous"}`, or 401 with `--require`.
//! - `GET /websocket`: answers `auth_message` frames, and any other text frame with the
//!   socket's current identity.
//! - `GET /ping`: `pong`, behind the identity layer (a forward-auth check without a body).
//! - `GET /healthz`: 200, with no identity involved.
//!
//! With `--oidc` or `--jwks`, JWTs are verified (issuer-scoped ids; unknown issuers refused).
//! `KINDS` is a comma list of `session_cookie,jwt,api_key,basic` (empty: accept none). Logs go
//! through `tracing`, filtered by `RUST_LOG` (default `info`); WebSocket frames, which carry
//! auth messages, are never logged (tungstenite stays at `debug` unless `RUST_LOG` names it).

mod app;

use std::net::SocketAddr;
use std::process::ExitCode;

use app::Options;

const USAGE: &str =
    "usage: server [--addr 127.0.0.1:3000] [--require] [--accept KINDS] [--identity-header NAME]
  --addr ADDR             listen address (default 127.0.0.1:3000)
  --require               refuse anonymous requests to /whoami with 401
  --accept KINDS          comma list of session_cookie,jwt,api_key,basic ('' accepts none)
  --identity-header NAME  take identities only from this trusted proxy header
  --trusted-proxy CIDR    accept the identity header only from peers in CIDR (repeatable)
  --allow-origin ORIGIN   accept cookie-authenticated WebSockets only from ORIGIN (repeatable)
  --auth-timeout SECS     time an anonymous WebSocket has to authenticate (default 10, 0: no limit)
  --oidc ISSUER_URL       verify JWTs of this issuer, keys by OIDC discovery (repeatable)
  --jwks ISSUER=JWKS_URL  verify JWTs of this issuer, keys from this JWKS URL (repeatable)
  --audience AUD          require this audience in verified JWTs (default: any)
  --allow-http-loopback   allow http key URLs on loopback (local identity providers)";

fn parse(args: impl IntoIterator<Item = String>) -> Result<(SocketAddr, Options), String> {
    let mut addr: SocketAddr = ([127, 0, 0, 1], 3000).into();
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => {
                addr = value("--addr")?
                    .parse()
                    .map_err(|e| format!("--addr: {e}"))?
            }
            "--require" => options.require = true,
            "--accept" => {
                options.accept = Some(
                    value("--accept")?
                        .parse()
                        .map_err(|e| format!("--accept: {e}"))?,
                );
            }
            "--identity-header" => options.identity_header = Some(value("--identity-header")?),
            "--allow-origin" => options.allowed_origins.push(value("--allow-origin")?),
            "--trusted-proxy" => options.trusted_proxies.push(value("--trusted-proxy")?),
            "--auth-timeout" => {
                let secs: f64 = value("--auth-timeout")?
                    .parse()
                    .map_err(|e| format!("--auth-timeout: {e}"))?;
                let timeout = std::time::Duration::try_from_secs_f64(secs)
                    .map_err(|e| format!("--auth-timeout: {e}"))?;
                options.auth_timeout = Some(timeout);
            }
            "--oidc" => options.oidc_issuers.push(value("--oidc")?),
            "--jwks" => {
                let pair = value("--jwks")?;
                let (issuer, url) = pair
                    .split_once('=')
                    .ok_or("--jwks: expected ISSUER=JWKS_URL")?;
                options.jwks.push((issuer.to_owned(), url.to_owned()));
            }
            "--audience" => options.audience = Some(value("--audience")?),
            "--allow-http-loopback" => options.allow_http_loopback = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((addr, options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let rust_log = std::env::var("RUST_LOG").ok();
    tracing_subscriber::fmt()
        .with_env_filter(app::log_filter(rust_log.as_deref()))
        .init();

    let (addr, options) = match parse(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return if message.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
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
    tracing::info!(%addr, ?options, "listening: try curl http://{addr}/whoami -H 'x-api-key: sk-1'");
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
