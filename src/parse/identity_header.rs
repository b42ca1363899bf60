//! A trusted identity header, set by an authenticating proxy (e.g. `X-Forwarded-User`).
//!
//! When configured it is the *only* identity source: it must occur exactly once with a
//! non-blank value, or the request is refused; cookies, `Authorization` and `X-API-Key` are not
//! consulted. The name is case-insensitive; the value is Latin-1, trimmed of whitespace, and
//! kept whole (a comma is part of the identity, not a list separator).
//!
//! Only configure it behind a proxy that always sets (or strips) this header: anyone who can
//! reach the service directly can assert any identity with it.

use http::{HeaderMap, HeaderName};

use crate::parse::pytext::{latin1, py_strip};
use crate::resolve::limits::bounded;
use crate::{ResolveError, UserInfo};

/// The user asserted by the trusted header `name`.
pub(crate) fn resolve(
    headers: &HeaderMap,
    name: &HeaderName,
    max_len: usize,
) -> Result<UserInfo, ResolveError> {
    let mut values = headers.get_all(name).iter();
    let value = values
        .next()
        .ok_or_else(|| ResolveError::IdentityHeaderMissing(name.clone()))?;
    if values.next().is_some() {
        return Err(ResolveError::IdentityHeaderRepeated(name.clone()));
    }
    let value = latin1(bounded(value, max_len)?);
    let identity = py_strip(&value);
    if identity.is_empty() {
        return Err(ResolveError::IdentityHeaderBlank(name.clone()));
    }
    Ok(UserInfo::from_identity_header(name, identity))
}
