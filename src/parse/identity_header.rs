//! A trusted identity header, set by an authenticating proxy (e.g. `X-Forwarded-User`).
//!
//! When configured it is the *only* identity source: it must occur exactly once with a
//! non-blank value, or the request is refused; cookies, `Authorization` and `X-API-Key` are not
//! consulted. The name is case-insensitive; the value is Latin-1, trimmed of whitespace, and
//! kept whole (a comma is part of the identity, not a list separator).
//!
//! Only configure it behind a proxy that always sets (or strips) this header: anyone who can
//! reach the service directly can assert any identity with it.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName};

use crate::error::ResolveError;
use crate::parse::bounded::bounded;
use crate::parse::pytext::{latin1, py_strip};

/// The identity the trusted header `name` asserts, trimmed.
pub(crate) fn identity<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
    max_len: usize,
) -> Result<Cow<'h, str>, ResolveError> {
    let mut values = headers.get_all(name).iter();
    let value = values
        .next()
        .ok_or_else(|| ResolveError::IdentityHeaderMissing(name.clone()))?;
    if values.next().is_some() {
        return Err(ResolveError::IdentityHeaderRepeated(name.clone()));
    }
    let identity = match latin1(bounded(value, max_len)?) {
        Cow::Borrowed(value) => Cow::Borrowed(py_strip(value)),
        Cow::Owned(value) => Cow::Owned(py_strip(&value).to_owned()),
    };
    if identity.is_empty() {
        return Err(ResolveError::IdentityHeaderBlank(name.clone()));
    }
    Ok(identity)
}
