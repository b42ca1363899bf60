#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod adapter;
pub mod api_keys;
pub mod authorize;
#[cfg(feature = "dpop")]
pub mod dpop;
pub mod error;
mod error_body;
pub mod forward_auth;
pub mod identity;
#[cfg(feature = "introspection")]
pub mod introspect;
pub mod mcp;
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
mod metrics;
pub mod mtls;
#[cfg(feature = "utoipa")]
pub mod openapi;
mod parse;
pub mod refusal;
mod resolve;
#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(feature = "verify")]
pub mod verify;
pub mod websocket;

/// The tower middleware and its axum pieces (feature `axum`): the layer, its service and its
/// response future, as tower-http lays them out; the guard's service; what answers a refusal;
/// the RFC 9728 metadata route; the MCP policy and header-check layers.
#[cfg(feature = "axum")]
pub mod layer {
    #[doc(inline)]
    pub use crate::adapter::guard::GuardService;
    #[doc(inline)]
    pub use crate::adapter::layer::{ResponseFuture, UserInfoService};
    #[doc(inline)]
    pub use crate::adapter::mcp::{
        DEFAULT_MCP_BODY_LIMIT, McpHeaderCheck, McpHeaderCheckFuture, McpHeaderCheckService,
        McpPolicyLayer, McpPolicyService, mcp_header_refusal,
    };
    #[doc(inline)]
    pub use crate::adapter::on_rejection::{DefaultRejection, OnRejection};
    #[doc(inline)]
    pub use crate::adapter::resource_metadata::resource_metadata_routes;
}

/// The resolver's default size and time limits.
pub mod limits {
    #[doc(inline)]
    pub use crate::resolve::limits::{
        DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT,
    };
}

#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::claims::Claims;
#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::guard::{Authorized, GuardLayer, RouteGuard};
#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::layer::UserInfoLayer;
#[cfg(feature = "axum")]
#[doc(inline)]
pub use adapter::rejection::UserInfoRejection;
#[cfg(feature = "ws")]
#[doc(inline)]
pub use adapter::ws::{SocketIdentity, TextFrameAction, WebSocketAuth};
#[doc(inline)]
pub use authorize::Guard;
#[doc(inline)]
pub use error::{ConfigError, ResolveError};
#[doc(inline)]
pub use identity::kinds::{AcceptedKinds, CredentialKind};
#[doc(inline)]
pub use identity::user_info::{Source, UserInfo};
#[doc(inline)]
pub use parse::cookie::SESSION_COOKIE;
#[doc(inline)]
pub use resolve::builder::ResolverBuilder;
#[doc(inline)]
pub use resolve::pending::Pending;
#[doc(inline)]
pub use resolve::request::RequestView;
#[doc(inline)]
pub use resolve::{Resolver, X_API_KEY};
