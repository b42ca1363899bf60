//! WebSocket auth messages in: the reference's `auth_message` frame.
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
//! credential. The reply is in `reply.rs`.

use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::error::AuthMessageError;
use crate::error::ResolveError;

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
    /// use axum_userinfo::websocket::AuthMessage;
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
}
