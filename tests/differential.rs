//! The crate against the Python reference on generated cases: `scripts/differential.py` draws
//! header sets, WebSocket `?session=` values and auth messages from a seed, runs the reference
//! (nvidia-nat-core 1.9, in a venv) on each, and this test compares the crate's outcome, source,
//! id and details with the reference's. Where they differ, the difference must be one of the
//! crate's deliberate divergences, each recognised by a named rule on the input
//! ([`DIVERGENCES`]), never by a list of cases.
//!
//! The reference's Python is `REFERENCE_PYTHON`, else `target/reference-venv/bin/python`
//! (`scripts/reference-venv.sh` makes it). Without it the test says so and passes, except in CI
//! (`CI` set), where it fails. The seed is printed; replay a run with `DIFFERENTIAL_SEED=…`, and
//! change the number of cases with `DIFFERENTIAL_COUNT` (default 6000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use axum_userinfo::error::BasicError;
use axum_userinfo::websocket::HandledAuthMessage;
use axum_userinfo::{RequestView, ResolveError, Resolver};
use base64::Engine as _;
use serde_json::{Map, Value};

#[path = "common/vectors.rs"]
mod vectors;

/// A deliberate divergence: its name, and the rule that recognises a case it explains.
type Divergence = (&'static str, fn(&str, &Value) -> bool);

/// Every deliberate divergence of the crate from the reference (README, "Deliberate
/// differences"), as a rule on a case: its input, what the reference did, and the crate's answer.
const DIVERGENCES: &[Divergence] = &[
    (
        "no forged ids: an untrusted identity key with a control character",
        forged_id,
    ),
    (
        "Basic credentials are strict base64 (RFC 7617)",
        loose_basic,
    ),
    (
        "timestamps are integers in i64 (not booleans, floats or bigger)",
        loose_timestamp,
    ),
    (
        "a WebSocket upgrade is resolved like the same request over HTTP",
        websocket_like_http,
    ),
    (
        "?session= yields to a nat-session cookie in any Cookie header",
        session_beside_cookie,
    ),
    (
        "session ids match the safe pattern exactly (no trailing newline)",
        session_newline,
    ),
    (
        "headers are Latin-1: the reference's endpoint fails on a non-UTF-8 Cookie",
        endpoint_utf8,
    ),
];

const WEBSOCKET_LIKE_HTTP: &str = "a WebSocket upgrade is resolved like the same request over HTTP";

/// What the crate makes of a case of `section`.
fn ours(section: &str, case: &Value) -> Option<vectors::Outcome> {
    let resolver = Resolver::new();
    let headers = || vectors::headers(case).ok();
    match section {
        "requests" => Some(resolver.resolve(&headers()?)),
        "websocket_query" => {
            let headers = headers()?;
            let query = query(case)?;
            Some(resolver.resolve(RequestView::new(&headers).websocket(Some(&query))))
        }
        "auth_messages" => match resolver.handle_auth_frame(&case.get("message")?.to_string())? {
            HandledAuthMessage::Resolved { user, .. } => Some(Ok(Some(user))),
            HandledAuthMessage::Rejected { error, .. } => Some(Err(error)),
            _ => Some(Ok(None)),
        },
        _ => None,
    }
}

fn query(case: &Value) -> Option<String> {
    let session = case.get("session")?.as_str()?;
    Some(
        form_urlencoded::Serializer::new(String::new())
            .append_pair("session", session)
            .finish(),
    )
}

fn has_control(text: &str) -> bool {
    text.chars().any(|c| c < '\u{20}' || c == '\u{7f}')
}

/// The reference's outcome, and for a WebSocket case its outcome over HTTP.
fn expect(case: &Value) -> &Value {
    case.get("expect").unwrap_or(&Value::Null)
}

/// The reference built a user whose identity key holds a control character, from a source that
/// is neither verified nor trusted; the crate refuses it for that reason.
fn forged_id(section: &str, case: &Value) -> bool {
    // On a WebSocket, the crate follows the reference's HTTP path (see websocket_like_http).
    let reference = expect(case).get("over_http").unwrap_or(expect(case));
    let key = reference.get("identity_key").and_then(Value::as_str);
    let basic = reference.get("source").and_then(Value::as_str) == Some("basic");
    key.is_some_and(has_control)
        && !basic
        && matches!(
            ours(section, case),
            Some(Err(ResolveError::ControlCharacter(_)))
        )
}

/// The first `Authorization` header's scheme and credential, split as the reference does.
fn authorization(case: &Value) -> Option<(String, String)> {
    let headers = case.get("headers")?.as_array()?;
    let value = headers.iter().find_map(|pair| {
        let name = pair.get(0)?.as_str()?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| pair.get(1)?.as_str())
            .flatten()
    })?;
    let is_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    let value = value.trim_matches(is_space);
    let (scheme, rest) = value.split_once(is_space)?;
    Some((
        scheme.to_lowercase(),
        rest.trim_start_matches(is_space).to_owned(),
    ))
}

/// A Basic credential that only the reference's lenient base64 decodes.
fn loose_basic(section: &str, case: &Value) -> bool {
    let Some((scheme, credential)) = authorization(case) else {
        return false;
    };
    scheme == "basic"
        && base64::engine::general_purpose::STANDARD
            .decode(&credential)
            .is_err()
        && matches!(
            ours(section, case),
            Some(Err(ResolveError::MalformedBasic(BasicError::Base64)))
        )
}

/// A JWT whose `exp` or `iat` is a boolean or a number that is not an i64 integer: the
/// reference reads a timestamp from it, the crate none; everything else agrees.
fn loose_timestamp(section: &str, case: &Value) -> bool {
    let Some((scheme, token)) = authorization(case) else {
        return false;
    };
    let payload = token.split('.').nth(1).and_then(|segment| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(segment.trim_end_matches('='))
            .ok()?;
        // json.loads skips a UTF-8 BOM, and so does the crate.
        let json = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        deserializer.disable_recursion_limit();
        <Value as serde::Deserialize>::deserialize(&mut deserializer).ok()
    });
    let loose = |claim: &str| {
        payload
            .as_ref()
            .and_then(|p| p.get(claim))
            .is_some_and(|v| v.is_boolean() || (v.is_number() && v.as_i64().is_none()))
    };
    let Some(Ok(Some(user))) = ours(section, case) else {
        return false;
    };
    let Some(jwt) = user.jwt() else {
        return false;
    };
    let mut got = serde_json::to_value(jwt).unwrap_or_default();
    let mut want = expect(case).get("jwt").cloned().unwrap_or_default();
    for (claim, field) in [("exp", "expires_at"), ("iat", "issued_at")] {
        if loose(claim) {
            for side in [&mut got, &mut want] {
                if let Some(object) = side.as_object_mut() {
                    object.remove(field);
                }
            }
        }
    }
    scheme == "bearer"
        && (loose("exp") || loose("iat"))
        && got == want
        && expect(case).get("user_id").and_then(Value::as_str)
            == Some(user.user_id().to_string().as_str())
}

/// The reference's WebSocket path reads headers as UTF-8 (skipping others) and parses cookies
/// with `SimpleCookie` (first match wins), unlike its HTTP path; the crate resolves both
/// transports like HTTP, and agrees with the reference's HTTP outcome for the same headers.
fn websocket_like_http(section: &str, case: &Value) -> bool {
    let Some(over_http) = expect(case).get("over_http") else {
        return false;
    };
    let Some(ours) = ours(section, case) else {
        return false;
    };
    if section != "websocket_query" {
        return false;
    }
    if vectors::compare(over_http, &ours).is_ok() {
        return true;
    }
    // Or the reference's HTTP outcome differs from the crate's by another rule.
    let mut as_http = case.clone();
    if let Some(object) = as_http.as_object_mut() {
        object.insert("expect".to_owned(), over_http.clone());
    }
    DIVERGENCES
        .iter()
        .filter(|(name, _)| *name != WEBSOCKET_LIKE_HTTP)
        .any(|(_, rule)| rule(section, &as_http))
}

/// The reference lets `?session=` replace the cookie unless the text `nat-session=` is in the
/// first `Cookie` header; the crate, unless a `nat-session` cookie is in any of them.
fn session_beside_cookie(section: &str, case: &Value) -> bool {
    let Some(headers) = case.get("headers").and_then(Value::as_array) else {
        return false;
    };
    let cookie_pairs: Vec<&Value> = headers
        .iter()
        .filter(|pair| pair.get(0).and_then(Value::as_str) == Some("cookie"))
        .collect();
    let cookies: Vec<&str> = cookie_pairs
        .iter()
        .filter_map(|pair| pair.get(1)?.as_str())
        .collect();
    let text_says = cookies.first().is_some_and(|c| c.contains("nat-session="));
    // Whether the crate sees a nat-session cookie: a probe id is used only when it does not.
    let Ok(only_cookies) = vectors::headers(&serde_json::json!({ "headers": cookie_pairs })) else {
        return false;
    };
    let probe = Resolver::new()
        .resolve(RequestView::new(&only_cookies).websocket(Some("session=probe-id")));
    let probe_used = matches!(&probe, Ok(Some(user)) if user.user_id() == axum_userinfo::identity::user_id_of_key("probe-id"));
    section == "websocket_query" && !cookies.is_empty() && text_says == probe_used
}

/// `re.match("^[…]+$")` accepts a trailing newline; the crate's match is exact.
fn session_newline(section: &str, case: &Value) -> bool {
    let session = case
        .get("session")
        .and_then(Value::as_str)
        .unwrap_or_default();
    section == "websocket_query"
        && session.strip_suffix('\n').is_some_and(|id| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        })
        && matches!(
            ours(section, case),
            Some(Err(ResolveError::InvalidSessionId))
        )
}

/// The reference's endpoint decodes the first `Cookie` header as UTF-8 before it resolves, and
/// fails on Latin-1 bytes; the crate reads every header as Latin-1.
fn endpoint_utf8(section: &str, case: &Value) -> bool {
    let error = expect(case)
        .get("reference_error")
        .and_then(Value::as_str)
        .unwrap_or_default();
    section == "websocket_query" && error.starts_with("the endpoint fails")
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("REFERENCE_PYTHON").map_or_else(
        || root.join("target/reference-venv/bin/python"),
        PathBuf::from,
    );
    if !python.exists() {
        let message = format!(
            "differential: no Python reference at {} (scripts/reference-venv.sh makes it)",
            python.display()
        );
        if std::env::var_os("CI").is_some() {
            eprintln!("{message}: required in CI");
            return ExitCode::FAILURE;
        }
        println!("{message}: skipped");
        return ExitCode::SUCCESS;
    }
    let seed: u64 = std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(1, |since| since.as_secs() % 1_000_000)
        });
    let count: usize = std::env::var("DIFFERENTIAL_COUNT")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(6000);
    println!("differential: seed {seed}, {count} cases (replay: DIFFERENTIAL_SEED={seed})");
    let output = Command::new(&python)
        .arg(root.join("scripts/differential.py"))
        .args(["--seed", &seed.to_string(), "--count", &count.to_string()])
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output.stdout,
        Ok(output) => {
            eprintln!(
                "differential: the generator failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("differential: cannot run {}: {err}", python.display());
            return ExitCode::FAILURE;
        }
    };
    let mut deserializer = serde_json::Deserializer::from_slice(&output);
    deserializer.disable_recursion_limit();
    let cases: Map<String, Value> = match serde::Deserialize::deserialize(&mut deserializer) {
        Ok(cases) => cases,
        Err(err) => {
            eprintln!("differential: the generator's output is not JSON: {err}");
            return ExitCode::FAILURE;
        }
    };

    let (mut passed, mut failed) = (0usize, 0usize);
    let mut explained: BTreeMap<&str, usize> = BTreeMap::new();
    for (section, list) in &cases {
        let Some(Some(check)) = vectors::checker(section) else {
            continue;
        };
        for case in list.as_array().into_iter().flatten() {
            let Err(diff) = check(case) else {
                passed += 1;
                continue;
            };
            match DIVERGENCES.iter().find(|(_, rule)| rule(section, case)) {
                Some((name, _)) => {
                    passed += 1;
                    *explained.entry(name).or_default() += 1;
                }
                None => {
                    failed += 1;
                    if failed <= 40 || std::env::var_os("DIFFERENTIAL_VERBOSE").is_some() {
                        let mut shown = case.to_string();
                        shown.truncate(600);
                        eprintln!("FAIL {section}: {diff}\n     {shown}");
                    }
                }
            }
        }
    }
    for (name, count) in &explained {
        println!("differential: {count} cases differ by design: {name}");
    }
    println!("differential: {passed} passed, {failed} failed");
    if failed == 0 && passed >= count / 2 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
