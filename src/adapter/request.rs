//! A whole HTTP request resolved: WebSocket upgrades take the `?session=` id into account, and
//! the outcome is kept in the request's extensions for the extractors.

use http::header::{CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use http::request::Parts;
use http::{Extensions, HeaderMap, Method, Uri};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;

use crate::error::ResolveError;
use crate::identity::user_info::UserInfo;
use crate::mtls::ClientCertificate;
use crate::refusal::Challenges;
use crate::resolve::Resolver;
use crate::resolve::request::RequestView;

/// Left in a request's extensions by [`UserInfoLayer`](crate::UserInfoLayer) when it let an
/// anonymous request through (a resolved user is left as the [`UserInfo`] itself).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anonymous;

/// Left by the layer on a WebSocket upgrade: its resolver, for the socket's auth messages.
#[cfg(feature = "ws")]
#[derive(Debug, Clone)]
pub(crate) struct UpgradeResolver(pub(crate) Resolver);

/// Left by the layer when its resolver's challenges are not the default ones (it refuses
/// Basic, checks DPoP, describes a protected resource): the challenges, so that guards and
/// extractors behind it refuse as the layer does. (Left out otherwise: one less allocation
/// per request.)
#[derive(Debug, Clone)]
pub(crate) struct LayerChallenges(pub(crate) Arc<Challenges>);

/// The challenges of the layer's resolver, for a request the layer let through (`None`: the
/// default ones).
pub(crate) fn layer_challenges(extensions: &Extensions) -> Option<Arc<Challenges>> {
    extensions
        .get::<LayerChallenges>()
        .map(|by| Arc::clone(&by.0))
}

/// What a layer resolved for this request: `None` when no layer ran.
pub(crate) fn resolved_by_layer(extensions: &Extensions) -> Option<Option<UserInfo>> {
    layer_user(extensions).map(|user| user.cloned())
}

/// [`resolved_by_layer`], borrowed.
pub(crate) fn layer_user(extensions: &Extensions) -> Option<Option<&UserInfo>> {
    match extensions.get::<UserInfo>() {
        Some(user) => Some(Some(user)),
        None => extensions.get::<Anonymous>().map(|_| None),
    }
}

/// Whether a request is a WebSocket handshake, by the rules axum's `WebSocketUpgrade` applies
/// (RFC 6455 §4.1): HTTP/1.1 `GET` with `Upgrade: websocket`, a `Connection` header naming
/// `upgrade`, `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key`; or an HTTP/2 extended
/// `CONNECT` (RFC 8441) with `Sec-WebSocket-Version: 13`. The `:protocol` pseudo-header is
/// hyper's type, visible only with hyper's `http2` feature, so the version is what is checked
/// there: another `CONNECT` (a tunnel) is a plain request. Anything less (an `Upgrade` header
/// on a `POST`, say) is a plain request: its `?session=` id does not count, and a guard does
/// not treat it as a socket.
pub(crate) fn is_websocket_upgrade(method: &Method, headers: &HeaderMap) -> bool {
    let version_13 = || {
        headers
            .get(SEC_WEBSOCKET_VERSION)
            .is_some_and(|version| version.as_bytes() == b"13")
    };
    if *method == Method::CONNECT {
        return version_13();
    }
    if *method != Method::GET {
        return false;
    }
    // Most requests have no `Upgrade`: one look-up, as before the other checks.
    let mut upgrades = headers.get_all(UPGRADE).iter();
    let websocket = matches!(
        (upgrades.next(), upgrades.next()),
        (Some(value), None) if value.as_bytes().trim_ascii().eq_ignore_ascii_case(b"websocket")
    );
    if !websocket {
        return false;
    }
    let connection_upgrade = headers.get_all(CONNECTION).iter().any(|value| {
        (value.as_bytes().split(|&byte| byte == b','))
            .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"))
    });
    connection_upgrade
        && version_13()
        && headers
            .get(SEC_WEBSOCKET_KEY)
            .is_some_and(|key| !key.is_empty())
}

/// Resolves an extractor's request parts, waiting for a verified JWT's fetched keys when they
/// miss.
pub(crate) async fn resolve_parts(
    resolver: &Resolver,
    parts: &Parts,
) -> Result<Option<UserInfo>, ResolveError> {
    let upgrade = is_websocket_upgrade(&parts.method, &parts.headers);
    let view = request_view(
        upgrade,
        (&parts.method, &parts.uri),
        &parts.headers,
        &parts.extensions,
    );
    resolver.resolve_async(view).await
}

/// The [`RequestView`] of a request: a WebSocket upgrade's `?session=` id counts, any other
/// request's does not; the peer's address comes from axum's `ConnectInfo`, when the server
/// records it, and the TLS client certificate from a [`ClientCertificate`] the server put
/// there (RFC 8705).
pub(crate) fn request_view<'a>(
    upgrade: bool,
    (method, uri): (&'a Method, &'a Uri),
    headers: &'a HeaderMap,
    extensions: &'a Extensions,
) -> RequestView<'a> {
    let mut view = RequestView::new(headers).target(method, uri);
    if upgrade {
        view = view.websocket(uri.query());
    }
    if let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() {
        view = view.peer(peer.ip());
    }
    if let Some(certificate) = extensions.get::<ClientCertificate>() {
        view = view.client_certificate(certificate);
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_upgrades_http1_and_http2() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.append(*name, http::HeaderValue::from_static(value));
            }
            map
        };
        let handshake = [
            ("upgrade", "WebSocket"),
            ("connection", "keep-alive, Upgrade"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        assert!(is_websocket_upgrade(&Method::GET, &headers(&handshake)));
        // Any other method, or any part missing: a plain request.
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::HEAD] {
            assert!(
                !is_websocket_upgrade(&method, &headers(&handshake)),
                "{method}"
            );
        }
        for left_out in 0..handshake.len() {
            let partial: Vec<_> = (handshake.iter().enumerate())
                .filter(|(i, _)| *i != left_out)
                .map(|(_, pair)| *pair)
                .collect();
            assert!(!is_websocket_upgrade(&Method::GET, &headers(&partial)));
        }
        let mut twice = headers(&handshake);
        twice.append("upgrade", http::HeaderValue::from_static("h2c"));
        assert!(!is_websocket_upgrade(&Method::GET, &twice));
        assert!(!is_websocket_upgrade(
            &Method::GET,
            &headers(&[("upgrade", "websocket")])
        ));
        let h2 = headers(&[("sec-websocket-version", "13")]);
        assert!(is_websocket_upgrade(&Method::CONNECT, &h2));
        // A CONNECT tunnel is not a WebSocket, and neither is a plain GET.
        assert!(!is_websocket_upgrade(&Method::CONNECT, &HeaderMap::new()));
        assert!(!is_websocket_upgrade(&Method::GET, &h2));
        assert!(!is_websocket_upgrade(&Method::GET, &HeaderMap::new()));
    }
}
