//! [`RequestView`]: what the resolver reads of a request: its headers, whether it is a WebSocket
//! upgrade (with its `?session=` query), and the address of the peer that sent it.

use std::net::IpAddr;

use http::HeaderMap;

/// A request as the resolver sees it: its headers and, when they matter, that it is a
/// WebSocket upgrade (with its URI's query, for `?session=`) and its peer's address. A
/// `&HeaderMap` converts into one: a plain request from an unknown peer.
///
/// ```
/// use axum_userinfo::{RequestView, Resolver};
/// use http::HeaderMap;
/// let headers = HeaderMap::new();
/// let upgrade = RequestView::new(&headers)
///     .websocket(Some("session=s-query-1"))
///     .peer("127.0.0.1".parse().unwrap());
/// let user = Resolver::new().resolve(upgrade).unwrap().unwrap();
/// assert_eq!(user.user_id().to_string(), "4dac49d3-9eb5-5fd3-a1f3-9b4d39723681");
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct RequestView<'a> {
    pub(crate) headers: &'a HeaderMap,
    pub(crate) upgrade: bool,
    pub(crate) query: Option<&'a str>,
    pub(crate) peer: Option<IpAddr>,
}

impl<'a> RequestView<'a> {
    /// A plain HTTP request with these headers, from an unknown peer.
    pub fn new(headers: &'a HeaderMap) -> Self {
        Self {
            headers,
            upgrade: false,
            query: None,
            peer: None,
        }
    }

    /// A WebSocket upgrade, with its URI's query string (without `?`), whose `session`
    /// parameter counts.
    pub fn websocket(self, query: Option<&'a str>) -> Self {
        Self {
            upgrade: true,
            query,
            ..self
        }
    }

    /// The address of the peer that sent it (for
    /// [`with_trusted_proxies`](crate::ResolverBuilder::with_trusted_proxies)).
    pub fn peer(self, peer: IpAddr) -> Self {
        Self {
            peer: Some(peer),
            ..self
        }
    }
}

impl<'a> From<&'a HeaderMap> for RequestView<'a> {
    fn from(headers: &'a HeaderMap) -> Self {
        Self::new(headers)
    }
}
