#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod adapter;
mod auth_message;
mod authorization;
mod basic;
mod connection;
mod cookie;
mod error;
mod identity_header;
mod jwt;
mod jwt_user_info;
mod limits;
mod policy;
mod resolve_async;
mod resolver;
mod scan;
mod session_query;
#[cfg(feature = "test-util")]
pub mod test_util;
mod text;
mod user_id;
mod user_info;
#[cfg(feature = "verify")]
mod verify;

#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::layer::{ResponseFuture, UserInfoLayer, UserInfoService};
#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::rejection::UserInfoRejection;
#[cfg(feature = "ws")]
#[doc(inline)]
pub use adapter::ws::{AuthOutcome, SocketIdentity, WebSocketAuth};
#[doc(inline)]
pub use auth_message::{
    AUTH_MESSAGE_TYPE, AuthErrorPayload, AuthMessage, AuthResponse, AuthStatus, ErrorCode,
    OAuthMode,
};
#[doc(inline)]
pub use connection::Connection;
#[doc(inline)]
pub use cookie::SESSION_COOKIE;
#[doc(inline)]
pub use error::{
    AuthMessageError, BasicError, Challenge, ClaimsError, ConfigError, JwtError, ResolveError,
    Segment, VerifyError, WEBSOCKET_CLOSE_POLICY,
};
#[cfg(feature = "verify")]
/// The `jsonwebtoken` crate this crate verifies with, for its [`Algorithm`](jsonwebtoken::Algorithm)
/// and [`Jwk`](jsonwebtoken::jwk::Jwk) types.
pub use jsonwebtoken;
#[doc(inline)]
pub use jwt_user_info::JwtUserInfo;
#[doc(inline)]
pub use limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT,
};
#[doc(inline)]
pub use policy::{AcceptedKinds, CredentialKind};
#[doc(inline)]
pub use resolver::{AuthFrame, Resolver, ResolverBuilder, X_API_KEY};
#[doc(inline)]
pub use session_query::{SESSION_QUERY_PARAM, session_from_query};
#[doc(inline)]
pub use user_id::{NAMESPACE, user_id};
#[doc(inline)]
pub use user_info::{BasicUserInfo, Source, UserDetails, UserInfo};
#[cfg(feature = "verify")]
#[doc(inline)]
pub use verify::{
    CachePolicy, DEFAULT_LEEWAY, JwtVerifier, JwtVerifierBuilder, MAX_LEEWAY, MIN_HMAC_SECRET_LEN,
    MIN_RSA_BITS, VerificationKey,
};
