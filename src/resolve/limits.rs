//! Size limits, checked before any parsing: a request over a limit is refused with no work done
//! on it. The defaults resolve every conformance case (a 21 KB JWT, a 4 KB cookie).

use std::time::Duration;

use http::HeaderValue;

use crate::ResolveError;

/// The default limit on a credential header's length: 32 KiB.
pub const DEFAULT_MAX_CREDENTIAL_LEN: usize = 32 * 1024;

/// The default limit on a WebSocket auth message's length: 64 KiB.
pub const DEFAULT_MAX_AUTH_FRAME_LEN: usize = 64 * 1024;

/// The default time an anonymous WebSocket has to send an auth message: 10 s.
pub const DEFAULT_WEBSOCKET_AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// The bytes of a credential header, when within `max_len`.
pub(crate) fn bounded(value: &HeaderValue, max_len: usize) -> Result<&[u8], ResolveError> {
    let bytes = value.as_bytes();
    if bytes.len() > max_len {
        Err(ResolveError::CredentialTooLarge { limit: max_len })
    } else {
        Ok(bytes)
    }
}
