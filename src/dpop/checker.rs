//! [`DpopChecker`]: a proof checked against its request and its bound token, and its `jti`
//! recorded in the replay store.

use std::sync::Arc;
use std::time::Duration;

use crate::dpop::nonce::Nonces;
use crate::dpop::proof::{DpopRequest, Rules, check};
use crate::dpop::replay::{BoxFuture, ProofRecord, ReplayStore};
use crate::error::{ConfigError, DpopError};

/// The algorithms a proof may use by default: ES256, EdDSA (and its RFC 9864 name Ed25519,
/// which current client libraries send), RS256 and PS256. Never `none` or HMAC.
pub const DEFAULT_DPOP_ALGORITHMS: [&str; 5] = ["ES256", "EdDSA", "Ed25519", "RS256", "PS256"];

/// How far a proof's `iat` may be from now by default: 60 s either way.
pub const DEFAULT_DPOP_WINDOW: Duration = Duration::from_secs(60);

/// The window's bounds: a window is clamped into them.
const WINDOW_BOUNDS: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(300));

/// Checks DPoP proofs (RFC 9449 §4.3) for access tokens bound to a key (`cnf.jkt`), and
/// remembers their `jti`s in a [`ReplayStore`] for as long as they could pass. Cloning it is
/// a reference-count bump; clones share the store.
///
/// ```
/// use axum_userinfo::dpop::{DpopChecker, DpopRequest, MemoryReplayStore};
/// # async fn run(proof: &str, token: &str, jkt: &str) -> Result<(), axum_userinfo::error::DpopError> {
/// let checker = DpopChecker::new(MemoryReplayStore::new());
/// let request = DpopRequest { method: "GET", uri: "https://api.example.com/orders" };
/// checker.check(proof, request, token, jkt).await?; // a replay of `proof` fails from now on
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DpopChecker {
    algorithms: Vec<&'static str>,
    window: Duration,
    store: Arc<dyn ReplayStore>,
    nonces: Option<Nonces>,
}

impl DpopChecker {
    /// A checker of the default algorithms and window, remembering proofs in `store`.
    pub fn new(store: impl ReplayStore) -> Self {
        Self {
            algorithms: DEFAULT_DPOP_ALGORITHMS.to_vec(),
            window: DEFAULT_DPOP_WINDOW,
            store: Arc::new(store),
            nonces: None,
        }
    }

    /// Requires server-provided nonces (RFC 9449 §8–9; off by default): a proof without a
    /// `nonce`, or with one this checker (or a replica with the same `secret`) did not make
    /// within `lifetime`, is refused with `error="use_dpop_nonce"` and a fresh nonce in the
    /// response's `DPoP-Nonce` header, which the client puts in its next proof. Nonces are
    /// stateless (a time and its HMAC-SHA256): replicas share them by sharing the secret.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a secret under 32 bytes.
    pub fn with_nonces(
        mut self,
        secret: impl AsRef<[u8]>,
        lifetime: Duration,
    ) -> Result<Self, ConfigError> {
        let secret = secret.as_ref();
        if secret.len() < 32 {
            return Err(ConfigError::InvalidKey(
                "a DPoP nonce secret needs 32 bytes or more",
            ));
        }
        self.nonces = Some(Nonces::new(secret, lifetime));
        Ok(self)
    }

    /// How far a proof's `iat` may be from now (default 60 s), clamped to 1 s – 300 s. A
    /// proof's `jti` is remembered for twice this.
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window.clamp(WINDOW_BOUNDS.0, WINDOW_BOUNDS.1);
        self
    }

    /// Allows only these proof algorithms (a subset of [`DEFAULT_DPOP_ALGORITHMS`]).
    ///
    /// # Errors
    /// [`ConfigError::InvalidDpopAlgorithm`] for another one (`none`, HMAC, …), or none.
    pub fn with_algorithms<'a>(
        mut self,
        algorithms: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, ConfigError> {
        let mut chosen = Vec::new();
        for name in algorithms {
            let known = DEFAULT_DPOP_ALGORITHMS.iter().find(|known| **known == name);
            chosen.push(*known.ok_or(ConfigError::InvalidDpopAlgorithm)?);
        }
        if chosen.is_empty() {
            return Err(ConfigError::InvalidDpopAlgorithm);
        }
        self.algorithms = chosen;
        Ok(self)
    }

    /// The allowed algorithms, as a `DPoP` challenge's `algs` lists them.
    #[must_use]
    pub fn algorithms(&self) -> &[&'static str] {
        &self.algorithms
    }

    /// Checks `proof` for `request`, made with the key whose RFC 7638 thumbprint is `jkt`
    /// (the access token's `cnf.jkt`) over `access_token` (`ath`), then records its `jti`.
    ///
    /// # Errors
    /// [`DpopError::InvalidProof`] naming the rule a proof breaks, [`DpopError::KeyMismatch`],
    /// [`DpopError::Replayed`]; [`DpopError::ReplayStore`] (503) when the store cannot answer.
    pub async fn check(
        &self,
        proof: &str,
        request: DpopRequest<'_>,
        access_token: &str,
        jkt: &str,
    ) -> Result<(), DpopError> {
        self.check_at(
            proof,
            request,
            access_token,
            jkt,
            crate::verify::claims::now(),
        )
        .await
    }

    /// As [`check`](Self::check), at `now` (seconds since the Unix epoch).
    pub(crate) async fn check_at(
        &self,
        proof: &str,
        request: DpopRequest<'_>,
        access_token: &str,
        jkt: &str,
        now: f64,
    ) -> Result<(), DpopError> {
        self.begin_at(proof, request, access_token, jkt, now)?
            .finish()
            .await
    }

    /// Checks everything but the replay at `now`; the replay store's answer is what remains.
    pub(crate) fn begin_at(
        &self,
        proof: &str,
        request: DpopRequest<'_>,
        access_token: &str,
        jkt: &str,
        now: f64,
    ) -> Result<AwaitingReplayStore, DpopError> {
        let rules = Rules {
            algorithms: &self.algorithms,
            window: self.window.as_secs_f64(),
            now,
        };
        let passed = check(proof, request, access_token, jkt, &rules)?;
        if let Some(nonces) = &self.nonces {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let seconds = now.max(0.0) as u64;
            if !passed
                .nonce
                .as_deref()
                .is_some_and(|n| nonces.is_fresh(n, seconds))
            {
                return Err(DpopError::UseNonce {
                    nonce: nonces.issue(seconds),
                });
            }
        }
        let lifetime = self.window.saturating_mul(2);
        let store = Arc::clone(&self.store);
        Ok(AwaitingReplayStore(Box::pin(async move {
            let record = ProofRecord::new(&passed.replay_key, &passed.holder, lifetime)
                .issued_at(passed.issued_at);
            match store.first_use(record).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(DpopError::Replayed),
                Err(error) => Err(DpopError::ReplayStore(error)),
            }
        })))
    }
}

/// A proof that passed every check but the replay, waiting for the replay store's answer
/// (DPoP's one wait).
pub(crate) struct AwaitingReplayStore(BoxFuture<'static, Result<(), DpopError>>);

impl std::fmt::Debug for AwaitingReplayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwaitingReplayStore")
            .finish_non_exhaustive()
    }
}

impl AwaitingReplayStore {
    /// The store's answer if it has one at once (an in-memory store does), else
    /// [`DpopError::NeedsAsync`]: the synchronous path cannot wait.
    pub(crate) fn now(mut self) -> Result<(), DpopError> {
        use std::task::{Context, Poll, Waker};
        match (self.0.as_mut()).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(answer) => answer,
            Poll::Pending => Err(DpopError::NeedsAsync),
        }
    }

    /// The store's answer, waited for.
    pub(crate) async fn finish(self) -> Result<(), DpopError> {
        self.0.await
    }
}
