//! The credential of a request (or a WebSocket upgrade), in the reference's precedence
//! (`UserManager.extract_user_from_connection`):
//!
//! 1. A configured trusted identity header is the only source.
//! 2. The `nat-session` cookie (or a valid WebSocket `?session=` id when there is no such
//!    cookie); an empty value is ignored.
//! 3. The first `Authorization` header: `Bearer` with exactly two dots is a JWT (an undecodable
//!    one is an error, never a fall-through), any other `Bearer` an API key, `Basic` username
//!    and password. Other schemes fall through. With an introspection client configured, a
//!    Bearer token that is not JWT-shaped is an opaque token instead of an API key.
//! 4. The first `X-API-Key` header, when non-empty.
//! 5. Otherwise none: the request is anonymous.

use std::net::IpAddr;

use crate::error::ResolveError;
use crate::parse::authorization::{Authorization, authorization};
use crate::parse::bounded::bounded;
use crate::parse::cookie::session_cookie;
use crate::parse::pytext::latin1;
use crate::parse::session_query::{check_session_id, session_from_query};
use crate::parse::{identity_header, jwt};
use crate::resolve::credential::{Basic, Credential, Presented};
use crate::resolve::request::RequestView;
use crate::resolve::{Resolver, X_API_KEY};

/// The `DPoP` header (RFC 9449): a request's proof.
#[cfg(feature = "dpop")]
pub(crate) const DPOP: http::HeaderName = http::HeaderName::from_static("dpop");

impl Resolver {
    /// The credential `request` presents, `None` when it presents none.
    pub(crate) fn presented<'a>(
        &'a self,
        request: RequestView<'a>,
    ) -> Result<Option<Presented<'a>>, ResolveError> {
        let headers = request.headers;
        let session = match request.query {
            Some(query) if request.upgrade => session_from_query(query)?,
            _ => None,
        };
        let session = session.filter(|id| !id.is_empty());
        if let Some(id) = &session {
            check_session_id(id)?;
        }
        let config = self.config();
        let max_len = config.max_credential_len;
        if let Some(header) = &config.identity_header {
            self.check_peer(request.peer)?;
            let identity = identity_header::identity(headers, header, max_len)?;
            let trusted = Credential::IdentityHeader { header, identity };
            return Ok(Some(Presented::sent(trusted)));
        }
        // On an upgrade, what the browser attached by itself must come from an allowed origin.
        let ambient = request.upgrade.then_some(headers);

        match session_cookie(headers, max_len)? {
            Some(cookie) if !cookie.is_empty() => {
                let credential = Credential::SessionCookie(cookie);
                return Ok(Some(Presented::ambient(credential, ambient)));
            }
            Some(_) => {} // present but empty: ignored, and the query id does not replace it
            None => {
                if let Some(id) = session {
                    return Ok(Some(Presented::sent(Credential::SessionCookie(id))));
                }
            }
        }

        let authorization = authorization(headers, max_len)?;
        #[cfg(feature = "dpop")]
        if let Some(Authorization::Dpop(token)) = authorization {
            if self.config().dpop.is_some() {
                return self.dpop_presented(headers, token, max_len).map(Some);
            }
        }
        let credential = match authorization {
            Some(Authorization::Bearer(token)) if jwt::is_jwt_shaped(token) => {
                Some(Credential::Jwt(token))
            }
            #[cfg(feature = "verify")]
            Some(Authorization::Bearer(token))
                if self.verifies_jwts() && crate::verify::is_jwe_shaped(token) =>
            {
                Some(Credential::EncryptedJwt)
            }
            #[cfg(feature = "introspection")]
            Some(Authorization::Bearer(token)) if self.introspects() => {
                Some(Credential::OpaqueToken(token))
            }
            Some(Authorization::Bearer(key)) => Some(Credential::ApiKey(latin1(key))),
            Some(Authorization::Basic(credential)) => {
                // Browsers cache Basic credentials and replay them: ambient.
                let credential = Credential::Basic(Basic::Encoded(credential));
                return Ok(Some(Presented::ambient(credential, ambient)));
            }
            None | Some(Authorization::Dpop(_)) => match headers.get(X_API_KEY) {
                Some(key) if !key.is_empty() => {
                    Some(Credential::ApiKey(latin1(bounded(key, max_len)?)))
                }
                _ => None,
            },
        };
        Ok(credential.map(Presented::sent))
    }

    /// `Authorization: DPoP <token>` with its one `DPoP` proof header: the token as a Bearer
    /// token would be (a JWT, or an opaque token when introspected), and the proof.
    #[cfg(feature = "dpop")]
    fn dpop_presented<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
        token: &'a [u8],
        max_len: usize,
    ) -> Result<Presented<'a>, ResolveError> {
        use crate::error::DpopError;
        let mut proofs = headers.get_all(DPOP).iter();
        let (Some(proof), None) = (proofs.next(), proofs.next()) else {
            let rule = "a DPoP request carries exactly one DPoP header";
            return Err(ResolveError::Dpop(DpopError::InvalidProof(rule)));
        };
        let proof = std::str::from_utf8(bounded(proof, max_len)?).unwrap_or_default();
        let credential = if jwt::is_jwt_shaped(token) {
            Credential::Jwt(token)
        } else {
            #[cfg(feature = "introspection")]
            if self.introspects() {
                return Ok(Presented {
                    dpop: Some((proof, token)),
                    ..Presented::sent(Credential::OpaqueToken(token))
                });
            }
            return Err(ResolveError::Dpop(DpopError::UnboundToken));
        };
        Ok(Presented {
            dpop: Some((proof, token)),
            ..Presented::sent(credential)
        })
    }

    /// With trusted proxies configured, the identity header counts only from a peer in their
    /// ranges; an unknown peer is not trusted.
    fn check_peer(&self, peer: Option<IpAddr>) -> Result<(), ResolveError> {
        if self.config().trusted_proxies.is_none() {
            return Ok(());
        }
        if self.is_trusted_proxy(peer) {
            Ok(())
        } else {
            Err(ResolveError::UntrustedPeer)
        }
    }

    /// Whether `peer` is in the trusted proxies' ranges (an unknown peer never is).
    pub(crate) fn is_trusted_proxy(&self, peer: Option<IpAddr>) -> bool {
        let Some(proxies) = &self.config().trusted_proxies else {
            return false;
        };
        peer.map(|ip| ip.to_canonical())
            .is_some_and(|ip| proxies.iter().any(|range| range.contains(&ip)))
    }
}
