//! The WebSocket `?session=ID` query parameter.
//!
//! Browsers cannot set headers on a WebSocket upgrade, so a client may name its session in the
//! query instead. The id must match `^[A-Za-z0-9\-_.~]+$` (URL-safe characters only, so it can
//! never smuggle a `;` or `=` into a cookie); an unsafe id refuses the upgrade (the reference
//! closes the socket with code 1008 "Invalid session ID"). A valid id acts as the `nat-session`
//! cookie unless the request already carries one. An empty `session` is ignored; when the
//! parameter is repeated, the last one counts.

use std::borrow::Cow;

use crate::error::ResolveError;

/// The name of the query parameter.
pub const SESSION_QUERY_PARAM: &str = "session";

/// The query parameter of a WebSocket upgrade's access token (RFC 6750 §2.3), read when
/// [`with_websocket_token_query`](crate::ResolverBuilder::with_websocket_token_query) is
/// configured.
pub const ACCESS_TOKEN_QUERY_PARAM: &str = "access_token";

/// The `session` id of a query string (without the leading `?`), percent-decoded.
///
/// ```
/// use axum_userinfo::ResolveError;
/// use axum_userinfo::websocket::session_from_query;
/// assert_eq!(session_from_query("a=1&session=s-1").unwrap().as_deref(), Some("s-1"));
/// assert_eq!(session_from_query("session=").unwrap(), None);
/// assert_eq!(session_from_query("session=a%3Bnat-session%3Db"), Err(ResolveError::InvalidSessionId));
/// ```
///
/// # Errors
/// [`ResolveError::InvalidSessionId`] when the id has a character outside `A-Z a-z 0-9 - _ . ~`.
pub fn session_from_query(query: &str) -> Result<Option<Cow<'_, str>>, ResolveError> {
    let session = form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == SESSION_QUERY_PARAM)
        .last()
        .map(|(_, value)| value);
    match session {
        Some(id) if !id.is_empty() => {
            check_session_id(&id)?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}

/// Refuses a session id with a character outside `A-Z a-z 0-9 - _ . ~`.
pub(crate) fn check_session_id(id: &str) -> Result<(), ResolveError> {
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    if !id.is_empty() && id.bytes().all(safe) {
        Ok(())
    } else {
        Err(ResolveError::InvalidSessionId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["A-z_0.9~", "s", "2b6c7a3e-0c1f-4a8e-9d1b-5f0e6a7b8c9d"] {
            assert_eq!(check_session_id(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a;b", "a b", "a\n", "é", "a=b", "a/b", "a%20"] {
            assert_eq!(
                check_session_id(bad),
                Err(ResolveError::InvalidSessionId),
                "{bad}"
            );
        }
    }

    #[test]
    fn queries() {
        let cases: &[(&str, Result<Option<&str>, ResolveError>)] = &[
            ("", Ok(None)),
            ("session", Ok(None)),
            ("other=1", Ok(None)),
            ("session=a&session=b", Ok(Some("b"))),
            ("session=bad;&session=good", Ok(Some("good"))),
            ("session=good&session=", Ok(None)),
            ("sess%69on=x", Ok(Some("x"))),
            ("session=a+b", Err(ResolveError::InvalidSessionId)),
            ("session=%ff", Err(ResolveError::InvalidSessionId)),
        ];
        for (query, want) in cases {
            let got = session_from_query(query);
            assert_eq!(
                got.as_ref().map(|id| id.as_deref()),
                want.as_ref().map(|id| *id),
                "{query}"
            );
        }
    }
}
