//! WebSockets: the auth-message protocol (which needs no axum: `message.rs` in, `reply.rs`
//! out, `frame.rs` a frame handled by a resolver), the `?session=` id of an upgrade, and, with
//! the feature `ws`, the axum extractor and the socket's identity.

pub(crate) mod frame;
pub(crate) mod message;
pub(crate) mod reply;

#[cfg(feature = "ws")]
#[doc(inline)]
pub use crate::adapter::ws::{SocketIdentity, TextFrameAction, WebSocketAuth};
#[doc(inline)]
pub use crate::parse::session_query::{SESSION_QUERY_PARAM, session_from_query};
#[doc(inline)]
pub use frame::HandledAuthMessage;
#[doc(inline)]
pub use message::{AUTH_MESSAGE_TYPE, AuthMessage, OAuthMode};
#[doc(inline)]
pub use reply::{AuthResponse, AuthStatus};
