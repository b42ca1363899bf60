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

/// A proof to record: digests only, never a credential.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ProofRecord<'a> {
    /// The SHA-256 of the proof key's thumbprint and the `jti`: what must be seen once.
    pub key: &'a [u8; 32],
    /// The SHA-256 of the proof key's thumbprint: whose proof it is (a store may bound each
    /// holder's share).
    pub holder: &'a [u8; 32],
    /// How long the record must last: as long as the proof could still pass.
    pub ttl: Duration,
    /// The proof's `iat`, whole seconds since the Unix epoch: a store that notices it lost its
    /// records (a restart, a failover, a flush) refuses proofs made before that.
    pub issued_at: u64,
}

impl<'a> ProofRecord<'a> {
    /// A record of `key` for `holder`, lasting `ttl`, issued at the epoch (set it with
    /// [`issued_at`](Self::issued_at)).
    #[must_use]
    pub fn new(key: &'a [u8; 32], holder: &'a [u8; 32], ttl: Duration) -> Self {
        Self {
            key,
            holder,
            ttl,
            issued_at: 0,
        }
    }

    /// The proof's `iat`, in whole seconds since the Unix epoch.
    #[must_use]
    pub fn issued_at(mut self, seconds: u64) -> Self {
        self.issued_at = seconds;
        self
    }
}

/// Where the proofs' `jti`s are remembered. What it is given is already digested (of the
/// proof key's thumbprint and `jti`): a store never sees a credential.
pub trait ReplayStore: Send + Sync + std::fmt::Debug + 'static {
    /// Records `proof.key` for `proof.ttl`: `Ok(true)` the first time, `Ok(false)` when it was
    /// recorded before and has not expired (a replay), or when the store cannot tell (it lost
    /// its records after the proof was made). An error when the store cannot answer: the
    /// proof is then refused with 503, never accepted unchecked.
    fn first_use<'a>(
        &'a self,
        proof: ProofRecord<'a>,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>>;
}

/// A store shared with the code that made it (a service that also calls
/// [`RedisReplayStore::connect`](crate::dpop::RedisReplayStore::connect) at start-up, say).
impl<T: ReplayStore> ReplayStore for std::sync::Arc<T> {
    fn first_use<'a>(
        &'a self,
        proof: ProofRecord<'a>,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        T::first_use(self, proof)
    }
}

/// The default capacity of a [`MemoryReplayStore`]: 1,000,000 proofs (about 72 MiB when
/// full, measured by `tests/replay_memory.rs`; at 1,000 proofs a second and a 120 s
/// lifetime, 120,000 are held).
pub const DEFAULT_MEMORY_CAPACITY: usize = 1_000_000;

/// The default share of a [`MemoryReplayStore`] one proof key may hold: 100,000 unexpired
/// proofs (over 800 proofs a second, sustained, for the default 120 s lifetime). Past it that
/// key's proofs are refused (503) and every other key's still pass: one holder of a valid
/// bound token cannot fill the store for everyone.
pub const DEFAULT_PER_KEY_LIMIT: usize = 100_000;

/// The replay store of one process: entries dropped once expired, bounded by a count, and each
/// proof key's share by another. When full of unexpired entries it refuses (an error, so 503)
/// rather than forget one: a forgotten `jti` could be replayed.
///
/// An entry costs about 72 bytes (measured): the first 16 bytes of the digest (a collision, at 2^-128,
/// would refuse a proof, never accept one), its expiry in whole seconds (rounded up), and its
/// holder's first 8 bytes.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    per_key: usize,
    started: Instant,
    entries: Mutex<Entries>,
}

type Key = [u8; 16];
type Holder = [u8; 8];

#[derive(Debug, Default)]
struct Entries {
    /// Each recorded key, until when (whole seconds since `started`).
    until: HashMap<Key, u32>,
    /// In order of recording (and so of expiry, for one lifetime), for pruning.
    order: VecDeque<(u32, Key, Holder)>,
    /// How many unexpired entries each holder has.
    held: HashMap<Holder, u32>,
}

impl MemoryReplayStore {
    /// A store of at most [`DEFAULT_MEMORY_CAPACITY`] proofs, [`DEFAULT_PER_KEY_LIMIT`] of one
    /// key.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }

    /// A store of at most `capacity` unexpired proofs (one key's share: the smaller of
    /// [`DEFAULT_PER_KEY_LIMIT`] and a tenth of it, at least 1).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            per_key: DEFAULT_PER_KEY_LIMIT.min(capacity / 10).max(1),
            started: Instant::now(),
            entries: Mutex::new(Entries::default()),
        }
    }

    /// At most `limit` unexpired proofs of one proof key (at least 1).
    #[must_use]
    pub fn with_per_key_limit(mut self, limit: usize) -> Self {
        self.per_key = limit.max(1);
        self
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

    /// Whole seconds from the store's start to `after` from now, rounded up (an entry lives
    /// its full ttl, or up to a second more); `None` past `u32`.
    fn seconds(&self, after: Duration) -> Option<u32> {
        let elapsed = self.started.elapsed().checked_add(after)?;
        let whole = elapsed.as_secs() + u64::from(elapsed.subsec_nanos() > 0);
        u32::try_from(whole).ok()
    }

    fn record(&self, proof: ProofRecord<'_>) -> Result<bool, ReplayStoreError> {
        // Now rounded down, an expiry rounded up: an entry never leaves early.
        let now = u32::try_from(self.started.elapsed().as_secs()).ok();
        let (Some(now), Some(until)) = (now, self.seconds(proof.ttl)) else {
            return Err(ReplayStoreError::Unavailable);
        };
        let key: Key = prefix(proof.key);
        let holder: Holder = prefix(proof.holder);
        let mut guard = self.lock();
        let entries = &mut *guard;
        // Expired entries leave from the front (out-of-order lifetimes leave when reached).
        while let Some(&(expiry, old, owner)) = entries.order.front() {
            if expiry > now {
                break;
            }
            entries.order.pop_front();
            if entries.until.get(&old).is_some_and(|&at| at <= now) {
                entries.until.remove(&old);
                if let Some(count) = entries.held.get_mut(&owner) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        entries.held.remove(&owner);
                    }
                }
            }
        }
        if let Some(&at) = entries.until.get(&key) {
            if at > now {
                return Ok(false);
            }
        }
        if entries.until.len() >= self.capacity {
            return Err(ReplayStoreError::Full);
        }
        let held = entries.held.entry(holder).or_insert(0);
        if usize::try_from(*held).unwrap_or(usize::MAX) >= self.per_key {
            return Err(ReplayStoreError::KeyFull);
        }
        *held += 1;
        entries.until.insert(key, until);
        entries.order.push_back((until, key, holder));
        Ok(true)
    }
}

/// The first `N` bytes of a digest.
fn prefix<const N: usize>(digest: &[u8; 32]) -> [u8; N] {
    let mut out = [0; N];
    for (to, from) in out.iter_mut().zip(digest) {
        *to = *from;
    }
    out
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(
        &'a self,
        proof: ProofRecord<'a>,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        let recorded = self.record(proof);
        Box::pin(std::future::ready(recorded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &[u8; 32], ttl: Duration) -> ProofRecord<'_> {
        ProofRecord::new(key, &[7; 32], ttl)
    }

    #[tokio::test]
    async fn a_key_counts_once_until_it_expires_and_a_full_store_refuses() {
        let store = MemoryReplayStore::with_capacity(2).with_per_key_limit(10);
        let (a, b, c) = ([1; 32], [2; 32], [3; 32]);
        let short = Duration::from_millis(50);
        assert_eq!(store.first_use(record(&a, short)).await, Ok(true));
        assert_eq!(store.first_use(record(&a, short)).await, Ok(false));
        let long = Duration::from_secs(60);
        assert_eq!(store.first_use(record(&b, long)).await, Ok(true));
        assert_eq!(
            store.first_use(record(&c, short)).await,
            Err(ReplayStoreError::Full)
        );
        // Lifetimes are kept in whole seconds, rounded up: a lives a second at most.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            store.first_use(record(&c, short)).await,
            Ok(true),
            "a expired: room"
        );
        assert_eq!(
            store.first_use(record(&a, short)).await,
            Err(ReplayStoreError::Full)
        );
        assert_eq!(store.first_use(record(&b, short)).await, Ok(false));
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.first_use(record(&a, Duration::MAX)).await,
            Err(ReplayStoreError::Unavailable)
        );
    }

    /// One key's proofs fill its share, never the store: another key's still pass.
    #[tokio::test]
    async fn one_key_cannot_fill_the_store() {
        let store = MemoryReplayStore::with_capacity(100).with_per_key_limit(3);
        let ttl = Duration::from_secs(60);
        let (greedy, other) = ([1; 32], [2; 32]);
        for n in 0..3_u8 {
            let key = [n; 32];
            let proof = ProofRecord::new(&key, &greedy, ttl);
            assert_eq!(store.first_use(proof).await, Ok(true));
        }
        let key = [9; 32];
        let proof = ProofRecord::new(&key, &greedy, ttl);
        assert_eq!(store.first_use(proof).await, Err(ReplayStoreError::KeyFull));
        let proof = ProofRecord::new(&key, &other, ttl);
        assert_eq!(store.first_use(proof).await, Ok(true));
        // The default share: a tenth of the capacity, at most DEFAULT_PER_KEY_LIMIT.
        assert_eq!(MemoryReplayStore::with_capacity(50).per_key, 5);
        assert_eq!(MemoryReplayStore::new().per_key, DEFAULT_PER_KEY_LIMIT);
    }
}
