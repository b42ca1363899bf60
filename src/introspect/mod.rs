//! Opaque access tokens, checked by RFC 7662 token introspection (feature `introspection`).
//!
//! With an [`IntrospectionClient`] configured
//! ([`ResolverBuilder::with_introspection`](crate::ResolverBuilder::with_introspection)), a
//! Bearer token that is not JWT-shaped is an [`OpaqueToken`](crate::CredentialKind::OpaqueToken):
//! the authorization server is asked whether it is active, and its answer checked as a
//! verified JWT's claims are (the same leeway, issuer, audience and scope rules). A JWT-shaped
//! token that no configured issuer claims (no verifier at all, an unknown or missing `iss`,
//! or one that does not decode) is introspected too, as the reference's
//! `BearerTokenValidator` falls back; a JWT of a configured issuer is verified by its keys
//! alone, and its refusal stands (see [`IntrospectionClient`]). `X-API-Key` and WebSocket
//! `api_key` messages stay API keys.
//!
//! The user: `uuid5(iss U+001F identity)`, the identity the first non-blank of `sub` and
//! `username`, trimmed; so a user's JWT and opaque token of one issuer give one id.
//!
//! | file | concern |
//! | --- | --- |
//! | `client.rs` | [`IntrospectionClient`] and its builder: endpoint, client credentials, checks; a token waiting for its answer |
//! | `exchange.rs` | the RFC 7662 POST: client authentication, timeouts, bounded answer |
//! | `answer.rs` | an answer → a user, or why not (`active`, `token_type`, claims, identity) |
//! | `cache.rs` | answers by SHA-256 of the token; one call in flight per token; the bound on calls |

mod answer;
mod cache;
mod client;
mod exchange;

pub use cache::{DEFAULT_INACTIVE_TTL, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_TTL};
pub(crate) use client::AwaitingIntrospection;
pub use client::{IntrospectionClient, IntrospectionClientBuilder};
pub use exchange::ClientAuth;
