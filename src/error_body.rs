//! The reference's error object, `{"code", "message", "details"}`: the body of a refused HTTP
//! request and the `payload` of a WebSocket error reply.

use std::fmt;

use serde::Serialize;

/// The reference's error payload: `{"code", "message", "details"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthErrorPayload {
    /// `user_auth_error`, `invalid_message`, or a guard's `insufficient_scope` / `forbidden`.
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
    /// A user who lacks a scope the route requires (a [`Guard`](crate::Guard)'s 403).
    InsufficientScope,
    /// A user who lacks a role, a group or a predicate the route requires (a guard's 403).
    Forbidden,
}

impl ErrorCode {
    /// `user_auth_error`, `invalid_message`, `insufficient_scope` or `forbidden`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserAuthError => "user_auth_error",
            Self::InvalidMessage => "invalid_message",
            Self::InsufficientScope => "insufficient_scope",
            Self::Forbidden => "forbidden",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
