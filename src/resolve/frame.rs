//! A WebSocket text frame as the engine reads it: not an auth message (it belongs to the
//! application), an OAuth preference (answered without a credential), a refusal before any
//! credential (too long, malformed), or an auth message whose credential the engine resolves
//! as a request's.

use std::borrow::Cow;

use secrecy::ExposeSecret as _;

use crate::error::ResolveError;
use crate::resolve::config::Config;
use crate::resolve::credential::{Basic, Credential};
use crate::websocket::handled::HandledAuthMessage;
use crate::websocket::message::AuthMessage;

/// A frame, read.
pub(crate) enum Frame {
    /// Handled already (an OAuth preference).
    Handled(HandledAuthMessage),
    /// Refused before any credential was read.
    Refused(ResolveError),
    /// An auth message, whose credential is to be resolved.
    Message(AuthMessage),
}

/// Reads `frame`: `None` when it is not an auth message.
pub(crate) fn read(config: &Config, frame: &str) -> Option<Frame> {
    let limit = config.max_auth_frame_len;
    if frame.len() > limit {
        // Too long to parse: refused when it says it is an auth message, else not ours.
        memchr::memmem::find(frame.as_bytes(), br#""auth_message""#)?;
        return Some(Frame::Refused(ResolveError::AuthFrameTooLarge { limit }));
    }
    Some(match AuthMessage::parse(frame)? {
        Ok(AuthMessage::OAuthModePreference { mode }) => {
            Frame::Handled(HandledAuthMessage::OAuthModePreference(mode))
        }
        Ok(message) => Frame::Message(message),
        Err(error) => Frame::Refused(error),
    })
}

/// The credential an auth message carries (`None` for an OAuth preference, which carries
/// none).
pub(crate) fn credential(message: &AuthMessage) -> Option<Credential<'_>> {
    Some(match message {
        AuthMessage::OAuthModePreference { .. } => return None,
        AuthMessage::Jwt { token } => Credential::Jwt(token.expose_secret().as_bytes()),
        AuthMessage::ApiKey { token } => Credential::ApiKey(Cow::Borrowed(token.expose_secret())),
        AuthMessage::Basic { username, password } => Credential::Basic(Basic::Parts {
            username,
            password: password.expose_secret(),
        }),
    })
}
