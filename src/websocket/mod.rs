//! WebSockets: the auth-message protocol, which needs no axum (`message.rs` in, `reply.rs`
//! out, `handled.rs` what a resolver made of a message; the resolver's side is
//! `resolve/frame.rs`), and the `?session=` id of an upgrade. The axum extractor and the
//! socket's identity (feature `ws`) are the crate root's [`WebSocketAuth`](crate::WebSocketAuth)
//! and [`SocketIdentity`](crate::SocketIdentity).
//!
//! ## Security
//!
//! - **Cross-site WebSocket hijacking** (RFC 6455 §10.2): a browser attaches a site's cookies to a
//!   WebSocket upgrade whatever page opens it, and browsers do not apply CORS to WebSockets. With
//!   `ResolverBuilder::with_allowed_origins([...])`, an upgrade authenticated by an *ambient*
//!   credential, one the browser attaches by itself (the session cookie, and Basic credentials,
//!   which browsers cache and replay, RFC 6455 §10.5), must carry an allowed `Origin` (403 from
//!   the layer; error reply and close 1008 from `WebSocketAuth`). Tokens, API keys, `?session=`
//!   ids and auth messages are sent by the page's own code, are not ambient, and are not checked.
//!   Configure it whenever browsers hold the session cookie or Basic credentials.
//! - **WebSocket lifetimes.** A socket authenticated by a verified JWT (on the upgrade or by an
//!   auth message) lasts until the token's `exp` plus the leeway (`UserInfo::valid_until`):
//!   `SocketIdentity::recv` then closes it with 1008 "Authentication expired" unless a fresh auth
//!   message renewed it, and `SocketIdentity::user()` is `None` past it. It ends with its key
//!   too: once the key that verified the token leaves its issuer's key set (and the server has
//!   refetched), the next message closes the socket with 1008 "Authentication revoked", as HTTP
//!   refuses the token from then on (`UserInfo::is_still_valid`, for loops of your own). Until an anonymous
//!   socket authenticates, its auth handling and every reply are bounded by its deadline; a peer
//!   that never reads is dropped at the deadline, and close frames wait 1 s at most.

pub(crate) mod handled;
pub(crate) mod message;
pub(crate) mod reply;

#[doc(inline)]
pub use crate::parse::session_query::{
    ACCESS_TOKEN_QUERY_PARAM, SESSION_QUERY_PARAM, session_from_query,
};
#[doc(inline)]
pub use handled::HandledAuthMessage;
#[doc(inline)]
pub use message::{AUTH_MESSAGE_TYPE, AuthMessage, OAuthMode};
#[doc(inline)]
pub use reply::{AuthResponse, AuthStatus};
