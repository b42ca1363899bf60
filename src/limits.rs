//! Size limits, checked before any parsing: a request over a limit is refused with no work done
//! on it. The defaults resolve every conformance case (a 21 KB JWT, a 4 KB cookie).

use http::HeaderValue;

use crate::ResolveError;

/// The default limit on a credential header's length: 32 KiB.
pub const DEFAULT_MAX_CREDENTIAL_LEN: usize = 32 * 1024;

/// The default limit on a WebSocket auth message's length: 64 KiB.
pub const DEFAULT_MAX_AUTH_FRAME_LEN: usize = 64 * 1024;

/// The bytes of a credential header, when within `max_len`.
pub(crate) fn bounded(value: &HeaderValue, max_len: usize) -> Result<&[u8], ResolveError> {
    let bytes = value.as_bytes();
    if bytes.len() > max_len {
        Err(ResolveError::CredentialTooLarge { limit: max_len })
    } else {
        Ok(bytes)
    }
}
