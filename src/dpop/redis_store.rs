//! [`RedisReplayStore`] (feature `redis`): the replay store that replicas share. One script
//! per proof, atomic whichever replica asks: the instance's birth mark read (set when missing),
//! then `SET key 1 NX PX ttl`, which answers `OK` for the first use and nothing for a replay.
//!
//! **A Redis that loses its keys** (restarted without persistence, a failover to a replica
//! that had not caught up, `FLUSHALL`) would accept every proof of the last window once more.
//! The birth mark (`<prefix>born`, Redis's own time in milliseconds when the store first saw
//! this instance, never expiring) tells: a missing mark is set anew, and a proof whose `iat`
//! is not after it is refused, since its first use may have been forgotten. For one window
//! after a restart, proofs made before it are refused: clients make new ones.

use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

use crate::dpop::replay::{BoxFuture, ProofRecord, ReplayStore};
use crate::error::{ConfigError, ReplayStoreError};

/// The default time a Redis answer may take (connecting included) before the proof is
/// refused with 503: 500 ms.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// The script of one proof: `KEYS[1]` the birth mark, `KEYS[2]` the proof's key; `ARGV[1]`
/// the lifetime in ms, `ARGV[2]` the proof's `iat` in ms. 1: first use; 0: a replay; -1: the
/// proof is not after the instance's birth mark.
const RECORD: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local born = tonumber(redis.call('GET', KEYS[1]))
if not born then
  redis.call('SET', KEYS[1], now)
  born = now
end
if tonumber(ARGV[2]) <= born then
  return -1
end
if redis.call('SET', KEYS[2], 1, 'NX', 'PX', ARGV[1]) then
  return 1
end
return 0
";

/// Sets the birth mark `KEYS[1]` to Redis's time in ms when it has none; answers 1.
const MARK_BIRTH: &str = r"
local time = redis.call('TIME')
redis.call('SET', KEYS[1], tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000), 'NX')
return 1
";

/// A replay store in Redis, shared by every replica that uses the same server and prefix.
///
/// **What Redis must keep**: no persistence is needed (a store that lost its keys notices, by
/// its birth mark, and refuses the proofs it may have forgotten, see the module), but keys
/// must not be evicted: run it with `maxmemory-policy noeviction` (an evicted proof key could
/// be replayed; an evicted birth mark only refuses a window of proofs). Scripts (`EVAL`) must
/// be allowed. One Redis, not a cluster: the two keys of a proof are not in one hash slot.
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

    /// Connects now, and sets the instance's birth mark if it has none, rather than at the
    /// first proof: a service that calls it at start-up (the demo does) moves the second in
    /// which a new Redis refuses proofs away from its first requests.
    ///
    /// # Errors
    /// [`ReplayStoreError::Unavailable`] when Redis does not answer in time.
    pub async fn connect(&self) -> Result<(), ReplayStoreError> {
        let born = format!("{}born", self.prefix);
        match self.eval(MARK_BIRTH, &[born], &[]).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(ReplayStoreError::Unavailable),
        }
    }

    /// Runs `script` with `keys` and `args`, connecting first if need be, within the timeout
    /// (`Err` when it ran out).
    async fn eval(
        &self,
        script: &str,
        keys: &[String],
        args: &[u64],
    ) -> Result<redis::RedisResult<i64>, tokio::time::error::Elapsed> {
        tokio::time::timeout(self.timeout, async {
            let connection = self
                .connection
                .get_or_try_init(|| self.client.get_connection_manager())
                .await?;
            let mut connection = connection.clone();
            let mut command = redis::cmd("EVAL");
            command.arg(script).arg(keys.len()).arg(keys).arg(args);
            command.query_async::<i64>(&mut connection).await
        })
        .await
    }

    async fn record(&self, proof: ProofRecord<'_>) -> Result<bool, ReplayStoreError> {
        let name: String = (proof.key.iter())
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let keys = [
            format!("{}born", self.prefix),
            format!("{}{name}", self.prefix),
        ];
        let millis = u64::try_from(proof.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let issued_ms = proof.issued_at.saturating_mul(1000);
        let answer = self.eval(RECORD, &keys, &[millis, issued_ms]).await;
        match answer {
            Ok(Ok(1)) => Ok(true),
            Ok(Ok(-1)) => {
                tracing::info!(
                    target: "axum_userinfo",
                    "a DPoP proof made before the replay store (Redis) was new or emptied is \
                     refused: its first use may have been forgotten"
                );
                Ok(false)
            }
            Ok(Ok(_)) => Ok(false),
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
        proof: ProofRecord<'a>,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        Box::pin(self.record(proof))
    }
}
