//! Resolve a set of headers from the command line and print the outcome as JSON: the first
//! thing to reach for when a token "does not work".
//!
//! ```text
//! cargo run --example resolve -- -H 'Authorization: Bearer eyJ…' [-H 'Cookie: …'] \
//!     [--session ID] [--accept KINDS] [--identity-header NAME]
//! ```
//!
//! It prints `{"outcome":"user",…}`, `{"outcome":"anonymous"}` or
//! `{"outcome":"error","status":401,"error":"…"}` and exits 0, 0 or 1.

use std::process::ExitCode;

use axum_userinfo::Resolver;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

const USAGE: &str =
    "usage: resolve [-H 'Name: value']... [--session ID] [--accept KINDS] [--identity-header NAME]";

fn run(args: Vec<String>) -> Result<Value, String> {
    let mut headers = HeaderMap::new();
    let mut builder = Resolver::builder();
    let mut session = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-H" | "--header" => {
                let header = value("-H")?;
                let (name, value) = header
                    .split_once(':')
                    .ok_or(format!("-H {header:?}: expected 'Name: value'"))?;
                let name = HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|e| format!("{name:?}: {e}"))?;
                let value = HeaderValue::from_str(value.trim_start())
                    .map_err(|e| format!("{name} value: {e}"))?;
                headers.append(name, value);
            }
            "--session" => session = Some(value("--session")?),
            "--accept" => {
                builder = builder.with_accepted_kinds(
                    value("--accept")?
                        .parse::<axum_userinfo::AcceptedKinds>()
                        .map_err(|e| e.to_string())?,
                )
            }
            "--identity-header" => {
                builder = builder.with_identity_header(value("--identity-header")?)
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
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
    match run(std::env::args().skip(1).collect()) {
        Ok(outcome) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&outcome).unwrap_or_default()
            );
            if outcome.get("outcome").and_then(Value::as_str) == Some("error") {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
