//! Verified tokens, remembered: a token that passed every check answers again from here,
//! without base64, JSON or a signature check, for as long as the uncached path would accept it.
//!
//! - **Keyed by the whole token** (every byte, compared in full), never a prefix or a hash that
//!   could collide: two tokens share an entry only if they are the same bytes.
//! - **Only successes** are kept, so a flood of bad tokens neither fills it nor is answered
//!   from it; only a holder of valid tokens can insert (and so evict others' entries, which
//!   costs them one uncached check, nothing more).
//! - **Never past the uncached answer.** Each hit checks again what can change for the same
//!   bytes: the time claims at the current time (`exp` with the leeway, `nbf`), by the same
//!   rules as the uncached path; and that the key that verified it is still one the token's
//!   `kid` and `alg` pick among its issuer's current keys. A rotated-out or revoked key drops
//!   its tokens at the first request after the key set changes. Anything else (the type, the
//!   claims, the signature) is a function of the bytes and the fixed configuration.
//! - **Bounded by weight**, not by a count: each entry weighs its token, three times its
//!   payload (the payload kept in the `UserInfo`, and the claims a handler makes it parse)
//!   and a fixed overhead, and the cache holds at most
//!   [`DEFAULT_TOKEN_CACHE_BYTES`] of them by default (S3-FIFO eviction, `quick_cache`). A
//!   count of entries was no bound: 4,096 valid 30 KB tokens took the demo server from 8 to
//!   333 MiB (`benches/memory.sh`; 22 MiB with the weight bound).

use std::sync::Arc;

use crate::identity::user_info::UserInfo;
use crate::verify::key_binding::KeyBinding;

/// The default weight of the token cache: 16 MiB (of tokens, payloads and overhead, as each
/// entry is weighed).
///
/// About 4,700 entries of 1 KiB tokens, or 230 of 30 KB tokens: whatever the tokens' size, the
/// cache's memory stays near this figure (the worst case adds the allocator's slack and one
/// entry per shard). Set it with
/// [`ResolverBuilder::with_token_cache_bytes`](crate::ResolverBuilder::with_token_cache_bytes);
/// 0 turns the cache off.
pub const DEFAULT_TOKEN_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// The weight of an entry beyond its token and payload: the entry, its `Arc`s, the
/// `UserInfo`, the cache's own slot.
const ENTRY_OVERHEAD: usize = 256;

/// A verified token's answer, and what is checked again before it is given.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) user: UserInfo,
    /// The key and time claims the answer rests on (the `UserInfo` holds it too).
    pub(crate) binding: Arc<KeyBinding>,
    /// What the entry weighs, with its token (computed once: the weighter must be cheap).
    weight: u64,
}

impl Entry {
    /// The entry of a token of `token_len` bytes (its claims `payload_len`) that passed.
    pub(crate) fn new(
        user: &UserInfo,
        binding: Arc<KeyBinding>,
        token_len: usize,
        payload_len: usize,
    ) -> Self {
        let weight = token_len
            .saturating_add(payload_len.saturating_mul(3))
            .saturating_add(ENTRY_OVERHEAD);
        Self {
            user: user.clone(),
            binding,
            weight: u64::try_from(weight).unwrap_or(u64::MAX),
        }
    }
}

/// Weighs entries by what they hold.
#[derive(Debug, Clone, Copy)]
struct ByWeight;

impl quick_cache::Weighter<Box<[u8]>, Arc<Entry>> for ByWeight {
    fn weight(&self, _token: &Box<[u8]>, entry: &Arc<Entry>) -> u64 {
        entry.weight
    }
}

/// The cache of one resolver's verified tokens.
pub(crate) struct TokenCache(quick_cache::sync::Cache<Box<[u8]>, Arc<Entry>, ByWeight>);

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("capacity_bytes", &self.0.capacity())
            .field("weight", &self.0.weight())
            .field("entries", &self.0.len())
            .finish()
    }
}

impl TokenCache {
    /// A cache that weighs at most `bytes`; `None` for 0 (no cache).
    pub(crate) fn new(bytes: usize) -> Option<Self> {
        let capacity = u64::try_from(bytes).unwrap_or(u64::MAX);
        // The estimate sizes the cache's tables: entries of about 2 KiB (1 KiB tokens).
        let estimated = (bytes / 2048).max(1);
        (bytes > 0).then(|| {
            Self(quick_cache::sync::Cache::with_weighter(
                estimated, capacity, ByWeight,
            ))
        })
    }

    /// The total weight of the entries, in bytes.
    #[cfg(test)]
    pub(crate) fn weight(&self) -> u64 {
        self.0.weight()
    }

    pub(crate) fn get(&self, token: &[u8]) -> Option<Arc<Entry>> {
        self.0.get(token)
    }

    pub(crate) fn insert(&self, token: &[u8], entry: Entry) {
        self.0.insert(token.into(), Arc::new(entry));
    }

    pub(crate) fn remove(&self, token: &[u8]) {
        self.0.remove(token);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    use crate::error::ResolveError;
    use crate::identity::unfinished::Unfinished;
    use crate::identity::user_info::UserInfo;
    use crate::parse::jwt::DECODED;
    use crate::verify::JwtVerifier;
    use crate::verify::key_cache::{BoxFuture, CachePolicy, Fetched, KeyCache, KeySource};
    use crate::verify::{Issuers, VerificationKey};

    const ISSUER: &str = "https://issuer.test";
    /// The clock of the tests: a fixed epoch second, moved by each step.
    const BASE: f64 = 1_900_000_000.0;
    const SECRETS: [[u8; 32]; 3] = [[1; 32], [2; 32], [3; 32]];

    /// An identity provider whose published keys a test sets.
    #[derive(Debug, Default)]
    struct Published(Mutex<Vec<VerificationKey>>);

    impl KeySource for Arc<Published> {
        fn fetch(&self) -> BoxFuture<'_, Result<Fetched, String>> {
            let keys = self.0.lock().map(|keys| keys.clone()).unwrap_or_default();
            Box::pin(async move {
                Ok(Fetched {
                    keys: crate::verify::published::PublishedKeys::from_keys(keys),
                    max_age: None,
                })
            })
        }
    }

    /// The key of secret `i`, named `k{i}` or without a `kid`.
    fn key(i: usize, named: bool) -> VerificationKey {
        let key = VerificationKey::from_secret(SECRETS[i]).unwrap();
        if named {
            key.with_kid(format!("k{i}"))
        } else {
            key
        }
    }

    /// An HS256 token of `ISSUER` signed with secret `i`.
    fn token(i: usize, kid: Option<&str>, exp: Option<f64>, nbf: Option<f64>, sub: &str) -> String {
        let mut header = serde_json::json!({ "alg": "HS256" });
        if let Some(kid) = kid {
            header["kid"] = kid.into();
        }
        let mut claims = serde_json::json!({ "iss": ISSUER, "sub": sub });
        if let Some(exp) = exp {
            claims["exp"] = exp.into();
        }
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        let part = |json: serde_json::Value| URL_SAFE_NO_PAD.encode(json.to_string());
        let input = format!("{}.{}", part(header), part(claims));
        let key = jsonwebtoken::EncodingKey::from_secret(&SECRETS[i]);
        let signature =
            crate::verify::backend::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256);
        format!("{input}.{}", signature.unwrap())
    }

    /// G9: tokens of 30 KB fill the cache up to its weight, not up to a count of entries
    /// (4,096 of them took 324 MiB).
    #[test]
    fn the_cache_is_bounded_by_weight() {
        let verifier = JwtVerifier::builder(ISSUER)
            .with_key(key(0, true))
            .build()
            .unwrap();
        let bytes = super::DEFAULT_TOKEN_CACHE_BYTES;
        let issuers = Issuers::new(vec![verifier], bytes).unwrap();
        let big = "x".repeat(22_000);
        for i in 0..1_000 {
            let sub = format!("{i}-{big}");
            let token = token(0, Some("k0"), Some(BASE + 3600.0), None, &sub);
            assert!(token.len() > 29_000);
            assert!(
                issuers
                    .user_at::<Box<crate::verify::AwaitingKeys>>(token.as_bytes(), BASE)
                    .is_ok()
            );
        }
        let cache = issuers.token_cache().unwrap();
        let weight = cache.weight();
        assert!(weight <= bytes as u64, "{weight} > {bytes}");
        assert!(weight > bytes as u64 / 2, "the cache is used: {weight}");
    }

    /// A cached and an uncached resolver over one issuer whose keys `Published` holds (the
    /// key cache is shared, so both see the same key set), and a refetch to apply changes.
    fn issuers(capacity: usize) -> (Issuers, Issuers, Arc<Published>, Arc<KeyCache>) {
        let published = Arc::new(Published::default());
        let policy = CachePolicy {
            refetch_interval: Duration::ZERO,
            ..CachePolicy::default()
        };
        let keys = Arc::new(KeyCache::new(
            Box::new(Arc::clone(&published)),
            policy,
            ISSUER,
        ));
        let checks = JwtVerifier::builder(ISSUER)
            .with_key(key(0, true))
            .build()
            .unwrap();
        let verifier = checks.fetching_into(Arc::clone(&keys));
        // About one of the tests' tokens a KiB.
        let cached = Issuers::new(vec![verifier.clone()], capacity * 1024).unwrap();
        let uncached = Issuers::new(vec![verifier], 0).unwrap();
        (cached, uncached, published, keys)
    }

    /// The synchronous answer, with what equality of users leaves out.
    fn answer(
        outcome: crate::verify::awaiting_keys::Verified,
    ) -> Result<(UserInfo, Option<std::time::SystemTime>), ResolveError> {
        outcome
            .map(|user| {
                let until = user.valid_until();
                (user, until)
            })
            .map_err(|unfinished| match unfinished {
                Unfinished::Refused(error) => error,
                Unfinished::Waits(waiting) => waiting.miss(),
            })
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn a_hit_skips_the_decode_and_a_rotated_out_key_drops_it() {
        let (cached, _, published, keys) = issuers(16);
        *published.0.lock().unwrap() = vec![key(0, true), key(1, true)];
        runtime().block_on(keys.refetch());
        let ada = token(1, Some("k1"), Some(BASE + 600.0), None, "ada");

        let first = answer(cached.user_at(ada.as_bytes(), BASE)).unwrap();
        let before = DECODED.with(std::cell::Cell::get);
        let again = answer(cached.user_at(ada.as_bytes(), BASE + 1.0)).unwrap();
        assert_eq!(again, first);
        assert_eq!(
            DECODED.with(std::cell::Cell::get),
            before,
            "answered from the cache"
        );

        // Past exp + leeway (60 s): refused, as uncached.
        let late = cached.user_at(ada.as_bytes(), BASE + 660.0);
        assert_eq!(
            answer(late),
            Err(ResolveError::Verification(
                crate::error::VerifyError::Expired
            ))
        );

        // k1 leaves the set: the cached token is refused at once.
        let fresh = token(1, Some("k1"), Some(BASE + 6000.0), None, "bob");
        assert!(answer(cached.user_at(fresh.as_bytes(), BASE)).is_ok());
        *published.0.lock().unwrap() = vec![key(0, true)];
        runtime().block_on(keys.refetch());
        assert_eq!(
            answer(cached.user_at(fresh.as_bytes(), BASE)),
            Err(ResolveError::Verification(
                crate::error::VerifyError::UnknownKey
            ))
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        /// Resolve token `n` (of the case's tokens) at `BASE + at` seconds.
        Resolve { n: usize, at: f64 },
        /// Publish these keys (secret, named) and refetch.
        Publish(Vec<(usize, bool)>),
    }

    #[derive(Debug, Clone)]
    struct Spec {
        secret: usize,
        kid: Option<String>,
        exp: Option<f64>,
        nbf: Option<f64>,
        sub: String,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let kid = prop_oneof![
            Just(None),
            (0..3usize).prop_map(|i| Some(format!("k{i}"))),
            Just(Some("other".to_owned())),
        ];
        let time = prop_oneof![
            Just(None),
            (-200.0..400.0f64).prop_map(Some),
            (-3i32..4).prop_map(|s| Some(f64::from(s) * 60.0)), // on the leeway's edges
        ];
        (0..3usize, kid, time.clone(), time, "[a-c]{1,2}").prop_map(
            |(secret, kid, exp, nbf, sub)| Spec {
                secret,
                kid,
                exp: exp.map(|e| BASE + e),
                nbf: nbf.map(|n| BASE + n),
                sub,
            },
        )
    }

    fn step() -> impl Strategy<Value = Step> {
        let at = prop_oneof![
            (-100.0..500.0f64),
            (-2i32..8).prop_map(|s| f64::from(s) * 60.0)
        ];
        prop_oneof![
            4 => (0..6usize, at).prop_map(|(n, at)| Step::Resolve { n, at }),
            1 => proptest::collection::vec((0..3usize, any::<bool>()), 0..4).prop_map(Step::Publish),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Tokens, the clock (forwards and back) and the key set (rotations, kid-less keys,
        /// revocations) through a cached and an uncached resolver: the same answer every time.
        #[test]
        fn the_cache_never_changes_an_answer(
            specs in proptest::collection::vec(spec(), 6),
            steps in proptest::collection::vec(step(), 1..40),
            capacity in 1..8usize,
        ) {
            let (cached, uncached, published, keys) = issuers(capacity);
            let runtime = runtime();
            *published.0.lock().unwrap() = vec![key(0, true), key(1, true), key(2, false)];
            runtime.block_on(keys.refetch());
            let tokens: Vec<String> = specs
                .iter()
                .map(|s| token(s.secret, s.kid.as_deref(), s.exp, s.nbf, &s.sub))
                .collect();
            for step in steps {
                match step {
                    Step::Resolve { n, at } => {
                        let token = tokens[n].as_bytes();
                        let want = answer(uncached.user_at(token, BASE + at));
                        let got = answer(cached.user_at(token, BASE + at));
                        prop_assert_eq!(got, want);
                    }
                    Step::Publish(set) => {
                        *published.0.lock().unwrap() =
                            set.into_iter().map(|(i, named)| key(i, named)).collect();
                        runtime.block_on(keys.refetch());
                    }
                }
            }
        }
    }
}
