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
                return Ok(Some(Presented {
                    credential,
                    ambient,
                }));
            }
            Some(_) => {} // present but empty: ignored, and the query id does not replace it
            None => {
                if let Some(id) = session {
                    return Ok(Some(Presented::sent(Credential::SessionCookie(id))));
                }
            }
        }

        let credential = match authorization(headers, max_len)? {
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
                return Ok(Some(Presented {
                    credential,
                    ambient,
                }));
            }
            None => match headers.get(X_API_KEY) {
                Some(key) if !key.is_empty() => {
                    Some(Credential::ApiKey(latin1(bounded(key, max_len)?)))
                }
                _ => None,
            },
        };
        Ok(credential.map(Presented::sent))
    }

    /// With trusted proxies configured, the identity header counts only from a peer in their
    /// ranges; an unknown peer is not trusted.
    fn check_peer(&self, peer: Option<IpAddr>) -> Result<(), ResolveError> {
        let Some(proxies) = &self.config().trusted_proxies else {
            return Ok(());
        };
        match peer.map(|ip| ip.to_canonical()) {
            Some(ip) if proxies.iter().any(|range| range.contains(&ip)) => Ok(()),
            _ => Err(ResolveError::UntrustedPeer),
        }
    }
}
