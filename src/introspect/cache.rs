//! Introspection answers, remembered; calls, bounded.
//!
//! - **Keyed by the SHA-256 of the whole token**: two tokens share an entry only if their
//!   digests are equal. The raw token is never a key, so the cache holds no credential.
//! - An active answer lives until the earlier of its `exp` and the maximum TTL; an answer that
//!   refuses the token (inactive, or failing a check) for the inactive TTL; a failure (no
//!   answer) is never kept.
//! - **One call per token in flight**: concurrent first requests for one token wait for the
//!   same call and share its outcome, failures included.
//! - **A bound on calls**: at most `max_in_flight` calls at once; one more waits its turn
//!   (first come, first served) for as long as one call may take (the client's timeout), and
//!   only then is refused ([`IntrospectionError::Overloaded`], 503). A flood of junk tokens
//!   against a slow server then delays a valid token by the calls ahead of it, never refuses
//!   it at once; the server never sees more than the bound.
//! - An active answer is kept until its `exp` plus the leeway (as long as the uncached check
//!   accepts it), at most the maximum TTL.
//! - Bounded by weight, as the verified-token cache (S3-FIFO, `quick_cache`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::Digest as _;
use tokio::sync::{OnceCell, Semaphore};

use crate::error::{IntrospectionError, ResolveError};
use crate::identity::user_info::UserInfo;
use crate::introspect::answer::Checked;

/// The longest an active answer is cached by default: 5 minutes, the reference's.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(300);
/// How long an inactive answer is cached by default: 10 seconds.
pub const DEFAULT_INACTIVE_TTL: Duration = Duration::from_secs(10);
/// The most introspection calls in flight by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// The default weight of the answer cache: 4 MiB.
const DEFAULT_CACHE_BYTES: usize = 4 * 1024 * 1024;
/// An entry's weight beyond its answer's payload.
const ENTRY_OVERHEAD: usize = 256;

/// The cache's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheSettings {
    pub(crate) max_ttl: Duration,
    pub(crate) inactive_ttl: Duration,
    pub(crate) bytes: usize,
    pub(crate) max_in_flight: usize,
    /// How long a call waits for its turn (the client's total timeout).
    pub(crate) max_wait: Duration,
    /// The clock leeway of `exp`: an answer is kept while the uncached check would accept it.
    pub(crate) leeway: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            max_ttl: DEFAULT_MAX_TTL,
            inactive_ttl: DEFAULT_INACTIVE_TTL,
            bytes: DEFAULT_CACHE_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            // The client's own when it is built: its call timeout and its leeway.
            max_wait: crate::verify::fetch::HttpOptions::default().timeout,
            leeway: crate::verify::claims::DEFAULT_LEEWAY,
        }
    }
}

/// The SHA-256 of a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Digest([u8; 32]);

impl Digest {
    pub(crate) fn of(token: &[u8]) -> Self {
        Self(sha2::Sha256::digest(token).into())
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digest(..)")
    }
}

/// A remembered answer, and until when (seconds since the epoch).
#[derive(Debug)]
struct Entry {
    answer: Result<UserInfo, ResolveError>,
    until: f64,
    weight: u64,
}

#[derive(Debug, Clone, Copy)]
struct ByWeight;

impl quick_cache::Weighter<Digest, Arc<Entry>> for ByWeight {
    fn weight(&self, _digest: &Digest, entry: &Arc<Entry>) -> u64 {
        entry.weight
    }
}

/// What the cache holds for a token.
pub(crate) enum Lookup {
    /// A remembered answer.
    Hit(Result<UserInfo, ResolveError>),
    /// Nothing: a call is needed.
    Miss,
}

type Flight = Arc<OnceCell<Result<UserInfo, ResolveError>>>;

/// One client's answers, its calls in flight and their bound.
pub(crate) struct Answers {
    cache: Option<quick_cache::sync::Cache<Digest, Arc<Entry>, ByWeight>>,
    flights: Mutex<HashMap<Digest, Flight>>,
    permits: Semaphore,
    settings: CacheSettings,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("settings", &self.settings)
            .field("entries", &self.cache.as_ref().map(|cache| cache.len()))
            .finish_non_exhaustive()
    }
}

impl Answers {
    /// Its settings.
    pub(crate) fn settings(&self) -> CacheSettings {
        self.settings
    }

    pub(crate) fn new(settings: CacheSettings) -> Self {
        let capacity = u64::try_from(settings.bytes).unwrap_or(u64::MAX);
        let cache = (settings.bytes > 0 && !settings.max_ttl.is_zero()).then(|| {
            let estimated = (settings.bytes / 1024).max(1);
            quick_cache::sync::Cache::with_weighter(estimated, capacity, ByWeight)
        });
        Self {
            cache,
            flights: Mutex::new(HashMap::new()),
            permits: Semaphore::new(settings.max_in_flight.min(Semaphore::MAX_PERMITS)),
            settings,
        }
    }

    /// The remembered answer for `digest` at `now`, if any (an outlived one is dropped): a
    /// token's look-up, counted.
    pub(crate) fn lookup(&self, digest: &Digest, now: f64) -> Lookup {
        let hit = self.remembered(digest, now);
        crate::metrics::introspection_cache(matches!(hit, Lookup::Hit(_)));
        hit
    }

    /// As [`lookup`](Self::lookup), uncounted: a flight's second look before its call.
    fn remembered(&self, digest: &Digest, now: f64) -> Lookup {
        let Some(cache) = &self.cache else {
            return Lookup::Miss;
        };
        match cache.get(digest) {
            Some(entry) if now < entry.until => Lookup::Hit(entry.answer.clone()),
            Some(_) => {
                cache.remove(digest);
                Lookup::Miss
            }
            None => Lookup::Miss,
        }
    }

    /// The answer for `digest`: from the call in flight for it when there is one, else from
    /// `call` (within the bound), remembered as the module says.
    pub(crate) async fn answer<F, Fut>(
        &self,
        digest: Digest,
        call: F,
    ) -> Result<UserInfo, ResolveError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Checked>,
    {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(flights.entry(digest).or_default())
        };
        let _landing = Landing {
            flights: &self.flights,
            digest,
            flight: &flight,
        };
        let outcome = flight
            .get_or_init(|| async {
                // A call that ended just before this flight began has left its answer.
                if let Lookup::Hit(answer) = self.remembered(&digest, crate::verify::claims::now())
                {
                    return answer;
                }
                // Its turn, first come first served, within the time one call may take.
                let turn = tokio::time::timeout(self.settings.max_wait, self.permits.acquire());
                let Ok(Ok(_permit)) = turn.await else {
                    crate::metrics::introspection_call("overloaded");
                    return Err(ResolveError::Introspection(IntrospectionError::Overloaded));
                };
                let checked = call().await;
                self.remember(digest, checked)
            })
            .await;
        outcome.clone()
    }

    /// Keeps what an answer says, for as long as the module says.
    fn remember(&self, digest: Digest, checked: Checked) -> Result<UserInfo, ResolveError> {
        let now = crate::verify::claims::now();
        let (answer, until, result) = match checked {
            Checked::Active { user, exp } => {
                let most = now + self.settings.max_ttl.as_secs_f64();
                let leeway = self.settings.leeway.as_secs_f64();
                let until = exp.map_or(most, |exp| (exp + leeway).min(most));
                (Ok(user), until, "active")
            }
            Checked::Refused(error) => {
                let until = now + self.settings.inactive_ttl.as_secs_f64();
                let result = match error {
                    ResolveError::Introspection(IntrospectionError::Inactive) => "inactive",
                    _ => "refused",
                };
                (Err(error), until, result)
            }
            Checked::Failed(error) => {
                crate::metrics::introspection_call("error");
                return Err(error);
            }
        };
        crate::metrics::introspection_call(result);
        if let Some(cache) = &self.cache {
            if until > now {
                let payload = answer.as_ref().ok().and_then(UserInfo::introspected);
                let payload_len = payload.map_or(0, |claims| claims.payload_len());
                let weight = payload_len.saturating_mul(3).saturating_add(ENTRY_OVERHEAD);
                let entry = Entry {
                    answer: answer.clone(),
                    until,
                    weight: u64::try_from(weight).unwrap_or(u64::MAX),
                };
                cache.insert(digest, Arc::new(entry));
            }
        }
        answer
    }
}

/// Ends a flight when its last waiter leaves (answered, or dropped mid-call): the flight
/// table holds only calls under way.
struct Landing<'a> {
    flights: &'a Mutex<HashMap<Digest, Flight>>,
    digest: Digest,
    flight: &'a Flight,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = flights
            .get(&self.digest)
            .is_some_and(|flight| Arc::ptr_eq(flight, self.flight));
        // Answered: later requests read the cache. Unanswered and no one else waiting (the
        // table's reference and ours): nobody will land it.
        if ours && (self.flight.initialized() || Arc::strong_count(self.flight) <= 2) {
            flights.remove(&self.digest);
        }
    }
}
