//! The axum adapters (feature `axum`, default): thin layers over the core, which knows no axum.
//!
//! | file | concern |
//! | --- | --- |
//! | `layer.rs` | [`UserInfoLayer`](crate::UserInfoLayer), its service and response future |
//! | `guard.rs` | [`GuardLayer`](crate::GuardLayer) and the [`Authorized`](crate::Authorized) extractor: a [`Guard`](crate::Guard) on routes |
//! | `extract.rs` | `UserInfo` and `Option<UserInfo>` as extractors |
//! | `claims.rs` | [`Claims<T>`](crate::Claims): a verified token's claims as the handler's type |
//! | `mcp.rs` | [`McpPolicyLayer`](crate::layer::McpPolicyLayer) and [`McpHeaderCheck`](crate::layer::McpHeaderCheck): MCP operations authorized, headers checked against the body |
//! | `on_rejection.rs` | [`OnRejection`](crate::layer::OnRejection): a refusal in any stack's body type |
//! | `grpc.rs` | a refusal as a gRPC trailers-only response ([`UserInfoRejection::into_grpc`](crate::UserInfoRejection::into_grpc)) |
//! | `rejection.rs` | [`UserInfoRejection`](crate::UserInfoRejection): a refusal as a response |
//! | `ws.rs` | [`WebSocketAuth`](crate::WebSocketAuth) and [`SocketIdentity`](crate::SocketIdentity) (feature `ws`) |
//! | `resource_metadata.rs` | [`resource_metadata_routes`](crate::layer::resource_metadata_routes): the RFC 9728 document |
//! | `request.rs` | an axum request as the core's request view, and the layer's extensions |

pub(crate) mod claims;
pub(crate) mod extract;
pub(crate) mod grpc;
pub(crate) mod guard;
pub(crate) mod layer;
pub(crate) mod mcp;
pub(crate) mod on_rejection;
pub(crate) mod rejection;
pub(crate) mod request;
pub(crate) mod resource_metadata;
#[cfg(feature = "ws")]
pub(crate) mod ws;
