//! The WebSocket auth-message protocol, without axum: the inbound message (`message.rs`), the
//! reply (`reply.rs`), and one frame handled by a resolver (`frame.rs`).

pub(crate) mod frame;
pub(crate) mod message;
pub(crate) mod reply;
