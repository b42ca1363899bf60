//! The parsers, one a file, each holding the reference's rules exactly where they must match
//! (Python's whitespace, Latin-1 header text, the cookie and Basic rules).
//!
//! | file | parses |
//! | --- | --- |
//! | `authorization.rs` | the `Authorization` header: scheme and credential |
//! | `basic.rs` | a Basic credential: strict base64 of `username:password` |
//! | `bounded.rs` | the size limit a credential header is read under |
//! | `cookie.rs` | `Cookie` headers: the `nat-session` cookie, quoted values unquoted |
//! | `host.rs` | `host[:port]`, and a port (1–65535) |
//! | `identity_header.rs` | the trusted identity header |
//! | `session_query.rs` | a WebSocket upgrade's `?session=` id |
//! | `jwt.rs` | a JWT's three segments, decoded (not verified) |
//! | `json_scan.rs` | JSON read once, depth-limited, only the claims that matter kept |
//! | `pytext.rs` | Python's `strip()` / `split()` and Latin-1, as the reference reads headers |
//! | `scope.rs` | configured scopes: RFC 6749 scope tokens |

pub(crate) mod authorization;
pub(crate) mod basic;
pub(crate) mod bounded;
pub(crate) mod cookie;
pub(crate) mod host;
pub(crate) mod identity_header;
pub(crate) mod json_scan;
pub(crate) mod jwt;
pub(crate) mod pytext;
pub(crate) mod scope;
pub(crate) mod session_query;
