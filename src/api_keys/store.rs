//! [`ApiKeyStore`]: which API keys exist.

use std::sync::Arc;

use crate::api_keys::{ApiKeyDigest, ApiKeyEntry};

/// A store of known API keys, looked up by digest: the resolver hashes the presented key
/// once and asks. Look-ups are synchronous, on the request path: keep the store in memory
/// (reload it from your database in the background), as [`ApiKeyList`](crate::api_keys::ApiKeyList)
/// does. Compare digests with their `==`, which runs in constant time.
///
/// ```
/// use std::sync::Arc;
/// use axum_userinfo::{api_keys::ApiKeyDigest, api_keys::ApiKeyEntry, api_keys::ApiKeyStore};
///
/// #[derive(Debug)]
/// struct OneKey(ApiKeyDigest, Arc<ApiKeyEntry>);
///
/// impl ApiKeyStore for OneKey {
///     fn find(&self, digest: &ApiKeyDigest) -> Option<Arc<ApiKeyEntry>> {
///         (*digest == self.0).then(|| Arc::clone(&self.1))
///     }
/// }
/// ```
pub trait ApiKeyStore: Send + Sync + std::fmt::Debug + 'static {
    /// The entry of the key whose digest is `digest`, if the key is known.
    fn find(&self, digest: &ApiKeyDigest) -> Option<Arc<ApiKeyEntry>>;
}
