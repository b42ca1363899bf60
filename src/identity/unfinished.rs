//! [`Unfinished`]: why a step of the engine stopped short of a user. Each module that can wait
//! (verify for an issuer's keys, introspection for an answer, DPoP for its replay store)
//! answers `Result<UserInfo, Unfinished<W>>` for any `W` its own waiting type converts into;
//! the engine (`resolve/wait.rs`) names its one enum, so that the wait is built in place.

use crate::error::ResolveError;

/// A refusal, or a wait of type `W`.
#[derive(Debug)]
pub(crate) enum Unfinished<W> {
    /// Refused.
    Refused(ResolveError),
    /// Waiting for something (keys, an answer, a store) before it can answer.
    #[cfg_attr(
        not(feature = "verify"),
        allow(dead_code, reason = "without verify nothing waits")
    )]
    Waits(W),
}

impl<W> From<ResolveError> for Unfinished<W> {
    #[inline]
    fn from(error: ResolveError) -> Self {
        Self::Refused(error)
    }
}
