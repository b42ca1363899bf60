//! Where else a request may carry its access token, opt-in
//! ([`with_token_cookie`](crate::ResolverBuilder::with_token_cookie),
//! [`with_token_header`](crate::ResolverBuilder::with_token_header),
//! [`with_websocket_token_query`](crate::ResolverBuilder::with_websocket_token_query)):
//! a named cookie (a browser app's BFF sets one), a named header (some gateways pass the token
//! in their own), and, on a WebSocket upgrade only, the `access_token` query parameter (RFC 6750
//! §2.3; browsers cannot set headers there).
//!
//! They come after the reference's sources, which keep their precedence: a trusted identity
//! header, the `nat-session` cookie (or `?session=`), then `Authorization` and `X-API-Key`. A
//! located token is the request's credential, as a `Bearer` token would be, when none of those
//! is present; beside `Authorization` or `X-API-Key` it must be the same token, and located
//! tokens must agree with each other: two different tokens on one request are refused (401),
//! never one picked. A token from a cookie is an ambient credential (a browser sends it by
//! itself): on a WebSocket upgrade its `Origin` must be allowed
//! ([`with_allowed_origins`](crate::ResolverBuilder::with_allowed_origins)), and a cookie that
//! authenticates state-changing requests needs a CSRF defence of the application's own
//! (`SameSite=Strict` or `Lax`, a `__Host-` prefix, and a custom header or token on those routes).
//!
//! The token is taken as it is: a cookie value (quoted or not) or a query value that needs
//! unescaping is refused, as JWTs and the usual opaque tokens (base64url, hex) never do.

use http::{HeaderMap, HeaderName};

use crate::error::ResolveError;
use crate::parse::bounded::bounded;
use crate::parse::cookie::named_cookie;
use crate::parse::session_query::ACCESS_TOKEN_QUERY_PARAM;
use crate::resolve::request::RequestView;

/// The configured locations.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenLocations {
    pub(crate) cookie: Option<String>,
    pub(crate) header: Option<HeaderName>,
    pub(crate) query: bool,
}

/// A token found in a configured location.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located<'a> {
    pub(crate) token: &'a [u8],
    /// From a cookie: a browser sends it by itself.
    pub(crate) ambient: bool,
}

/// Two tokens that differ on one request.
pub(crate) const CONFLICT: ResolveError =
    ResolveError::TokenLocation("the request carries two different tokens");

impl TokenLocations {
    /// The token `request` carries in the configured locations; refused when they disagree.
    pub(crate) fn located<'a>(
        &self,
        request: RequestView<'a>,
        max_len: usize,
    ) -> Result<Option<Located<'a>>, ResolveError> {
        let headers = request.headers;
        let mut found: Option<Located<'a>> = None;
        let mut add = |token: &'a [u8], ambient: bool| -> Result<(), ResolveError> {
            if token.is_empty() {
                return Ok(());
            }
            match &mut found {
                Some(first) if first.token != token => Err(CONFLICT),
                Some(first) => {
                    first.ambient &= ambient;
                    Ok(())
                }
                None => {
                    found = Some(Located { token, ambient });
                    Ok(())
                }
            }
        };
        if let Some(name) = &self.header {
            for value in headers.get_all(name) {
                add(bounded(value, max_len)?, false)?;
            }
        }
        if let Some(name) = &self.cookie {
            if let Some(value) = cookie_token(headers, name, max_len)? {
                add(value, true)?;
            }
        }
        if self.query && request.upgrade {
            if let Some(value) = query_token(request.query.unwrap_or_default())? {
                add(value, false)?;
            }
        }
        Ok(found)
    }
}

/// The named cookie's value as it is (unquoted, but never unescaped).
fn cookie_token<'a>(
    headers: &'a HeaderMap,
    name: &str,
    max_len: usize,
) -> Result<Option<&'a [u8]>, ResolveError> {
    match named_cookie(headers, name, max_len)? {
        None => Ok(None),
        Some(std::borrow::Cow::Borrowed(value)) => Ok(Some(value.as_bytes())),
        Some(std::borrow::Cow::Owned(_)) => Err(ResolveError::TokenLocation(
            "the token cookie's value is escaped",
        )),
    }
}

/// The `access_token` parameter's raw value (the last one); one that needs percent-decoding
/// is refused.
fn query_token(query: &str) -> Result<Option<&[u8]>, ResolveError> {
    let value = (query.rsplit('&'))
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(name, _)| *name == ACCESS_TOKEN_QUERY_PARAM)
        .map(|(_, value)| value);
    match value {
        Some(value) if value.contains(['%', '+']) => Err(ResolveError::TokenLocation(
            "the access_token query value is escaped",
        )),
        other => Ok(other.map(str::as_bytes)),
    }
}
