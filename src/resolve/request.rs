//! [`RequestView`]: what the resolver reads of a request: its headers, whether it is a WebSocket
//! upgrade (with its `?session=` query), and the address of the peer that sent it.

use std::net::IpAddr;

use http::{HeaderMap, Method, Uri};

use crate::mtls::ClientCertificate;

/// A request as the resolver sees it: its headers and, when they matter, that it is a
/// WebSocket upgrade (with its URI's query, for `?session=`) and its peer's address. A
/// `&HeaderMap` converts into one: a plain request from an unknown peer.
///
/// ```
/// use axum_userinfo::{RequestView, Resolver};
/// use http::{HeaderMap, Method, Uri};
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
    /// The request's method and URI (for DPoP's `htm` and `htu`).
    #[cfg_attr(not(feature = "dpop"), allow(dead_code))]
    pub(crate) target: Option<(&'a Method, &'a Uri)>,
    /// The client certificate of the request's own TLS connection (RFC 8705).
    pub(crate) certificate: Option<&'a ClientCertificate>,
}

impl<'a> RequestView<'a> {
    /// A plain HTTP request with these headers, from an unknown peer.
    pub fn new(headers: &'a HeaderMap) -> Self {
        Self {
            headers,
            upgrade: false,
            query: None,
            peer: None,
            target: None,
            certificate: None,
        }
    }

    /// The request's method and URI as the service received it (the layer gives them): what a
    /// DPoP proof's `htm` and `htu` are checked against, with the configured public URL
    /// ([`with_public_url`](crate::ResolverBuilder::with_public_url)).
    pub fn target(self, method: &'a Method, uri: &'a Uri) -> Self {
        Self {
            target: Some((method, uri)),
            ..self
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

    /// The client certificate its TLS connection presented, for certificate-bound tokens
    /// ([`ClientCertificates::from_connection`](crate::mtls::ClientCertificates::from_connection)).
    /// The layer and the extractors take it from the request's extensions.
    pub fn client_certificate(self, certificate: &'a ClientCertificate) -> Self {
        Self {
            certificate: Some(certificate),
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
