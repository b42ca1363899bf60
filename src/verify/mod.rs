//! JWT verification (feature `verify`; fetched keys with feature `jwks`).
//!
//! Decoding without verification stays the default, as in the reference. With verifiers
//! configured ([`ResolverBuilder::with_verifier`](crate::ResolverBuilder::with_verifier)),
//! a Bearer JWT or a WebSocket auth message's JWT is verified by the verifier of its
//! unverified `iss`, and its user id is issuer-scoped (`iss` `U+001F` identity). A token of an
//! unknown issuer, or without `iss`, is refused.
//!
//! | file | concern |
//! | --- | --- |
//! | `backend.rs` | the signature backend our features choose: aws-lc-rs or RustCrypto |
//! | `key.rs` | [`VerificationKey`]: a key and the algorithms its type allows |
//! | `prepared.rs` | keys parsed once for aws-lc-rs (backend `aws-lc-rs` with `jwks`) |
//! | `header.rs` | `alg`, `crit`, `typ`, `cty`, JWE: the header checks of RFC 8725 |
//! | `claims.rs` | `iss`, `exp`, `nbf`, `iat`, `aud`, strictly typed, with leeway |
//! | `verifier.rs` | [`JwtVerifier`]: one issuer's keys and checks |
//! | `issuers.rs` | the verifier of a token's issuer |
//! | `awaiting_keys.rs` | a parsed token that waits for its issuer's refetch, then finishes |
//! | `passed.rs` | a token that passed, made a user and remembered |
//! | `key_binding.rs` | what a verified identity rests on: its key and time claims, checked again |
//! | `token_cache.rs` | verified tokens remembered, checked again at every hit |
//! | `key_cache.rs` | fetched keys: lock-free reads, refresh ahead, single-flight refetch |
//! | `published.rs` | an issuer's keys in their places, and the one key a token's `kid` picks |
//! | `jwks.rs` | a JWK Set document → its signing keys |
//! | `discovery.rs` | an issuer's OIDC discovery document, fetched and checked (feature `jwks`) |
//! | `fetch.rs` | documents over HTTPS: the URL rules, timeouts, size limit, redirects (feature `jwks`) |
//! | `remote_keys.rs` | the JWKS of a URL or of OIDC discovery: the key cache's source |
//! | `located.rs` | a URL given or found by OIDC discovery (the JWKS, the introspection endpoint) |
//! | `redact.rs` | URLs as logs show them: no userinfo, query or fragment |
#![doc = ""]
#![doc = include_str!("guide.md")]

mod awaiting_keys;
pub(crate) mod backend;
pub(crate) mod claims;
#[cfg(feature = "jwks")]
pub(crate) mod discovery;
#[cfg(feature = "jwks")]
pub(crate) mod fetch;
mod header;
mod issuers;
#[cfg(feature = "jwks")]
mod jwks;
mod key;
mod key_binding;
mod key_cache;
#[cfg(feature = "jwks")]
pub(crate) mod located;
mod passed;
#[cfg(all(feature = "aws-lc-rs", feature = "jwks"))]
mod prepared;
mod published;
mod redact;
#[cfg(feature = "jwks")]
mod remote_keys;
mod token_cache;
mod verifier;

pub(crate) use awaiting_keys::AwaitingKeys;
pub use backend::SIGNATURE_BACKEND;
pub use claims::{DEFAULT_LEEWAY, MAX_LEEWAY};
pub(crate) use header::is_jwe_shaped;
pub(crate) use issuers::Issuers;
pub use key::{MIN_HMAC_SECRET_LEN, MIN_RSA_BITS, VerificationKey};
pub use key_cache::CachePolicy;
pub use published::MAX_PUBLISHED_KEYS;
pub use redact::redacted_url;
pub use token_cache::DEFAULT_TOKEN_CACHE_BYTES;
pub use verifier::{JwtVerifier, JwtVerifierBuilder};

/// The `jsonwebtoken` types a configuration names: a key's [`Algorithm`], a [`Jwk`]. Only these
/// are re-exported, so that this crate's semver does not follow jsonwebtoken's.
pub use jsonwebtoken::{Algorithm, jwk::Jwk};
