//! Why a first pass over a request stopped short of a user: a refusal, or (feature `verify`) a
//! verified JWT waiting for its issuer's keys, parsed and kept for the asynchronous path.

use crate::ResolveError;

/// A refusal, or a token waiting for keys.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The request is refused.
    Refused(ResolveError),
    /// A verified JWT missed its issuer's fetched keys: the synchronous path refuses it with
    /// the miss, the asynchronous one waits for the refetch and finishes it.
    #[cfg(feature = "verify")]
    AwaitingKeys(Box<crate::verify::AwaitingKeys>),
}

impl From<ResolveError> for Halt {
    fn from(error: ResolveError) -> Self {
        Self::Refused(error)
    }
}

impl Halt {
    /// The synchronous answer: the refusal, or the key miss.
    pub(crate) fn into_error(self) -> ResolveError {
        match self {
            Self::Refused(error) => error,
            #[cfg(feature = "verify")]
            Self::AwaitingKeys(waiting) => waiting.miss(),
        }
    }

    /// The asynchronous answer: waits for the keys when the token needs them.
    pub(crate) async fn finish(self) -> Result<crate::UserInfo, ResolveError> {
        match self {
            Self::Refused(error) => Err(error),
            #[cfg(feature = "verify")]
            Self::AwaitingKeys(waiting) => waiting.finish().await,
        }
    }
}
