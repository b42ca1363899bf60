//! The size limit every credential header is read under: a value over it is refused unread.

use http::HeaderValue;

use crate::error::ResolveError;

/// The bytes of a credential header, when within `max_len`.
pub(crate) fn bounded(value: &HeaderValue, max_len: usize) -> Result<&[u8], ResolveError> {
    let bytes = value.as_bytes();
    if bytes.len() > max_len {
        Err(ResolveError::CredentialTooLarge { limit: max_len })
    } else {
        Ok(bytes)
    }
}
