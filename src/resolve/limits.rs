//! Size limits, checked before any parsing: a request over a limit is refused with no work done
//! on it. The defaults resolve every conformance case (a 21 KB JWT, a 4 KB cookie).

use std::time::Duration;

/// The default limit on a credential header's length: 32 KiB.
pub const DEFAULT_MAX_CREDENTIAL_LEN: usize = 32 * 1024;

/// The default limit on a WebSocket auth message's length: 64 KiB.
pub const DEFAULT_MAX_AUTH_FRAME_LEN: usize = 64 * 1024;

/// The default time an anonymous WebSocket has to send an auth message: 10 s.
pub const DEFAULT_WEBSOCKET_AUTH_TIMEOUT: Duration = Duration::from_secs(10);
