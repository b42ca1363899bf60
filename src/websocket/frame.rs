//! One WebSocket text frame handled by a resolver: an auth message resolved (or refused) and
//! the exact reply to send, or a frame that is not an auth message.

use secrecy::ExposeSecret;

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

impl Resolver {
    /// Resolves a parsed WebSocket auth message: `Ok(None)` for an OAuth mode preference,
    /// which is not a credential. The accepted kinds apply as for headers.
    ///
    /// # Errors
    /// The errors of the credential's kind, and
    /// [`ResolveError::AuthMessageWithIdentityHeader`](crate::ResolveError::AuthMessageWithIdentityHeader) when a trusted identity header is
    /// configured (an auth message must not replace the proxy's identity).
    pub(crate) fn resolve_auth_message(
        &self,
        message: &AuthMessage,
    ) -> Result<Option<UserInfo>, ResolveError> {
        if matches!(message, AuthMessage::OAuthModePreference { .. }) {
            return Ok(None);
        }
        if self.identity_header().is_some() {
            return Err(ResolveError::AuthMessageWithIdentityHeader);
        }
        let user = match message {
            AuthMessage::Jwt { token } => {
                self.accept(CredentialKind::Jwt)?;
                self.jwt_user(token.expose_secret().as_bytes())?
            }
            AuthMessage::ApiKey { token } => {
                self.accept(CredentialKind::ApiKey)?;
                UserInfo::from_api_key(token.expose_secret())?
            }
            AuthMessage::Basic { username, password } => {
                self.accept(CredentialKind::Basic)?;
                UserInfo::from_basic(BasicUserInfo::new(
                    username.as_str(),
                    password.expose_secret(),
                )?)
            }
            AuthMessage::OAuthModePreference { .. } => return Ok(None),
        };
        Ok(Some(user))
    }

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
        let limit = self.max_auth_frame_len();
        if frame.len() > limit {
            // Too long to parse: refused when it says it is an auth message, else not ours.
            memchr::memmem::find(frame.as_bytes(), br#""auth_message""#)?;
            let error = ResolveError::AuthFrameTooLarge { limit };
            return Some(HandledAuthMessage::Rejected {
                response: AuthResponse::error(&error),
                error,
            });
        }
        let resolved = match AuthMessage::parse(frame)? {
            Ok(AuthMessage::OAuthModePreference { mode }) => {
                return Some(HandledAuthMessage::OAuthModePreference(mode));
            }
            // Only an OAuth preference resolves to no user, and it returned above.
            Ok(message) => self.resolve_auth_message(&message).transpose()?,
            Err(error) => Err(error),
        };
        Some(match resolved {
            Ok(user) => HandledAuthMessage::Resolved {
                response: AuthResponse::success(user.user_id()),
                user,
            },
            Err(error) => HandledAuthMessage::Rejected {
                response: AuthResponse::error(&error),
                error,
            },
        })
    }
}
