//! WebSockets: the auth-message protocol, which needs no axum (`message.rs` in, `reply.rs`
//! out, `handled.rs` what a resolver made of a message; the resolver's side is
//! `resolve/frame.rs`), and the `?session=` id of an upgrade. The axum extractor and the
//! socket's identity (feature `ws`) are the crate root's [`WebSocketAuth`](crate::WebSocketAuth)
//! and [`SocketIdentity`](crate::SocketIdentity).

pub(crate) mod handled;
pub(crate) mod message;
pub(crate) mod reply;

#[doc(inline)]
pub use crate::parse::session_query::{SESSION_QUERY_PARAM, session_from_query};
#[doc(inline)]
pub use handled::HandledAuthMessage;
#[doc(inline)]
pub use message::{AUTH_MESSAGE_TYPE, AuthMessage, OAuthMode};
#[doc(inline)]
pub use reply::{AuthResponse, AuthStatus};
