//! [`Wait`]: the one thing a resolution can wait for, whichever step asked: an issuer's keys
//! (verify), an introspection answer, or the replay store's answer for a DPoP proof. Each of
//! those modules owns its own waiting type; this enum only wraps them.

use crate::error::ResolveError;
use crate::identity::user_info::UserInfo;

/// What a resolution waits for.
#[derive(Debug)]
pub(crate) enum Wait {
    /// A verified JWT whose issuer's fetched keys missed its `kid` (feature `verify`).
    #[cfg(feature = "verify")]
    Keys(Box<crate::verify::AwaitingKeys>),
    /// An opaque token whose answer is not cached (feature `introspection`).
    #[cfg(feature = "introspection")]
    Introspection(Box<crate::introspect::AwaitingIntrospection>),
    /// A DPoP proof's replay check, for a user whose token the proof binds (feature `dpop`).
    #[cfg(feature = "dpop")]
    ReplayStore(Box<(crate::dpop::AwaitingReplayStore, UserInfo)>),
}

impl Wait {
    /// The synchronous answer, which cannot wait: a key miss is refused with the miss, an
    /// uncached introspection answer with `NeedsAsync`; the replay store answers if it can at
    /// once (an in-memory one does).
    pub(crate) fn now(self) -> Result<UserInfo, ResolveError> {
        match self {
            #[cfg(feature = "verify")]
            Self::Keys(waiting) => Err(waiting.miss()),
            #[cfg(feature = "introspection")]
            Self::Introspection(waiting) => Err(waiting.miss()),
            #[cfg(feature = "dpop")]
            Self::ReplayStore(waiting) => {
                let (answer, user) = *waiting;
                answer.now().map_err(ResolveError::Dpop).map(|()| user)
            }
        }
    }

    /// The answer, once what it waits for has come.
    pub(crate) async fn finish(self) -> Result<UserInfo, ResolveError> {
        match self {
            #[cfg(feature = "verify")]
            Self::Keys(waiting) => waiting.finish().await,
            #[cfg(feature = "introspection")]
            Self::Introspection(waiting) => waiting.finish().await,
            #[cfg(feature = "dpop")]
            Self::ReplayStore(waiting) => {
                let (answer, user) = *waiting;
                answer
                    .finish()
                    .await
                    .map_err(ResolveError::Dpop)
                    .map(|()| user)
            }
        }
    }
}

#[cfg(feature = "verify")]
impl From<Box<crate::verify::AwaitingKeys>> for Wait {
    #[inline]
    fn from(waiting: Box<crate::verify::AwaitingKeys>) -> Self {
        Self::Keys(waiting)
    }
}

#[cfg(feature = "introspection")]
impl From<Box<crate::introspect::AwaitingIntrospection>> for Wait {
    #[inline]
    fn from(waiting: Box<crate::introspect::AwaitingIntrospection>) -> Self {
        Self::Introspection(waiting)
    }
}
