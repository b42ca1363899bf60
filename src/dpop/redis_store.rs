//! [`RedisReplayStore`] (feature `redis`): the replay store that replicas share. One
//! `SET key 1 NX PX ttl` per proof: Redis answers `OK` for the first use and nothing for a
//! replay, atomically, whichever replica asks.

use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

use crate::dpop::replay::{BoxFuture, ReplayStore};
use crate::error::{ConfigError, ReplayStoreError};

/// The default time a Redis answer may take (connecting included) before the proof is
/// refused with 503: 500 ms.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// A replay store in Redis, shared by every replica that uses the same server and prefix.
///
/// Keys are `<prefix>` and the hex of the digest the checker gives (of the proof key's
/// thumbprint and the `jti`: no credential, nothing a reader of the keys could replay), with
/// the proof's lifetime as their expiry. The connection is `redis`'s `ConnectionManager`, one
/// multiplexed connection shared by every request and re-established after a failure; it is
/// opened at the first proof, so a service starts while Redis is down (and refuses proofs
/// with 503 until it is back). Every answer is bounded by a timeout.
///
/// ```no_run
/// use axum_userinfo::dpop::RedisReplayStore;
/// let store = RedisReplayStore::new("redis://127.0.0.1:6379/")?.with_prefix("my-api:dpop:");
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
pub struct RedisReplayStore {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL's password stays out.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisReplayStore")
            .field("addr", &info.addr().to_string())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// A store at `url` (`redis://[:password@]host[:port][/db]`; TLS, `rediss://`, is not
    /// built in: reach Redis over a private network or a local TLS tunnel), keys
    /// prefixed `axum-userinfo:dpop:`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidRedisUrl`] for a URL `redis` does not take.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let client = redis::Client::open(url).map_err(|_| ConfigError::InvalidRedisUrl)?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
            prefix: "axum-userinfo:dpop:".to_owned(),
            timeout: DEFAULT_REDIS_TIMEOUT,
        })
    }

    /// Prefixes keys with `prefix` (services sharing one Redis keep their proofs apart).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The most an answer may take (default [`DEFAULT_REDIS_TIMEOUT`]).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn record(&self, key: &[u8; 32], ttl: Duration) -> Result<bool, ReplayStoreError> {
        let answer = tokio::time::timeout(self.timeout, async {
            let connection = self
                .connection
                .get_or_try_init(|| self.client.get_connection_manager())
                .await?;
            let mut connection = connection.clone();
            let name: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
            let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            redis::cmd("SET")
                .arg(format!("{}{name}", self.prefix))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(millis)
                .query_async::<Option<String>>(&mut connection)
                .await
        })
        .await;
        match answer {
            Ok(Ok(set)) => Ok(set.is_some()),
            Ok(Err(error)) => {
                tracing::warn!(
                    target: "axum_userinfo",
                    kind = ?error.kind(),
                    "the DPoP replay store (Redis) failed: proofs are refused with 503"
                );
                Err(ReplayStoreError::Unavailable)
            }
            Err(_) => {
                tracing::warn!(
                    target: "axum_userinfo",
                    timeout = ?self.timeout,
                    "the DPoP replay store (Redis) did not answer in time: proofs are refused \
                     with 503"
                );
                Err(ReplayStoreError::Unavailable)
            }
        }
    }
}

impl ReplayStore for RedisReplayStore {
    fn first_use<'a>(
        &'a self,
        key: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        Box::pin(self.record(key, ttl))
    }
}
