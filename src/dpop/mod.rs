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
//!
//! # In practice
//!
//! A stolen bearer token works for whoever holds it. DPoP (RFC 9449, feature `dpop`) binds a token
//! to a key the client holds: the token's `cnf.jkt` names the key, and every request carries a
//! fresh proof signed by it (`Authorization: DPoP <token>` and a `DPoP: <proof>` header). The
//! resolver verifies the token as always (a JWT by its issuer's keys, an opaque token by
//! introspection), then the proof: `typ`, an asymmetric `alg` (ES256, EdDSA / `Ed25519`, RS256,
//! PS256), a public `jwk` whose RFC 7638 thumbprint is the token's `cnf.jkt`, the signature,
//! `htm` and `htu` against the request (after RFC 3986 normalisation), `iat` within 60 s, `ath`
//! the token's hash, and a `jti` never seen before.
//!
//! ```rust
//! use axum_userinfo::dpop::{DpopChecker, RedisReplayStore};
//! use axum_userinfo::{verify::JwtVerifier, Resolver};
//! # fn run(verifier: JwtVerifier) -> Result<(), axum_userinfo::ConfigError> {
//! let replays = RedisReplayStore::new("redis://10.0.0.7:6379/")?; // shared by every replica
//! let resolver = Resolver::builder()
//!     .with_verifier(verifier)
//!     .with_dpop(DpopChecker::new(replays))
//!     .with_public_url("https://api.example.com") // the scheme and host clients sign for
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **A bound token is never a bearer token**: presented as `Bearer`, a token with `cnf` is
//!   refused (401 `invalid_token`), whether DPoP is configured or not. A `DPoP` header beside
//!   an unbound `Bearer` token is ignored (RFC 9449 lets a server accept both; the token's own
//!   binding decides).
//! - **Replays across replicas**: `RedisReplayStore` (feature `redis`) records each proof with
//!   one `SET NX PX`, so a proof one replica accepted is refused by the others.
//!   `MemoryReplayStore` serves one process (about 72 bytes a proof, measured; one proof key
//!   may hold a tenth of it at most, so one client cannot fill it for everyone). A store that
//!   cannot answer refuses with **503**, never an unchecked proof. A Redis that lost its keys
//!   (restarted without persistence, failed over, flushed) is noticed by its birth mark, and
//!   the proofs made before it are refused: no persistence is needed, but run Redis with
//!   `maxmemory-policy noeviction`.
//! - Refusals carry `WWW-Authenticate: DPoP error="invalid_dpop_proof", algs="…"`, and 401s a
//!   `DPoP algs="…"` challenge beside the `Bearer` one.
//! - Behind a gateway, the public scheme and host come from `with_public_url` (which pins them),
//!   or else from trusted proxies' `X-Forwarded-Proto` / `X-Forwarded-Host` (set them to fixed
//!   values, never the client's `Host`); a forward-auth subrequest's `X-Original-Method` /
//!   `X-Original-URI` (a path) from trusted proxies only. Paths with dot segments are refused.
//! - The demo: `--dpop`, `--dpop-replay redis://…`, `--public-url URL`. The test kit mints proofs
//!   (`TestKey::dpop_proof`) and bound tokens (`TokenBuilder::bound_to`).
//! - Server-provided nonces (RFC 9449 §8–9), off by default:
//!   `DpopChecker::with_nonces(secret, lifetime)`; a proof without a fresh one gets 401
//!   `use_dpop_nonce` and a new nonce in `DPoP-Nonce`. They are stateless (a time and its
//!   HMAC), so replicas that share the secret accept each other's.

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
