//! WebSocket auth messages out: the reference's `auth_response_message` reply,
//! `{"type":"auth_response_message","status":"success","user_id":"…","payload":null,"timestamp":"…"}`
//! or `"status":"error"` with the error body (`error_body.rs`) as `payload`: code
//! `invalid_message` for a malformed frame, `user_auth_error` for a refused credential.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::AuthErrorPayload;
use crate::error::ResolveError;

/// The reference's `auth_response_message`, the reply to an auth message.
///
/// ```
/// use axum_userinfo::UserInfo;
/// use axum_userinfo::websocket::AuthResponse;
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

    /// The error reply to an auth message whose user a [`Guard`](crate::Guard) refused (the
    /// payload of [`AuthErrorPayload::denied`]).
    #[must_use]
    pub fn denied(denied: &crate::authorize::Denied) -> Self {
        Self::new(
            AuthStatus::Error,
            None,
            Some(AuthErrorPayload::denied(denied)),
        )
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
    use serde_json::Value;

    use crate::error::{AuthMessageError, ErrorCode};

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
