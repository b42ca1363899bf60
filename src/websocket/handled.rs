//! What a resolver made of one WebSocket auth message: the identity and the exact reply to
//! send, or the refusal and its reply.

use crate::error::{AuthMessageError, ResolveError};
use crate::identity::user_info::UserInfo;
use crate::websocket::message::OAuthMode;
use crate::websocket::reply::AuthResponse;

/// What [`Resolver::handle_auth_frame`](crate::Resolver::handle_auth_frame) made of a WebSocket auth message.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HandledAuthMessage {
    /// The credential resolved: the socket's identity becomes `user`; send `response`.
    Resolved {
        /// The user.
        user: UserInfo,
        /// The success reply to send.
        response: AuthResponse,
    },
    /// The message or its credential was refused; send `response`.
    Rejected {
        /// Why.
        error: ResolveError,
        /// The error reply to send.
        response: AuthResponse,
    },
    /// An OAuth presentation preference: no identity and no reply.
    OAuthModePreference(OAuthMode),
}

impl HandledAuthMessage {
    /// The reply to a resolved credential, or to a refusal.
    pub(crate) fn from_result(resolved: Result<Option<UserInfo>, ResolveError>) -> Self {
        // An auth message always carries a credential: never anonymous.
        let missing =
            || ResolveError::InvalidAuthMessage(AuthMessageError::MissingField("payload"));
        match resolved.and_then(|user| user.ok_or_else(missing)) {
            Ok(user) => Self::Resolved {
                response: AuthResponse::success(user.user_id()),
                user,
            },
            Err(error) => Self::Rejected {
                response: AuthResponse::error(&error),
                error,
            },
        }
    }
}
