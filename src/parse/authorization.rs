//! The `Authorization` header: scheme and credential.
//!
//! Only the first `Authorization` header counts. Its value is trimmed and split at the first
//! run of whitespace (Python's whitespace, over Latin-1 bytes) into a scheme, compared
//! case-insensitively, and a credential that keeps any inner whitespace. No credential, or a
//! scheme other than `Bearer`, `Basic` and `DPoP` (the last only with DPoP configured), is not
//! a credential at all: resolution falls through to the next source.

use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::error::ResolveError;
use crate::parse::bounded::bounded;
use crate::parse::pytext::py_split_once_bytes;

/// A credential carried by the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authorization<'a> {
    /// `Bearer <credential>`: a JWT when it has exactly two dots, an API key otherwise.
    Bearer(&'a [u8]),
    /// `Basic <credential>`.
    Basic(&'a [u8]),
    /// `DPoP <credential>` (RFC 9449): a token bound to the key of the request's proof.
    Dpop(&'a [u8]),
}

/// The credential of the first `Authorization` header, if it has a known scheme. A header
/// longer than `max_len` is refused unread.
#[inline]
pub(crate) fn authorization(
    headers: &HeaderMap,
    max_len: usize,
) -> Result<Option<Authorization<'_>>, ResolveError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let Some((scheme, credential)) = py_split_once_bytes(bounded(value, max_len)?) else {
        return Ok(None);
    };
    Ok(if scheme.eq_ignore_ascii_case(b"bearer") {
        Some(Authorization::Bearer(credential))
    } else if scheme.eq_ignore_ascii_case(b"basic") {
        Some(Authorization::Basic(credential))
    } else if scheme.eq_ignore_ascii_case(b"dpop") {
        Some(Authorization::Dpop(credential))
    } else {
        None
    })
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn schemes() {
        let cases: &[(&[&[u8]], Option<Authorization<'_>>)] = &[
            (&[b"Bearer sk"], Some(Authorization::Bearer(b"sk"))),
            (&[b"bEaReR  sk a "], Some(Authorization::Bearer(b"sk a"))),
            (&[b"Basic\txyz"], Some(Authorization::Basic(b"xyz"))),
            (
                &[b"Bearer first", b"Bearer second"],
                Some(Authorization::Bearer(b"first")),
            ),
            (&[b"Bearer"], None),
            (&[b"Bearer   "], None),
            (&[b""], None),
            (&[b"Digest username=x"], None),
            (&[b"Bearer\xa0sk"], Some(Authorization::Bearer(b"sk"))),
        ];
        for (values, want) in cases {
            let mut headers = HeaderMap::new();
            for value in *values {
                headers.append(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
            }
            assert_eq!(authorization(&headers, 64), Ok(*want), "{values:?}");
        }
    }
}
