//! A whole HTTP request resolved: WebSocket upgrades take the `?session=` id into account, and
//! the outcome is kept in the request's extensions for the extractors.

use http::header::UPGRADE;
use http::{HeaderMap, Method, Uri};

use crate::{ResolveError, Resolver, UserInfo};

/// What [`UserInfoLayer`](crate::UserInfoLayer) left in a request's extensions: the outcome
/// (`None` for anonymous) and the resolver that produced it.
#[derive(Debug, Clone)]
pub(crate) struct Resolution {
    pub(crate) user: Option<UserInfo>,
    #[cfg_attr(
        not(feature = "ws"),
        allow(dead_code, reason = "read by the WebSocket extractor")
    )]
    pub(crate) resolver: Resolver,
}

/// Whether a request asks for a WebSocket (HTTP/1.1 `Upgrade: websocket`, or HTTP/2's extended
/// `CONNECT`).
pub(crate) fn is_websocket_upgrade(method: &Method, headers: &HeaderMap) -> bool {
    *method == Method::CONNECT
        || headers
            .get(UPGRADE)
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"websocket"))
}

/// Resolves a request; a WebSocket upgrade's `?session=` id counts, any other request's does not.
pub(crate) fn resolve(
    resolver: &Resolver,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<UserInfo>, ResolveError> {
    if is_websocket_upgrade(method, headers) {
        resolver.resolve_websocket(headers, uri.query())
    } else {
        resolver.resolve(headers)
    }
}
