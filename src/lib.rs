#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod adapter;
mod error;
mod error_body;
mod identity;
mod parse;
mod resolve;
#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(feature = "verify")]
mod verify;
mod websocket;

#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::layer::{ResponseFuture, UserInfoLayer, UserInfoService};
#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::rejection::UserInfoRejection;
#[cfg(feature = "ws")]
#[doc(inline)]
pub use adapter::ws::{SocketIdentity, TextFrameAction, WebSocketAuth};
#[doc(inline)]
pub use error::{
    AuthMessageError, BasicError, Challenge, ClaimsError, ConfigError, JwtError, ResolveError,
    Segment, VerifyError, WEBSOCKET_CLOSE_POLICY,
};
#[doc(inline)]
pub use error_body::{AuthErrorPayload, ErrorCode};
#[doc(inline)]
pub use identity::jwt_claims::JwtUserInfo;
#[doc(inline)]
pub use identity::user_id::{NAMESPACE, user_id};
#[doc(inline)]
pub use identity::user_info::{BasicUserInfo, Source, UserDetails, UserInfo};
#[cfg(feature = "verify")]
/// The `jsonwebtoken` crate this crate verifies with, for its [`Algorithm`](jsonwebtoken::Algorithm)
/// and [`Jwk`](jsonwebtoken::jwk::Jwk) types.
pub use jsonwebtoken;
#[doc(inline)]
pub use parse::cookie::SESSION_COOKIE;
#[doc(inline)]
pub use parse::session_query::{SESSION_QUERY_PARAM, session_from_query};
#[doc(inline)]
pub use resolve::builder::ResolverBuilder;
#[doc(inline)]
pub use resolve::kinds::{AcceptedKinds, CredentialKind};
#[doc(inline)]
pub use resolve::limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT,
};
#[doc(inline)]
pub use resolve::request::RequestView;
#[doc(inline)]
pub use resolve::{Resolver, X_API_KEY};
#[cfg(feature = "verify")]
#[doc(inline)]
pub use verify::{
    CachePolicy, DEFAULT_LEEWAY, JwtVerifier, JwtVerifierBuilder, MAX_LEEWAY, MIN_HMAC_SECRET_LEN,
    MIN_RSA_BITS, VerificationKey,
};
#[doc(inline)]
pub use websocket::frame::HandledAuthMessage;
#[doc(inline)]
pub use websocket::message::{AUTH_MESSAGE_TYPE, AuthMessage, OAuthMode};
#[doc(inline)]
pub use websocket::reply::{AuthResponse, AuthStatus};
