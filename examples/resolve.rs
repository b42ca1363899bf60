//! Resolve a set of headers from the command line and print the outcome as JSON: the first
//! thing to reach for when a token "does not work".
//!
//! ```text
//! cargo run --example resolve -- -H 'Authorization: Bearer eyJ…' [-H 'Cookie: …'] \
//!     [--session ID] [--accept KINDS] [--identity-header NAME]     # --help for the rest
//! ```
//!
//! It prints `{"outcome":"user",…}`, `{"outcome":"anonymous"}` or
//! `{"outcome":"error","status":401,"error":"…"}` and exits 0, 0 or 1; malformed flags exit 2.
//! Every flag falls back to an environment variable: `USERINFO_HEADER` (one header a line),
//! `USERINFO_SESSION`, `USERINFO_ACCEPT`, `USERINFO_IDENTITY_HEADER`.
//!
//! `--api-key-line LABEL [--scope S …]` reads an API key from standard input (never from the
//! command line, which `ps` shows) and prints the line to add to the demo's `--api-keys`
//! file: `sha256:<digest> LABEL [S …]`, which holds no key.

use std::io::Write as _;
use std::process::ExitCode;

use axum_userinfo::{AcceptedKinds, Resolver};
use clap::Parser;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

/// Resolve headers as the axum-userinfo resolver would, and print the outcome as JSON.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// A request header, 'Name: value' (repeatable; in the environment, one per line).
    #[arg(short = 'H', long = "header", env = "USERINFO_HEADER", value_name = "NAME: VALUE", value_delimiter = '\n', value_parser = header)]
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Resolve as a WebSocket upgrade carrying `?session=ID`.
    #[arg(long, env = "USERINFO_SESSION", value_name = "ID")]
    session: Option<String>,
    /// Accept only these credential kinds (comma list of session_cookie, jwt, api_key, basic).
    #[arg(long, env = "USERINFO_ACCEPT", value_name = "KINDS")]
    accept: Option<AcceptedKinds>,
    /// Take identities only from this trusted proxy header.
    #[arg(long, env = "USERINFO_IDENTITY_HEADER", value_name = "NAME")]
    identity_header: Option<String>,
    /// Print the --api-keys line of the key read from standard input, labelled LABEL.
    #[arg(long, value_name = "LABEL", conflicts_with_all = ["headers", "session"])]
    api_key_line: Option<String>,
    /// A scope of the --api-key-line entry (repeatable).
    #[arg(long, value_name = "SCOPE", requires = "api_key_line")]
    scope: Vec<String>,
}

/// `--api-key-line`: the digest line of the key on standard input's first line.
fn api_key_line(label: &str, scopes: &[String]) -> Result<String, String> {
    let mut key = String::new();
    std::io::stdin()
        .read_line(&mut key)
        .map_err(|e| format!("cannot read the key from standard input: {e}"))?;
    let key = key.trim_end_matches(['\r', '\n']);
    if key.is_empty() || key.chars().any(char::is_whitespace) {
        return Err("expected one API key, without whitespace, on standard input".to_owned());
    }
    let mut line = format!("{} {label}", axum_userinfo::api_keys::ApiKeyDigest::of(key));
    for scope in scopes {
        line.push(' ');
        line.push_str(scope);
    }
    // The line as the list reads it: a bad label or scope fails here, not at the server.
    axum_userinfo::api_keys::ApiKeyList::parse(&line).map_err(|e| e.to_string())?;
    Ok(line)
}

/// `Name: value` as a header.
fn header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text.split_once(':').ok_or("expected 'Name: value'")?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?;
    let value = HeaderValue::from_str(value.trim_start()).map_err(|e| e.to_string())?;
    Ok((name, value))
}

fn run(cli: Cli) -> Result<Value, String> {
    let mut headers = HeaderMap::new();
    for (name, value) in cli.headers {
        headers.append(name, value);
    }
    let mut builder = Resolver::builder();
    if let Some(kinds) = cli.accept {
        builder = builder.with_accepted_kinds(kinds);
    }
    if let Some(name) = cli.identity_header {
        builder = builder.with_identity_header(name);
    }
    let session = cli.session;
    let resolver = builder
        .build()
        .map_err(|e| format!("invalid configuration: {e}"))?;
    // --session: a WebSocket upgrade carrying `?session=ID`.
    let query = session.map(|id| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("session", &id)
            .finish()
    });
    let request = match &query {
        Some(query) => axum_userinfo::RequestView::new(&headers).websocket(Some(query)),
        None => axum_userinfo::RequestView::new(&headers),
    };
    Ok(match resolver.resolve(request) {
        Ok(Some(user)) => {
            let mut value = serde_json::to_value(&user).unwrap_or_default();
            if let Value::Object(map) = &mut value {
                map.insert("outcome".into(), "user".into());
            }
            value
        }
        Ok(None) => json!({"outcome": "anonymous"}),
        Err(error) => {
            let status = error.status().as_u16();
            json!({"outcome": "error", "status": status, "error": error.to_string()})
        }
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // malformed flags: a message and exit code 2
    if let Some(label) = &cli.api_key_line {
        return match api_key_line(label, &cli.scope) {
            Ok(line) => {
                let _ = writeln!(std::io::stdout(), "{line}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        };
    }
    match run(cli) {
        Ok(outcome) => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let text = serde_json::to_string_pretty(&outcome).unwrap_or_default();
            let _ = writeln!(std::io::stdout(), "{text}");
            if outcome.get("outcome").and_then(Value::as_str) == Some("error") {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
