//! The checkers of a vectors file's sections (the format of `../shared/conformance/vectors.json`),
//! shared by `tests/conformance.rs` and `tests/differential.rs`: each takes a case and says how
//! the crate's outcome differs from its `expect`, if it does.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use axum_userinfo::websocket::HandledAuthMessage;
use axum_userinfo::{
    AcceptedKinds, RequestView, ResolveError, Resolver, UserInfo, identity::BasicUserInfo,
    identity::JwtUserInfo, identity::UserDetails,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde_json::Value;

/// A resolution's outcome.
pub(crate) type Outcome = Result<Option<UserInfo>, ResolveError>;

/// A section's checker: how a case's outcome differs from its `expect`, if it does.
pub(crate) type Check = fn(&Value) -> Result<(), String>;

/// The checker of a section: `Some(None)` for a section that holds no cases, `None` for an
/// unknown section.
pub(crate) fn checker(section: &str) -> Option<Option<Check>> {
    Some(match section {
        "reference" | "namespace" | "about" | "seed" => None,
        "requests" => Some(check_request),
        "websocket_query" => Some(check_websocket_query),
        "auth_messages" => Some(check_auth_message),
        "user_ids" => Some(check_user_id),
        "policy" => Some(check_policy),
        "identity_header" => Some(check_identity_header),
        "issuer_scoped" => Some(check_issuer_scoped),
        _ => return None,
    })
}

pub(crate) fn field<'a>(case: &'a Value, key: &str) -> Result<&'a Value, String> {
    case.get(key)
        .ok_or_else(|| format!("the case has no `{key}`"))
}

pub(crate) fn str_field<'a>(case: &'a Value, key: &str) -> Result<&'a str, String> {
    field(case, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))
}

/// Header values are Latin-1 strings in the vectors: each character is one byte.
pub(crate) fn headers(case: &Value) -> Result<HeaderMap, String> {
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

pub(crate) fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(None) => "anonymous".to_owned(),
        Ok(Some(user)) => format!("user {} from {}", user.user_id(), user.source()),
        Err(err) => format!("error ({err})"),
    }
}

/// Compares an outcome with an `expect` object (`outcome`: user, anonymous, error, rejected).
pub(crate) fn compare(expect: &Value, got: &Outcome) -> Result<(), String> {
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

pub(crate) fn compare_user(expect: &Value, user: &UserInfo) -> Result<(), String> {
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

pub(crate) fn same_json(want: &Value, got: &Value, what: &str) -> Result<(), String> {
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

pub(crate) fn check_request(case: &Value) -> Result<(), String> {
    let headers = headers(case)?;
    let expect = field(case, "expect")?;
    let resolver = Resolver::new();
    compare(expect, &resolver.resolve(&headers))?;
    // A WebSocket upgrade resolves exactly like a plain request.
    compare(
        expect,
        &resolver.resolve(RequestView::new(&headers).websocket(None)),
    )
    .map_err(|diff| format!("as a WebSocket upgrade: {diff}"))
}

pub(crate) fn check_websocket_query(case: &Value) -> Result<(), String> {
    let headers = headers(case)?;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("session", str_field(case, "session")?)
        .finish();
    let got = Resolver::new().resolve(RequestView::new(&headers).websocket(Some(&query)));
    compare(field(case, "expect")?, &got)
}

pub(crate) fn check_auth_message(case: &Value) -> Result<(), String> {
    let frame = field(case, "message")?.to_string();
    let expect = field(case, "expect")?;
    let want_status = str_field(expect, "status")?;
    let (user, response) = match Resolver::new().handle_auth_frame(&frame) {
        // An OAuth mode preference: a routing hint, no reply.
        Some(HandledAuthMessage::OAuthModePreference(_)) if want_status == "none" => return Ok(()),
        Some(HandledAuthMessage::Resolved { user, response }) => (Some(user), response),
        Some(HandledAuthMessage::Rejected { response, .. }) => (None, response),
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

pub(crate) fn check_user_id(case: &Value) -> Result<(), String> {
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

pub(crate) fn check_policy(case: &Value) -> Result<(), String> {
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

pub(crate) fn check_identity_header(case: &Value) -> Result<(), String> {
    let resolver = Resolver::builder()
        .with_identity_header(str_field(case, "identity_header")?)
        .build()
        .map_err(|e| e.to_string())?;
    compare(field(case, "expect")?, &resolver.resolve(&headers(case)?))
}

pub(crate) fn check_issuer_scoped(case: &Value) -> Result<(), String> {
    let claims = field(case, "claims")?
        .as_object()
        .ok_or("`claims` is not an object")?;
    let got = JwtUserInfo::from_claims(claims.clone())
        .and_then(UserInfo::from_claims_unchecked)
        .map(Some);
    compare(field(case, "expect")?, &got)
}
