//! WebSocket auth messages: the reference's `auth_message` frame and its
//! `auth_response_message` reply.
//!
//! A client that cannot send headers authenticates by sending a JSON text frame:
//!
//! ```json
//! {"type": "auth_message", "payload": {"method": "jwt", "token": "eyJ…"}}
//! {"type": "auth_message", "payload": {"method": "api_key", "token": "sk-…"}}
//! {"type": "auth_message", "payload": {"method": "basic", "username": "…", "password": "…"}}
//! {"type": "auth_message", "payload": {"method": "oauth_mode_preference", "mode": "popup"}}
//! ```
//!
//! Unknown fields are refused, `timestamp` is an optional string, and token, username and
//! password must not be empty. `oauth_mode_preference` is a routing hint for OAuth flows, not a
//! credential. The reply is
//! `{"type":"auth_response_message","status":"success","user_id":"…","payload":null,"timestamp":"…"}`
//! or `"status":"error"` with `"payload":{"code":…,"message":…,"details":…}`: code
//! `invalid_message` for a malformed frame, `user_auth_error` for a refused credential.

use std::fmt;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{AuthMessageError, ResolveError};

/// The `type` of an auth message frame.
pub const AUTH_MESSAGE_TYPE: &str = "auth_message";

/// A parsed WebSocket `auth_message`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthMessage {
    /// `{"method": "jwt", "token": …}`: a JWT, decoded like a Bearer JWT.
    Jwt {
        /// The raw token.
        token: SecretString,
    },
    /// `{"method": "api_key", "token": …}`: an API key, whatever its shape.
    ApiKey {
        /// The key.
        token: SecretString,
    },
    /// `{"method": "basic", "username": …, "password": …}`.
    Basic {
        /// The username.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// `{"method": "oauth_mode_preference", "mode": …}`: how the client wants OAuth login pages
    /// opened. Not a credential.
    OAuthModePreference {
        /// The preferred mode.
        mode: OAuthMode,
    },
}

/// How a client wants an OAuth login page presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthMode {
    /// Navigate the page to the provider.
    Redirect,
    /// Open the provider in a popup window.
    Popup,
}

impl AuthMessage {
    /// Parses a text frame. `None` when the frame is not an auth message at all (not a JSON
    /// object whose `type` is `"auth_message"`): such frames belong to the application.
    ///
    /// ```
    /// use axum_userinfo::AuthMessage;
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"sk-1"}}"#;
    /// assert!(matches!(AuthMessage::parse(frame), Some(Ok(AuthMessage::ApiKey { .. }))));
    /// assert!(AuthMessage::parse(r#"{"type":"user_message"}"#).is_none());
    /// let empty = r#"{"type":"auth_message","payload":{"method":"api_key","token":""}}"#;
    /// assert!(matches!(AuthMessage::parse(empty), Some(Err(_))));
    /// ```
    #[must_use]
    pub fn parse(frame: &str) -> Option<Result<Self, ResolveError>> {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(frame) else {
            return None;
        };
        if message.get("type").and_then(Value::as_str) != Some(AUTH_MESSAGE_TYPE) {
            return None;
        }
        Some(Self::from_object(&message).map_err(ResolveError::InvalidAuthMessage))
    }

    fn from_object(message: &Map<String, Value>) -> Result<Self, AuthMessageError> {
        only_fields(message, &["type", "payload", "timestamp"])?;
        if message.get("timestamp").is_some_and(|t| !t.is_string()) {
            return Err(AuthMessageError::WrongType("timestamp"));
        }
        let payload = match message.get("payload") {
            Some(Value::Object(payload)) => payload,
            Some(_) => return Err(AuthMessageError::WrongType("payload")),
            None => return Err(AuthMessageError::MissingField("payload")),
        };
        match required_str(payload, "method")? {
            "jwt" => {
                only_fields(payload, &["method", "token"])?;
                let token = non_empty(payload, "token")?;
                Ok(Self::Jwt {
                    token: token.into(),
                })
            }
            "api_key" => {
                only_fields(payload, &["method", "token"])?;
                let token = non_empty(payload, "token")?;
                Ok(Self::ApiKey {
                    token: token.into(),
                })
            }
            "basic" => {
                only_fields(payload, &["method", "username", "password"])?;
                let username = non_empty(payload, "username")?.to_owned();
                let password = non_empty(payload, "password")?.into();
                Ok(Self::Basic { username, password })
            }
            "oauth_mode_preference" => {
                only_fields(payload, &["method", "mode"])?;
                let mode = match required_str(payload, "mode")? {
                    "redirect" => OAuthMode::Redirect,
                    "popup" => OAuthMode::Popup,
                    _ => return Err(AuthMessageError::UnknownMode),
                };
                Ok(Self::OAuthModePreference { mode })
            }
            _ => Err(AuthMessageError::UnknownMethod),
        }
    }
}

fn only_fields(object: &Map<String, Value>, allowed: &[&str]) -> Result<(), AuthMessageError> {
    if object.keys().all(|key| allowed.contains(&key.as_str())) {
        Ok(())
    } else {
        Err(AuthMessageError::UnexpectedField)
    }
}

fn required_str<'a>(
    object: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, AuthMessageError> {
    match object.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(AuthMessageError::WrongType(field)),
        None => Err(AuthMessageError::MissingField(field)),
    }
}

fn non_empty<'a>(
    object: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, AuthMessageError> {
    let value = required_str(object, field)?;
    if value.is_empty() {
        Err(AuthMessageError::Empty(field))
    } else {
        Ok(value)
    }
}

/// The reference's `auth_response_message`, the reply to an auth message.
///
/// ```
/// use axum_userinfo::{AuthResponse, UserInfo};
/// let user = UserInfo::from_api_key("sk-service-abc123")?;
/// let json = AuthResponse::success(user.user_id()).to_json();
/// assert!(json.starts_with(
///     r#"{"type":"auth_response_message","status":"success","user_id":"06d2b7c6-c9cf-58f3-a90b-ed272501211d","payload":null,"timestamp":""#
/// ));
/// # Ok::<(), axum_userinfo::ResolveError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthResponse {
    #[serde(rename = "type")]
    kind: &'static str,
    status: AuthStatus,
    user_id: Option<Uuid>,
    payload: Option<AuthErrorPayload>,
    #[serde(serialize_with = "python_utc_timestamp")]
    timestamp: OffsetDateTime,
}

/// Whether an auth message resolved a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthStatus {
    /// A user was resolved; the reply carries its `user_id`.
    Success,
    /// The message or its credential was refused; the reply carries an error payload.
    Error,
}

/// The reference's error payload: `{"code", "message", "details"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthErrorPayload {
    /// `user_auth_error` or `invalid_message`.
    pub code: ErrorCode,
    /// A short, fixed summary.
    pub message: &'static str,
    /// What went wrong; never a credential.
    pub details: String,
}

/// The reference's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// A credential that cannot be resolved, or is not accepted.
    UserAuthError,
    /// A message that does not have the expected shape.
    InvalidMessage,
}

impl ErrorCode {
    /// `user_auth_error` or `invalid_message`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserAuthError => "user_auth_error",
            Self::InvalidMessage => "invalid_message",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AuthErrorPayload {
    /// The payload for `error`: `invalid_message` for a malformed request, `user_auth_error`
    /// (with the reference's message "Authentication failed") for everything else.
    #[must_use]
    pub fn new(error: &ResolveError) -> Self {
        let (code, message) = if error.is_malformed_request() {
            (ErrorCode::InvalidMessage, "Error validating message.")
        } else {
            (ErrorCode::UserAuthError, "Authentication failed")
        };
        Self {
            code,
            message,
            details: error.to_string(),
        }
    }
}

impl AuthResponse {
    /// A success reply for `user_id`, stamped now.
    #[must_use]
    pub fn success(user_id: Uuid) -> Self {
        Self::new(AuthStatus::Success, Some(user_id), None)
    }

    /// An error reply for `error`, stamped now.
    #[must_use]
    pub fn error(error: &ResolveError) -> Self {
        Self::new(AuthStatus::Error, None, Some(AuthErrorPayload::new(error)))
    }

    fn new(status: AuthStatus, user_id: Option<Uuid>, payload: Option<AuthErrorPayload>) -> Self {
        Self {
            kind: "auth_response_message",
            status,
            user_id,
            payload,
            timestamp: OffsetDateTime::now_utc(),
        }
    }

    /// The status.
    #[must_use]
    pub fn status(&self) -> AuthStatus {
        self.status
    }

    /// The resolved user id, on success.
    #[must_use]
    pub fn user_id(&self) -> Option<Uuid> {
        self.user_id
    }

    /// The error payload, on error.
    #[must_use]
    pub fn error_payload(&self) -> Option<&AuthErrorPayload> {
        self.payload.as_ref()
    }

    /// The reply as the compact JSON text frame to send.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing plain strings, a UUID and a timestamp into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Python's `str(datetime.now(timezone.utc))`: `2026-11-24 09:30:00.123456+00:00`, the
/// fraction omitted when it is zero.
fn python_utc_timestamp<S: serde::Serializer>(
    at: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let at = at.to_offset(time::UtcOffset::UTC);
    let micros = at.microsecond();
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    serializer.collect_str(&format_args!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction}+00:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(frame: Value) -> Option<Result<AuthMessage, ResolveError>> {
        AuthMessage::parse(&frame.to_string())
    }

    #[test]
    fn shapes() {
        use serde_json::json;
        let ok = [
            json!({"type": "auth_message", "payload": {"method": "jwt", "token": "a.b.c"}}),
            json!({"type": "auth_message", "payload": {"method": "basic", "username": "u", "password": "p"}, "timestamp": "t"}),
            json!({"type": "auth_message", "payload": {"method": "oauth_mode_preference", "mode": "popup"}}),
        ];
        for frame in ok {
            assert!(matches!(parse(frame.clone()), Some(Ok(_))), "{frame}");
        }
        let bad = [
            (
                json!({"type": "auth_message"}),
                AuthMessageError::MissingField("payload"),
            ),
            (
                json!({"type": "auth_message", "payload": "api_key"}),
                AuthMessageError::WrongType("payload"),
            ),
            (
                json!({"type": "auth_message", "payload": {}}),
                AuthMessageError::MissingField("method"),
            ),
            (
                json!({"type": "auth_message", "payload": {"method": "oauth", "token": "x"}}),
                AuthMessageError::UnknownMethod,
            ),
            (
                json!({"type": "auth_message", "payload": {"method": "api_key", "token": 1}}),
                AuthMessageError::WrongType("token"),
            ),
            (
                json!({"type": "auth_message", "payload": {"method": "api_key", "token": "k", "x": 1}}),
                AuthMessageError::UnexpectedField,
            ),
            (
                json!({"type": "auth_message", "x": 1, "payload": {"method": "api_key", "token": "k"}}),
                AuthMessageError::UnexpectedField,
            ),
            (
                json!({"type": "auth_message", "timestamp": 5, "payload": {"method": "api_key", "token": "k"}}),
                AuthMessageError::WrongType("timestamp"),
            ),
            (
                json!({"type": "auth_message", "payload": {"method": "basic", "username": "u", "password": ""}}),
                AuthMessageError::Empty("password"),
            ),
            (
                json!({"type": "auth_message", "payload": {"method": "oauth_mode_preference", "mode": "tab"}}),
                AuthMessageError::UnknownMode,
            ),
        ];
        for (frame, want) in bad {
            let got = parse(frame.clone()).and_then(Result::err);
            assert_eq!(got, Some(ResolveError::InvalidAuthMessage(want)), "{frame}");
        }
        for other in [
            "not json",
            "[]",
            r#"{"type":"user_message"}"#,
            r#"{"payload":{}}"#,
        ] {
            assert!(AuthMessage::parse(other).is_none(), "{other}");
        }
    }

    #[test]
    fn replies() {
        let error = ResolveError::NoIdentityClaim;
        let reply: Value = serde_json::from_str(&AuthResponse::error(&error).to_json()).unwrap();
        assert_eq!(reply["type"], "auth_response_message");
        assert_eq!(reply["status"], "error");
        assert_eq!(reply["user_id"], Value::Null);
        assert_eq!(reply["payload"]["code"], "user_auth_error");
        assert_eq!(reply["payload"]["message"], "Authentication failed");
        assert_eq!(reply["payload"]["details"], error.to_string());
        let invalid = ResolveError::InvalidAuthMessage(AuthMessageError::UnknownMethod);
        assert_eq!(
            AuthResponse::error(&invalid).payload.map(|p| p.code),
            Some(ErrorCode::InvalidMessage)
        );
    }

    #[test]
    fn timestamps_look_like_python() {
        let stamp = |at: OffsetDateTime| {
            let mut reply = AuthResponse::success(Uuid::nil());
            reply.timestamp = at;
            let json: Value = serde_json::from_str(&reply.to_json()).unwrap();
            json["timestamp"].as_str().unwrap().to_owned()
        };
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(stamp(at), "2023-11-14 22:13:20+00:00");
        let at = at + time::Duration::microseconds(42);
        assert_eq!(stamp(at), "2023-11-14 22:13:20.000042+00:00");
    }
}
