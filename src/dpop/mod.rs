//! Sender-constrained tokens: DPoP proofs (RFC 9449), feature `dpop`.
//!
//! Give the resolver a [`DpopChecker`]
//! ([`ResolverBuilder::with_dpop`](crate::ResolverBuilder::with_dpop)) and it accepts
//! `Authorization: DPoP <token>` with one `DPoP` proof header: the token verified as a Bearer
//! token would be, then the proof checked against the request and the token's `cnf.jkt`.
//! A token bound by `cnf` is refused as `Bearer`, DPoP configured or not. The checker also
//! works on its own: [`DpopChecker::check`] takes a proof, the request it must have been made
//! for, the access token and the token's `cnf.jkt`.
//!
//! Server-provided nonces (`DPoP-Nonce`, RFC 9449 §8–9) are off by default:
//! [`DpopChecker::with_nonces`] turns them on.
//!
//! | file | concern |
//! | --- | --- |
//! | `proof.rs` | one proof against its request: header, signature, `htm`, `htu`, `iat`, `jti`, `ath`, `jkt` |
//! | `target.rs` | the request's public method and URI: the public URL, trusted proxies' headers |
//! | `htu.rs` | the URI compared after RFC 3986 syntax-based normalisation |
//! | `thumbprint.rs` | RFC 7638 JWK thumbprints |
//! | `nonce.rs` | server-provided nonces (RFC 9449 §8–9), stateless: a time and its HMAC |
//! | `checker.rs` | [`DpopChecker`]: the rules configured, and the replay recorded |
//! | `replay.rs` | [`ReplayStore`], and [`MemoryReplayStore`] for one process |
//! | `redis_store.rs` | [`RedisReplayStore`] for replicas (feature `redis`) |

mod checker;
mod htu;
mod nonce;
mod proof;
#[cfg(feature = "redis")]
mod redis_store;
mod replay;
pub(crate) mod target;
mod thumbprint;

pub(crate) use checker::AwaitingReplayStore;
pub use checker::{DEFAULT_DPOP_ALGORITHMS, DEFAULT_DPOP_WINDOW, DpopChecker};
pub use proof::DpopRequest;
#[cfg(feature = "redis")]
pub use redis_store::{DEFAULT_REDIS_TIMEOUT, RedisReplayStore};
pub use replay::{
    BoxFuture, DEFAULT_MEMORY_CAPACITY, DEFAULT_PER_KEY_LIMIT, MemoryReplayStore, ProofRecord,
    ReplayStore,
};
pub use thumbprint::jwk_thumbprint;
