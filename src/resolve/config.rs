//! The resolver's configuration, as built ([`ResolverBuilder`](crate::ResolverBuilder)), and
//! the rules that read only it: which kinds are accepted, which peers are trusted proxies,
//! which origins may ride on ambient credentials.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::ORIGIN;
use http::{HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

use crate::error::ResolveError;
use crate::identity::kinds::{AcceptedKinds, CredentialKind};
use crate::refusal::Challenges;
use crate::resolve::limits::{
    DEFAULT_MAX_AUTH_FRAME_LEN, DEFAULT_MAX_CREDENTIAL_LEN, DEFAULT_WEBSOCKET_AUTH_TIMEOUT,
};

#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) accepted: AcceptedKinds,
    pub(crate) identity_header: Option<HeaderName>,
    pub(crate) trusted_proxies: Option<Vec<IpNet>>,
    pub(crate) allowed_origins: Option<Vec<String>>,
    pub(crate) max_credential_len: usize,
    pub(crate) max_auth_frame_len: usize,
    pub(crate) websocket_auth_timeout: Option<Duration>,
    pub(crate) protected_resource: Option<crate::authorize::ProtectedResource>,
    /// Which scopes imply which (none: exact matching).
    pub(crate) scope_hierarchy: Option<Arc<crate::authorize::ScopeHierarchy>>,
    #[cfg(feature = "verify")]
    pub(crate) issuers: crate::verify::Issuers,
    #[cfg(feature = "introspection")]
    pub(crate) introspection: Option<crate::introspect::IntrospectionClient>,
    pub(crate) api_keys: Option<Arc<dyn crate::api_keys::ApiKeyStore>>,
    /// Where certificate-bound tokens' client certificates come from (RFC 8705).
    pub(crate) client_certificates: Option<crate::mtls::ClientCertificates>,
    /// Where else a request may carry its token (opt-in; boxed: rarely configured).
    pub(crate) token_locations: Option<Box<crate::resolve::token_locations::TokenLocations>>,
    /// What its refusals' `WWW-Authenticate` challenges offer (from all of the above).
    pub(crate) challenges: Arc<Challenges>,
    #[cfg(feature = "dpop")]
    pub(crate) dpop: Option<DpopConfig>,
}

/// DPoP's configuration (feature `dpop`): the checker, and the public URL of the service.
#[cfg(feature = "dpop")]
#[derive(Debug)]
pub(crate) struct DpopConfig {
    pub(crate) checker: crate::dpop::DpopChecker,
    pub(crate) public_url: Option<url::Url>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            accepted: AcceptedKinds::default(),
            identity_header: None,
            trusted_proxies: None,
            allowed_origins: None,
            max_credential_len: DEFAULT_MAX_CREDENTIAL_LEN,
            max_auth_frame_len: DEFAULT_MAX_AUTH_FRAME_LEN,
            websocket_auth_timeout: Some(DEFAULT_WEBSOCKET_AUTH_TIMEOUT),
            protected_resource: None,
            scope_hierarchy: None,
            #[cfg(feature = "verify")]
            issuers: crate::verify::Issuers::default(),
            #[cfg(feature = "introspection")]
            introspection: None,
            api_keys: None,
            client_certificates: None,
            token_locations: None,
            challenges: Arc::new(Challenges::default()),
            #[cfg(feature = "dpop")]
            dpop: None,
        }
    }
}

impl Config {
    /// Whether JWTs are verified (verifiers are configured; feature `verify`).
    #[inline]
    pub(crate) fn verifies_jwts(&self) -> bool {
        #[cfg(feature = "verify")]
        return !self.issuers.is_empty();
        #[cfg(not(feature = "verify"))]
        false
    }

    /// Whether opaque tokens are introspected (feature `introspection`).
    #[inline]
    pub(crate) fn introspects(&self) -> bool {
        #[cfg(feature = "introspection")]
        return self.introspection.is_some();
        #[cfg(not(feature = "introspection"))]
        false
    }

    /// Refuses a credential of a kind the deployment does not accept.
    #[inline]
    pub(crate) fn accept(&self, kind: CredentialKind) -> Result<(), ResolveError> {
        if self.accepted.contains(kind) {
            Ok(())
        } else {
            Err(ResolveError::NotAccepted(kind))
        }
    }

    /// Cross-site WebSocket hijacking (RFC 6455 §10.2): a browser sends a site's cookies with a
    /// WebSocket upgrade whatever page opened it, so an upgrade that rides on an ambient
    /// credential must come from an allowed `Origin`, when an allow-list is configured.
    pub(crate) fn check_origin(&self, headers: &HeaderMap) -> Result<(), ResolveError> {
        let Some(allowed) = &self.allowed_origins else {
            return Ok(());
        };
        let origin = headers.get(ORIGIN).map(HeaderValue::as_bytes);
        let is_allowed = |origin: &[u8]| {
            allowed
                .iter()
                .any(|a| a.as_bytes().eq_ignore_ascii_case(origin))
        };
        if origin.is_some_and(is_allowed) {
            Ok(())
        } else {
            Err(ResolveError::OriginNotAllowed)
        }
    }

    /// With trusted proxies configured, the identity header counts only from a peer in their
    /// ranges; an unknown peer is not trusted.
    pub(crate) fn check_peer(&self, peer: Option<IpAddr>) -> Result<(), ResolveError> {
        if self.trusted_proxies.is_none() || self.is_trusted_proxy(peer) {
            Ok(())
        } else {
            Err(ResolveError::UntrustedPeer)
        }
    }

    /// Whether `peer` is in the trusted proxies' ranges (an unknown peer never is).
    pub(crate) fn is_trusted_proxy(&self, peer: Option<IpAddr>) -> bool {
        let Some(proxies) = &self.trusted_proxies else {
            return false;
        };
        peer.map(|ip| ip.to_canonical())
            .is_some_and(|ip| proxies.iter().any(|range| range.contains(&ip)))
    }
}
