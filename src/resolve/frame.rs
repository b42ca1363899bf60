//! One WebSocket text frame handled by a resolver: an auth message's credential resolved by the
//! engine, as a request's is, and the exact reply to send; or a frame that is not an auth
//! message (it belongs to the application).

use std::borrow::Cow;

use secrecy::ExposeSecret as _;

use crate::error::ResolveError;
use crate::resolve::Resolver;
use crate::resolve::credential::{Basic, Credential, Presented};
use crate::resolve::pending::{Pending, Trace};
use crate::websocket::handled::HandledAuthMessage;
use crate::websocket::message::AuthMessage;

/// A frame's first pass: handled already, or a resolution under way.
enum Frame {
    Handled(HandledAuthMessage),
    Pending(Pending),
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
        Some(match self.begin_frame(frame)? {
            Frame::Handled(handled) => handled,
            Frame::Pending(pending) => HandledAuthMessage::from_result(pending.now()),
        })
    }

    /// As [`handle_auth_frame`](Self::handle_auth_frame), waiting for the issuer's keys when
    /// the message's JWT needs them: the message is parsed once, and the token finished after
    /// at most one refetch, shared with every token that missed the same issuer.
    pub async fn handle_auth_frame_async(&self, frame: &str) -> Option<HandledAuthMessage> {
        Some(match self.begin_frame(frame)? {
            Frame::Handled(handled) => handled,
            Frame::Pending(pending) => HandledAuthMessage::from_result(pending.finish().await),
        })
    }

    /// A frame's first pass: `None` when it is not an auth message; else a handled message
    /// (an OAuth preference) or the resolution of its credential, under way.
    fn begin_frame(&self, frame: &str) -> Option<Frame> {
        let limit = self.config().max_auth_frame_len;
        if frame.len() > limit {
            // Too long to parse: refused when it says it is an auth message, else not ours.
            memchr::memmem::find(frame.as_bytes(), br#""auth_message""#)?;
            let error = ResolveError::AuthFrameTooLarge { limit };
            return Some(Frame::Pending(Pending::refused(error, Trace::start())));
        }
        let message = match AuthMessage::parse(frame)? {
            Ok(message) => message,
            Err(error) => return Some(Frame::Pending(Pending::refused(error, Trace::start()))),
        };
        let credential = match &message {
            AuthMessage::OAuthModePreference { mode } => {
                return Some(Frame::Handled(HandledAuthMessage::OAuthModePreference(
                    *mode,
                )));
            }
            AuthMessage::Jwt { token } => Credential::Jwt(token.expose_secret().as_bytes()),
            AuthMessage::ApiKey { token } => {
                Credential::ApiKey(Cow::Borrowed(token.expose_secret()))
            }
            AuthMessage::Basic { username, password } => Credential::Basic(Basic::Parts {
                username,
                password: password.expose_secret(),
            }),
        };
        // A resolution's span: an OAuth preference is none.
        let span = Trace::start();
        let step = span.in_scope(|| {
            span.source(&credential);
            // An auth message must not replace a trusted proxy's identity.
            if self.config().identity_header.is_some() {
                Err(ResolveError::AuthMessageWithIdentityHeader)?;
            }
            self.identity(Presented::sent(credential)).map(Some)
        });
        Some(Frame::Pending(Pending::new(step, span)))
    }
}
