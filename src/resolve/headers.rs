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

use crate::error::ResolveError;
use crate::parse::authorization::{Authorization, authorization};
use crate::parse::bounded::bounded;
use crate::parse::cookie::session_cookie;
use crate::parse::pytext::latin1;
use crate::parse::session_query::{check_session_id, session_from_query};
use crate::parse::{identity_header, jwt};
#[cfg(feature = "dpop")]
use crate::resolve::DPOP;
use crate::resolve::X_API_KEY;
use crate::resolve::config::Config;
use crate::resolve::credential::{Basic, Credential, Presented};
use crate::resolve::request::RequestView;
use crate::resolve::token_locations::{Located, TokenLocations};

/// The credential `request` presents, `None` when it presents none.
pub(crate) fn presented<'a>(
    config: &'a Config,
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
    let max_len = config.max_credential_len;
    if let Some(header) = &config.identity_header {
        config.check_peer(request.peer)?;
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
    if let Some(locations) = &config.token_locations {
        let located = located_presented(config, locations, request, &authorization)?;
        if located.is_some() {
            return Ok(located);
        }
    }
    let credential = match authorization {
        Some(Authorization::Bearer(token)) => {
            token_credential(config, token).unwrap_or_else(|| Credential::ApiKey(latin1(token)))
        }
        Some(Authorization::Basic(credential)) => {
            // Browsers cache Basic credentials and replay them: ambient.
            let credential = Credential::Basic(Basic::Encoded(credential));
            return Ok(Some(Presented::ambient(credential, ambient)));
        }
        #[cfg(feature = "dpop")]
        Some(Authorization::Dpop(token)) if config.dpop.is_some() => {
            return dpop_presented(config, headers, token).map(Some);
        }
        None | Some(Authorization::Dpop(_)) => match headers.get(X_API_KEY) {
            Some(key) if !key.is_empty() => Credential::ApiKey(latin1(bounded(key, max_len)?)),
            _ => return Ok(None),
        },
    };
    Ok(Some(Presented::sent(credential)))
}

/// The credential of a configured token location, when the reference's sources carry none
/// (kept out of line: most resolvers configure no location).
#[inline(never)]
fn located_presented<'a>(
    config: &'a Config,
    locations: &TokenLocations,
    request: RequestView<'a>,
    authorization: &Option<Authorization<'a>>,
) -> Result<Option<Presented<'a>>, ResolveError> {
    let headers = request.headers;
    let Some(located) = locations.located(request, config.max_credential_len)? else {
        return Ok(None);
    };
    let Some(credential) = located_credential(config, located, authorization, headers)? else {
        return Ok(None);
    };
    let ambient = (located.ambient && request.upgrade).then_some(headers);
    Ok(Some(Presented::ambient(credential, ambient)))
}

/// A located token's credential when the reference's sources carry none; `None` when they carry
/// the same token (their path takes it); refused when they carry another.
fn located_credential<'a>(
    config: &Config,
    located: Located<'a>,
    authorization: &Option<Authorization<'a>>,
    headers: &'a http::HeaderMap,
) -> Result<Option<Credential<'a>>, ResolveError> {
    let conflict = crate::resolve::token_locations::CONFLICT;
    let other: Option<&[u8]> = match authorization {
        Some(Authorization::Bearer(token) | Authorization::Dpop(token)) => Some(token),
        Some(Authorization::Basic(_)) => return Err(conflict),
        None => headers
            .get(X_API_KEY)
            .map(http::HeaderValue::as_bytes)
            .filter(|key| !key.is_empty()),
    };
    match other {
        Some(token) if token == located.token => Ok(None),
        Some(_) => Err(conflict),
        None => Ok(Some(
            token_credential(config, located.token)
                .unwrap_or_else(|| Credential::ApiKey(latin1(located.token))),
        )),
    }
}

/// What an access token (`Bearer` or `DPoP`) is, by its shape and the configuration: a JWT
/// (two dots), a refused JWE (four dots, while JWTs are verified), an opaque token (while
/// one is introspected); `None` for any other (an API key when it came as `Bearer`).
#[inline(always)]
fn token_credential<'a>(config: &Config, token: &'a [u8]) -> Option<Credential<'a>> {
    if jwt::is_jwt_shaped(token) {
        return Some(Credential::Jwt(token));
    }
    #[cfg(feature = "verify")]
    if config.verifies_jwts() && crate::verify::is_jwe_shaped(token) {
        return Some(Credential::EncryptedJwt);
    }
    #[cfg(feature = "introspection")]
    if config.introspects() {
        return Some(Credential::OpaqueToken(token));
    }
    let _ = config;
    None
}

/// `Authorization: DPoP <token>` with its one `DPoP` proof header: the token as a Bearer
/// token would be (a JWT, or an opaque token when introspected; never an API key), and the
/// proof.
#[cfg(feature = "dpop")]
fn dpop_presented<'a>(
    config: &'a Config,
    headers: &'a http::HeaderMap,
    token: &'a [u8],
) -> Result<Presented<'a>, ResolveError> {
    use crate::error::DpopError;
    use crate::resolve::credential::DpopPresented;
    let mut proofs = headers.get_all(DPOP).iter();
    let (Some(proof), None) = (proofs.next(), proofs.next()) else {
        let rule = "a DPoP request carries exactly one DPoP header";
        return Err(ResolveError::Dpop(DpopError::InvalidProof(rule)));
    };
    let proof = bounded(proof, config.max_credential_len)?;
    let proof = std::str::from_utf8(proof).unwrap_or_default();
    let credential =
        token_credential(config, token).ok_or(ResolveError::Dpop(DpopError::UnboundToken))?;
    Ok(Presented {
        dpop: Some(DpopPresented { proof, token }),
        ..Presented::sent(credential)
    })
}
