//! One WebSocket text frame handled by a resolver: an auth message resolved (or refused) and
//! the exact reply to send, or a frame that is not an auth message.

use secrecy::ExposeSecret;

use crate::resolve::halt::Halt;
use crate::websocket::{AuthMessage, AuthResponse, OAuthMode};
use crate::{BasicUserInfo, CredentialKind, ResolveError, Resolver, UserInfo};

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
    pub(crate) fn from_result(resolved: Result<UserInfo, ResolveError>) -> Self {
        crate::metrics::resolution(resolved.as_ref().map(Some));
        match resolved {
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

impl Resolver {
    /// Handles one WebSocket text frame: `None` when it is not an auth message (it belongs to
    /// the application), else the identity and the exact reply to send.
    ///
    /// ```
    /// use axum_userinfo::Resolver;
    /// use axum_userinfo::websocket::HandledAuthMessage;
    /// let frame = r#"{"type":"auth_message","payload":{"method":"api_key","token":"sk-service-abc123"}}"#;
    /// let Some(HandledAuthMessage::Resolved { user, response }) = Resolver::new().handle_auth_frame(frame) else {
    ///     panic!("resolves");
    /// };
    /// assert_eq!(user.user_id().to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
    /// assert!(response.to_json().contains(r#""status":"success""#));
    /// ```
    #[must_use]
    pub fn handle_auth_frame(&self, frame: &str) -> Option<HandledAuthMessage> {
        Some(match self.frame_first_pass(frame)? {
            Ok(handled) => handled,
            Err(halt) => HandledAuthMessage::from_result(Err(halt.into_error())),
        })
    }

    /// As [`handle_auth_frame`](Self::handle_auth_frame), waiting for the issuer's keys when
    /// the message's JWT needs them: the message is parsed once, and the token finished after
    /// at most one refetch, shared with every token that missed the same issuer.
    pub async fn handle_auth_frame_async(&self, frame: &str) -> Option<HandledAuthMessage> {
        Some(match self.frame_first_pass(frame)? {
            Ok(handled) => handled,
            Err(halt) => HandledAuthMessage::from_result(halt.finish().await),
        })
    }

    /// A frame handled without waiting: `None` when it is not an auth message; else the
    /// handled message, or why its credential stopped short (a refusal, or a JWT that waits
    /// for its issuer's keys).
    fn frame_first_pass(&self, frame: &str) -> Option<Result<HandledAuthMessage, Halt>> {
        let limit = self.max_auth_frame_len();
        if frame.len() > limit {
            // Too long to parse: refused when it says it is an auth message, else not ours.
            memchr::memmem::find(frame.as_bytes(), br#""auth_message""#)?;
            return Some(Err(ResolveError::AuthFrameTooLarge { limit }.into()));
        }
        let message = match AuthMessage::parse(frame)? {
            Ok(message) => message,
            Err(error) => return Some(Err(error.into())),
        };
        // The accepted kinds apply as for headers; an auth message must not replace a trusted
        // proxy's identity.
        let user = match &message {
            AuthMessage::OAuthModePreference { mode } => {
                return Some(Ok(HandledAuthMessage::OAuthModePreference(*mode)));
            }
            _ if self.identity_header().is_some() => {
                Err(ResolveError::AuthMessageWithIdentityHeader.into())
            }
            AuthMessage::Jwt { token } => self
                .accept(CredentialKind::Jwt)
                .map_err(Halt::from)
                .and_then(|()| self.jwt_user(token.expose_secret().as_bytes())),
            AuthMessage::ApiKey { token } => self
                .accept(CredentialKind::ApiKey)
                .and_then(|()| UserInfo::from_api_key(token.expose_secret()))
                .map_err(Halt::from),
            AuthMessage::Basic { username, password } => self
                .accept(CredentialKind::Basic)
                .and_then(|()| BasicUserInfo::new(username.as_str(), password.expose_secret()))
                .map(UserInfo::from_basic)
                .map_err(Halt::from),
        };
        Some(user.map(|user| HandledAuthMessage::from_result(Ok(user))))
    }
}
