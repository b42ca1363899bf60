//! An opaque token whose answer is not cached: the engine's pending step, finished by one
//! call to the authorization server (shared with every request for the same token).

use crate::error::{IntrospectionError, ResolveError};
use crate::identity::user_info::UserInfo;
use crate::introspect::cache::Digest;
use crate::introspect::client::IntrospectionClient;

/// A token waiting for its introspection answer.
pub(crate) struct AwaitingIntrospection {
    client: IntrospectionClient,
    token: Box<[u8]>,
    digest: Digest,
}

impl std::fmt::Debug for AwaitingIntrospection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("AwaitingIntrospection")
            .field("issuer", &crate::verify::redacted_url(self.client.issuer()))
            .finish_non_exhaustive()
    }
}

impl AwaitingIntrospection {
    pub(crate) fn new(client: IntrospectionClient, token: &[u8], digest: Digest) -> Self {
        Self {
            client,
            token: token.into(),
            digest,
        }
    }

    /// The synchronous path's answer: it cannot call the authorization server.
    pub(crate) fn miss(&self) -> ResolveError {
        ResolveError::Introspection(IntrospectionError::NeedsAsync)
    }

    /// Asks the authorization server (or waits for the call in flight for the same token).
    pub(crate) async fn finish(self) -> Result<UserInfo, ResolveError> {
        self.client.answer(&self.token, self.digest).await
    }
}
