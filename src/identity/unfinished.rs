//! [`Unfinished`]: why a step of the engine stopped short of a user. Each module that can wait
//! (verify for an issuer's keys, introspection for an answer, DPoP for its replay store)
//! answers `Result<UserInfo, Unfinished<ItsOwnWait>>`; the engine (`resolve/wait.rs`) wraps
//! those waits in its one enum.

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

impl<W> Unfinished<W> {
    /// The same refusal, or the wait turned into another by `f`.
    #[cfg_attr(
        not(feature = "verify"),
        allow(dead_code, reason = "without verify nothing waits")
    )]
    #[inline]
    pub(crate) fn map_wait<V>(self, f: impl FnOnce(W) -> V) -> Unfinished<V> {
        match self {
            Self::Refused(error) => Unfinished::Refused(error),
            Self::Waits(wait) => Unfinished::Waits(f(wait)),
        }
    }
}
