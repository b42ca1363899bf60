//! Every case of the conformance vectors, produced by running the Python reference.
//!
//! The files are `../shared/conformance/vectors.json` beside the repository (or the one named by
//! `CONFORMANCE_VECTORS`), then this repository's `tests/vectors/*.json`. Each failing case is named with what differed; the last line is
//! `conformance: N passed, M failed`. Sections missing from a file are skipped; unknown
//! sections fail, so a new family of cases cannot pass unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::ExitCode;

use axum_userinfo::{
    AcceptedKinds, AuthFrame, BasicUserInfo, JwtUserInfo, ResolveError, Resolver, UserDetails,
    UserInfo,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde_json::{Map, Value};

type Outcome = Result<Option<UserInfo>, ResolveError>;

fn main() -> ExitCode {
    let shared = std::env::var_os("CONFORMANCE_VECTORS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/vectors.json"),
        PathBuf::from,
    );
    // The reference's vectors, then this repository's own (tests/vectors/: the deliberate
    // divergences and their neighbours, each with what the reference does).
    let mut files = vec![shared];
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut own_files: Vec<PathBuf> = std::fs::read_dir(&own)
        .map(|dir| dir.filter_map(|entry| Some(entry.ok()?.path())).collect())
        .unwrap_or_default();
    own_files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    own_files.sort();
    files.extend(own_files);

    let (mut passed, mut failed) = (0, 0);
    for path in &files {
        if let Err(message) = run_file(path, &mut passed, &mut failed) {
            eprintln!("conformance: {message}");
            return ExitCode::FAILURE;
        }
    }
    println!("conformance: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Checks every case of one vectors file.
fn run_file(path: &std::path::Path, passed: &mut usize, failed: &mut usize) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        format!(
            "cannot read the vectors file {} ({err}); set CONFORMANCE_VECTORS to its path",
            path.display()
        )
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    deserializer.disable_recursion_limit();
    let vectors: Map<String, Value> = serde::Deserialize::deserialize(&mut deserializer)
        .map_err(|err| format!("{} is not a JSON object: {err}", path.display()))?;
    for (section, cases) in &vectors {
        let check: fn(&Value) -> Result<(), String> = match section.as_str() {
            "reference" | "namespace" | "about" => continue,
            "requests" => check_request,
            "websocket_query" => check_websocket_query,
            "auth_messages" => check_auth_message,
            "user_ids" => check_user_id,
            "policy" => check_policy,
            "identity_header" => check_identity_header,
            "issuer_scoped" => check_issuer_scoped,
            _ => {
                eprintln!("FAIL section {section}: no checker for this section");
                *failed += 1;
                continue;
            }
        };
        for case in cases.as_array().into_iter().flatten() {
            let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
            match check(case) {
                Ok(()) => *passed += 1,
                Err(diff) => {
                    *failed += 1;
                    eprintln!("FAIL {section}/{name}: {diff}");
                }
            }
        }
    }
    if let Some(namespace) = vectors.get("namespace").and_then(Value::as_str) {
        if namespace == axum_userinfo::NAMESPACE.to_string() {
            *passed += 1;
        } else {
            *failed += 1;
            eprintln!(
                "FAIL namespace: expected {namespace}, have {}",
                axum_userinfo::NAMESPACE
            );
        }
    }
    Ok(())
}

fn field<'a>(case: &'a Value, key: &str) -> Result<&'a Value, String> {
    case.get(key)
        .ok_or_else(|| format!("the case has no `{key}`"))
}

fn str_field<'a>(case: &'a Value, key: &str) -> Result<&'a str, String> {
    field(case, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))
}

/// Header values are Latin-1 strings in the vectors: each character is one byte.
fn headers(case: &Value) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for pair in field(case, "headers")?.as_array().into_iter().flatten() {
        let (Some(name), Some(value)) = (
            pair.get(0).and_then(Value::as_str),
            pair.get(1).and_then(Value::as_str),
        ) else {
            return Err(format!("bad header pair {pair}"));
        };
        let bytes: Vec<u8> = if value.chars().all(|c| u32::from(c) <= 0xff) {
            value
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect()
        } else {
            value.as_bytes().to_vec()
        };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
        let value = HeaderValue::from_bytes(&bytes).map_err(|e| format!("{name} value: {e}"))?;
        map.append(name, value);
    }
    Ok(map)
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(None) => "anonymous".to_owned(),
        Ok(Some(user)) => format!("user {} from {}", user.user_id(), user.source()),
        Err(err) => format!("error ({err})"),
    }
}

/// Compares an outcome with an `expect` object (`outcome`: user, anonymous, error, rejected).
fn compare(expect: &Value, got: &Outcome) -> Result<(), String> {
    let wanted = str_field(expect, "outcome")?;
    let mismatch = || format!("expected {wanted}, got {}", describe(got));
    match (wanted, got) {
        ("anonymous", Ok(None)) => Ok(()),
        ("error", Err(_)) => Ok(()),
        ("rejected", Err(ResolveError::InvalidSessionId)) => Ok(()),
        ("user", Ok(Some(user))) => compare_user(expect, user),
        _ => Err(mismatch()),
    }
}

fn compare_user(expect: &Value, user: &UserInfo) -> Result<(), String> {
    let want_id = str_field(expect, "user_id")?;
    if user.user_id().to_string() != want_id {
        return Err(format!(
            "user_id: expected {want_id}, got {}",
            user.user_id()
        ));
    }
    let Some(want_source) = expect.get("source").and_then(Value::as_str) else {
        return Ok(());
    };
    if user.source().as_str() != want_source {
        return Err(format!(
            "source: expected {want_source}, got {}",
            user.source()
        ));
    }
    let detail = expect.get(want_source);
    match (user.details(), detail) {
        (_, None) => Ok(()),
        (UserDetails::Jwt(jwt), Some(want)) => {
            let got = serde_json::to_value(jwt).map_err(|e| e.to_string())?;
            same_json(want, &got, "jwt")
        }
        (UserDetails::Basic(basic), Some(want)) => {
            let got = serde_json::json!({
                "username": basic.username(),
                "password": basic.password().expose_secret(),
            });
            same_json(want, &got, "basic")
        }
        (UserDetails::ApiKey(value) | UserDetails::SessionCookie(value), Some(want)) => {
            same_json(want, &Value::from(value.expose_secret()), want_source)
        }
        (_, Some(_)) => Err(format!("no details to compare for {want_source}")),
    }
}

fn same_json(want: &Value, got: &Value, what: &str) -> Result<(), String> {
    if want == got {
        return Ok(());
    }
    if let (Value::Object(want), Value::Object(got)) = (want, got) {
        for key in want.keys().chain(got.keys()) {
            if want.get(key) != got.get(key) {
                return Err(format!(
                    "{what}.{key}: expected {}, got {}",
                    want.get(key).map_or("nothing".to_owned(), Value::to_string),
                    got.get(key).map_or("nothing".to_owned(), Value::to_string),
                ));
            }
        }
    }
    Err(format!("{what}: expected {want}, got {got}"))
}

fn check_request(case: &Value) -> Result<(), String> {
    let headers = headers(case)?;
    let expect = field(case, "expect")?;
    let resolver = Resolver::new();
    compare(expect, &resolver.resolve(&headers))?;
    // A WebSocket upgrade resolves exactly like a plain request.
    compare(expect, &resolver.resolve_websocket(&headers, None))
        .map_err(|diff| format!("as a WebSocket upgrade: {diff}"))
}

fn check_websocket_query(case: &Value) -> Result<(), String> {
    let headers = headers(case)?;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("session", str_field(case, "session")?)
        .finish();
    let got = Resolver::new().resolve_websocket(&headers, Some(&query));
    compare(field(case, "expect")?, &got)
}

fn check_auth_message(case: &Value) -> Result<(), String> {
    let frame = field(case, "message")?.to_string();
    let expect = field(case, "expect")?;
    let want_status = str_field(expect, "status")?;
    let (user, response) = match Resolver::new().handle_auth_frame(&frame) {
        Some(AuthFrame::Resolved { user, response }) => (Some(user), response),
        Some(AuthFrame::Rejected { response, .. }) => (None, response),
        Some(other) => return Err(format!("expected {want_status}, got {other:?}")),
        None => return Err("the frame was not recognised as an auth message".to_owned()),
    };
    let reply: Value = serde_json::from_str(&response.to_json()).map_err(|e| e.to_string())?;
    if reply.get("type").and_then(Value::as_str) != Some("auth_response_message") {
        return Err(format!("reply type: {reply}"));
    }
    if reply.get("status").and_then(Value::as_str) != Some(want_status) {
        return Err(format!("expected status {want_status}, reply {reply}"));
    }
    match want_status {
        "success" => {
            let want = str_field(expect, "user_id")?;
            let got = reply.get("user_id").and_then(Value::as_str);
            if got != Some(want) || user.map(|u| u.user_id().to_string()).as_deref() != Some(want) {
                return Err(format!("user_id: expected {want}, reply {reply}"));
            }
        }
        _ => {
            let want = str_field(expect, "code")?;
            let got = reply.pointer("/payload/code").and_then(Value::as_str);
            if got != Some(want) {
                return Err(format!("code: expected {want}, reply {reply}"));
            }
        }
    }
    Ok(())
}

fn check_user_id(case: &Value) -> Result<(), String> {
    let user = match str_field(case, "kind")? {
        "api_key" => UserInfo::from_api_key(str_field(case, "key")?).map_err(|e| e.to_string())?,
        "basic" => UserInfo::from_basic(
            BasicUserInfo::new(str_field(case, "username")?, str_field(case, "password")?)
                .map_err(|e| e.to_string())?,
        ),
        kind => return Err(format!("unknown kind {kind}")),
    };
    let want = str_field(case, "user_id")?;
    if user.user_id().to_string() == want {
        Ok(())
    } else {
        Err(format!("expected {want}, got {}", user.user_id()))
    }
}

fn check_policy(case: &Value) -> Result<(), String> {
    let kinds = field(case, "accepted")?
        .as_array()
        .ok_or("`accepted` is not a list")?
        .iter()
        .map(|kind| {
            kind.as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e| format!("{kind}: {e}"))
        })
        .collect::<Result<AcceptedKinds, String>>()?;
    let resolver = Resolver::builder()
        .with_accepted_kinds(kinds)
        .build()
        .map_err(|e| e.to_string())?;
    compare(field(case, "expect")?, &resolver.resolve(&headers(case)?))
}

fn check_identity_header(case: &Value) -> Result<(), String> {
    let resolver = Resolver::builder()
        .with_identity_header(str_field(case, "identity_header")?)
        .build()
        .map_err(|e| e.to_string())?;
    compare(field(case, "expect")?, &resolver.resolve(&headers(case)?))
}

fn check_issuer_scoped(case: &Value) -> Result<(), String> {
    let claims = field(case, "claims")?
        .as_object()
        .ok_or("`claims` is not an object")?;
    let got = JwtUserInfo::from_claims(claims.clone())
        .and_then(UserInfo::from_verified_jwt)
        .map(Some);
    compare(field(case, "expect")?, &got)
}
