//! The replay store: a proof's `jti` seen once is refused after, for as long as its `iat`
//! could still pass. [`ReplayStore`] is the trait; [`MemoryReplayStore`] the store of one
//! process; [`RedisReplayStore`](crate::dpop::RedisReplayStore) (feature `redis`) the store
//! replicas share.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::ReplayStoreError;

/// A boxed future, as the trait's methods return (object-safe, `Send`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the proofs' `jti`s are remembered. The key is already a digest (of the proof's key
/// thumbprint and `jti`): a store never sees a credential.
pub trait ReplayStore: Send + Sync + std::fmt::Debug + 'static {
    /// Records `key` for `ttl`: `Ok(true)` the first time, `Ok(false)` when it was recorded
    /// before and has not expired (a replay). An error when the store cannot answer: the
    /// proof is then refused with 503, never accepted unchecked.
    fn first_use<'a>(
        &'a self,
        key: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>>;
}

/// The default capacity of a [`MemoryReplayStore`]: 1,000,000 proofs (about 110 MiB at
/// most; at 1,000 proofs a second and a 120 s lifetime, 120,000 are held).
pub const DEFAULT_MEMORY_CAPACITY: usize = 1_000_000;

/// The replay store of one process: entries dropped once expired, bounded by a count. When
/// full of unexpired entries it refuses (an error, so 503) rather than forget one: a
/// forgotten `jti` could be replayed.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    until: HashMap<[u8; 32], Instant>,
    /// In order of recording (and so of expiry, for one lifetime), for pruning.
    order: VecDeque<(Instant, [u8; 32])>,
}

impl MemoryReplayStore {
    /// A store of at most [`DEFAULT_MEMORY_CAPACITY`] proofs.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }

    /// A store of at most `capacity` unexpired proofs.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// How many proofs are held (expired ones included until they are pruned).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().until.len()
    }

    /// Whether none is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, key: &[u8; 32], ttl: Duration) -> Result<bool, ReplayStoreError> {
        let now = Instant::now();
        let until = now.checked_add(ttl).ok_or(ReplayStoreError::Unavailable)?;
        let mut entries = self.lock();
        // Expired entries leave from the front (out-of-order lifetimes leave when reached).
        while let Some(&(expiry, old)) = entries.order.front() {
            if expiry > now {
                break;
            }
            entries.order.pop_front();
            if entries.until.get(&old).is_some_and(|&at| at <= now) {
                entries.until.remove(&old);
            }
        }
        if let Some(&at) = entries.until.get(key) {
            if at > now {
                return Ok(false);
            }
        }
        if entries.until.len() >= self.capacity {
            return Err(ReplayStoreError::Full);
        }
        entries.until.insert(*key, until);
        entries.order.push_back((until, *key));
        Ok(true)
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(
        &'a self,
        key: &'a [u8; 32],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        let recorded = self.record(key, ttl);
        Box::pin(std::future::ready(recorded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_counts_once_until_it_expires_and_a_full_store_refuses() {
        let store = MemoryReplayStore::with_capacity(2);
        let (a, b, c) = ([1; 32], [2; 32], [3; 32]);
        let short = Duration::from_millis(50);
        assert_eq!(store.first_use(&a, short).await, Ok(true));
        assert_eq!(store.first_use(&a, short).await, Ok(false));
        assert_eq!(store.first_use(&b, Duration::from_secs(60)).await, Ok(true));
        assert_eq!(
            store.first_use(&c, short).await,
            Err(ReplayStoreError::Full)
        );
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(
            store.first_use(&c, short).await,
            Ok(true),
            "a expired: room"
        );
        assert_eq!(
            store.first_use(&a, short).await,
            Err(ReplayStoreError::Full)
        );
        assert_eq!(store.first_use(&b, short).await, Ok(false));
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.first_use(&a, Duration::MAX).await,
            Err(ReplayStoreError::Unavailable)
        );
    }
}
