//! The key cache of an issuer whose keys are fetched (a JWKS URL or OIDC discovery).
//!
//! - **Reads never lock**: the request path loads the current key set from an [`ArcSwap`].
//! - **Refresh ahead**: once three quarters of the keys' lifetime has passed (the TTL,
//!   default 15 minutes, or the response's `Cache-Control: max-age` clamped to
//!   [`CachePolicy`]'s bounds), the next request starts a refresh in the background and
//!   goes on with the keys it has.
//! - **Unknown `kid`**: the request waits for a refetch, at most one per
//!   [`CachePolicy::refetch_interval`] (default 30 s) for the issuer, and all the requests
//!   that miss meanwhile share it (single flight). Past that, an unknown `kid` fails at once:
//!   a flood of random `kid`s costs one fetch per interval, and the `kid` is never sent
//!   upstream.
//! - **Failures**: the last good keys keep serving. With none (a cold start while the
//!   identity provider is down), tokens fail with [`VerifyError::KeysUnavailable`](crate::error::VerifyError::KeysUnavailable)
//!   (HTTP 503) until a fetch succeeds; the server itself starts and serves.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::verify::published::PublishedKeys;

/// How long fetched keys are kept, and how often they may be refetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Lifetime of fetched keys when the response has no `max-age`. Default 15 minutes.
    pub ttl: Duration,
    /// The shortest lifetime a `max-age` may set. Default 1 minute.
    pub min_ttl: Duration,
    /// The longest lifetime a `max-age` may set. Default 24 hours.
    pub max_ttl: Duration,
    /// The least time between two fetches of one issuer's keys that requests trigger (an
    /// unknown `kid`, no keys yet). Default 30 seconds.
    pub refetch_interval: Duration,
}

impl CachePolicy {
    /// Checks the policy: `min_ttl` must not exceed `max_ttl`. Every duration may be as long
    /// as `Duration::MAX`: deadlines past what the clock holds mean "not scheduled".
    pub(crate) fn check(&self) -> Result<(), crate::error::ConfigError> {
        if self.min_ttl > self.max_ttl {
            return Err(crate::error::ConfigError::InvalidCachePolicy);
        }
        Ok(())
    }
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(15 * 60),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(24 * 60 * 60),
            refetch_interval: Duration::from_secs(30),
        }
    }
}

/// Keys as a source returned them.
pub(crate) struct Fetched {
    pub(crate) keys: PublishedKeys,
    /// `Cache-Control: max-age`, when the response had one.
    pub(crate) max_age: Option<Duration>,
}

/// A boxed, sendable future.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where an issuer's keys come from.
pub(crate) trait KeySource: Send + Sync + fmt::Debug + 'static {
    /// Fetches the current keys; the error is for the logs.
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, String>>;
}

/// The keys of one moment.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: PublishedKeys,
    /// Whether a fetch ever succeeded.
    pub(crate) loaded: bool,
    /// When a request should start a background refresh.
    refresh_at: Option<Instant>,
}

/// The cache of one issuer's fetched keys.
pub(crate) struct KeyCache {
    source: Box<dyn KeySource>,
    /// The issuer, as metrics name it.
    issuer: crate::metrics::IssuerLabel,
    policy: CachePolicy,
    current: ArcSwap<KeySet>,
    /// Held while fetching: the single flight. The value is when the last fetch started.
    fetching: tokio::sync::Mutex<Option<Instant>>,
    /// A background refresh is under way.
    refreshing: AtomicBool,
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("source", &self.source)
            .field("policy", &self.policy)
            .field("keys", &self.current.load().keys.keys().len())
            .finish_non_exhaustive()
    }
}

impl KeyCache {
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) fn new(source: Box<dyn KeySource>, policy: CachePolicy, issuer: &str) -> Self {
        Self {
            source,
            issuer: crate::metrics::IssuerLabel::new(crate::verify::redacted_url(issuer)),
            policy,
            current: ArcSwap::from_pointee(KeySet::default()),
            fetching: tokio::sync::Mutex::new(None),
            refreshing: AtomicBool::new(false),
        }
    }

    /// The current keys, without waiting; starts a background refresh when they are due for
    /// one and a tokio runtime is at hand.
    pub(crate) fn current(self: &Arc<Self>) -> Arc<KeySet> {
        let keys = self.current.load_full();
        if keys.refresh_at.is_some_and(|at| Instant::now() >= at) {
            self.refresh_in_background();
        }
        keys
    }

    /// Counts a token's look-up in these keys.
    pub(crate) fn count_lookup(&self, hit: bool) {
        self.issuer.key_lookup(hit);
    }

    fn refresh_in_background(self: &Arc<Self>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return; // one is under way
        }
        let cache = Arc::clone(self);
        runtime.spawn(async move {
            let mut last = cache.fetching.lock().await;
            if cache
                .current
                .load()
                .refresh_at
                .is_some_and(|at| Instant::now() >= at)
            {
                *last = Some(Instant::now());
                cache.fetch_now().await;
            }
            drop(last);
            cache.refreshing.store(false, Ordering::Release);
        });
    }

    /// After a miss (an unknown `kid`, or no keys): fetches, unless a fetch started less than
    /// the refetch interval ago; concurrent callers share one fetch. Returns once the keys
    /// are as fresh as they will get.
    pub(crate) async fn refetch(&self) {
        let mut last = self.fetching.lock().await;
        let interval = self.policy.refetch_interval;
        if last.is_some_and(|at| at.elapsed() < interval) {
            return;
        }
        *last = Some(Instant::now());
        self.fetch_now().await;
    }

    /// Fetches and stores the keys; on failure keeps the last good ones and retries no sooner
    /// than the refetch interval.
    async fn fetch_now(&self) {
        let now = Instant::now();
        match self.source.fetch().await {
            Ok(fetched) => {
                self.issuer.key_fetch(true);
                let ttl = fetched.max_age.map_or(self.policy.ttl, |max_age| {
                    // min_ttl <= max_ttl: checked when the verifier is built.
                    max_age.max(self.policy.min_ttl).min(self.policy.max_ttl)
                });
                let usable = fetched.keys.keys().len();
                if usable == 0 {
                    // Loaded, but nothing can verify a token: not ready (see
                    // `Issuers::awaiting_keys`), and loud about why.
                    tracing::error!(
                        source = ?self.source,
                        skipped = ?fetched.keys.skipped(),
                        "the issuer's key set holds no usable key; its tokens are refused"
                    );
                } else {
                    tracing::debug!(keys = usable, ?ttl, "verification keys fetched");
                }
                self.current.store(Arc::new(KeySet {
                    keys: fetched.keys,
                    loaded: true,
                    // At three quarters of the lifetime; a lifetime too long for the clock
                    // means no scheduled refresh (misses still refetch).
                    refresh_at: now.checked_add(ttl - ttl / 4),
                }));
            }
            Err(reason) => {
                self.issuer.key_fetch(false);
                let old = self.current.load_full();
                tracing::warn!(
                    source = ?self.source,
                    %reason,
                    cached_keys = old.keys.keys().len(),
                    "fetching verification keys failed"
                );
                self.current.store(Arc::new(KeySet {
                    keys: old.keys.clone(),
                    loaded: old.loaded,
                    refresh_at: now.checked_add(self.policy.refetch_interval),
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        fail: AtomicBool,
    }

    impl KeySource for Arc<Counting> {
        fn fetch(&self) -> BoxFuture<'_, Result<Fetched, String>> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                if self.fail.load(Ordering::SeqCst) {
                    return Err("down".to_owned());
                }
                Ok(Fetched {
                    keys: PublishedKeys::from_keys(vec![
                        crate::verify::VerificationKey::from_secret([7; 32])
                            .unwrap()
                            .with_kid("a"),
                    ]),
                    max_age: Some(Duration::from_secs(1)),
                })
            })
        }
    }

    #[tokio::test]
    async fn one_fetch_per_interval_and_failures_keep_the_keys() {
        let source = Arc::new(Counting::default());
        let cache = Arc::new(KeyCache::new(
            Box::new(Arc::clone(&source)),
            CachePolicy::default(),
            "https://issuer.test",
        ));
        assert!(!cache.current().loaded);
        let misses = (0..50).map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.refetch().await })
        });
        for miss in misses.collect::<Vec<_>>() {
            miss.await.unwrap();
        }
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        assert!(cache.current().loaded);
        cache.refetch().await; // within the interval: no fetch
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);

        // A max-age of 1 s is clamped to the 60 s minimum.
        let refresh_at = cache.current().refresh_at.unwrap();
        assert!(refresh_at > Instant::now() + Duration::from_secs(40));

        source.fail.store(true, Ordering::SeqCst);
        cache.fetch_now().await;
        assert_eq!(
            cache.current().keys.keys().len(),
            1,
            "the last good keys stay"
        );
    }

    #[tokio::test]
    async fn duration_max_policies_never_panic() {
        let policy = CachePolicy {
            ttl: Duration::MAX,
            min_ttl: Duration::MAX,
            max_ttl: Duration::MAX,
            refetch_interval: Duration::MAX,
        };
        assert_eq!(policy.check(), Ok(()));
        let source = Arc::new(Counting::default());
        let cache = Arc::new(KeyCache::new(
            Box::new(Arc::clone(&source)),
            policy,
            "https://issuer.test",
        ));
        cache.refetch().await; // a max-age clamped to Duration::MAX, then now + it
        assert!(cache.current().loaded);
        assert_eq!(cache.current().refresh_at, None, "too far to schedule");
        source.fail.store(true, Ordering::SeqCst);
        cache.fetch_now().await; // now + the refetch interval
        assert_eq!(cache.current().keys.keys().len(), 1);
        cache.refetch().await; // within the (endless) interval: no fetch, no panic
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);

        let inverted = CachePolicy {
            min_ttl: Duration::from_secs(10),
            max_ttl: Duration::from_secs(1),
            ..CachePolicy::default()
        };
        assert_eq!(
            inverted.check(),
            Err(crate::error::ConfigError::InvalidCachePolicy)
        );
    }
}
