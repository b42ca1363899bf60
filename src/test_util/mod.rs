//! A test kit (feature `test-util`): a local identity provider on 127.0.0.1 that serves OIDC
//! discovery and a JWKS, and mints tokens, so an application tests its verified routes
//! without the network.
//!
//! ```
//! use axum_userinfo::test_util::{TestIdp, TestKey};
//! use axum_userinfo::{Resolver, Source};
//! use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let idp = TestIdp::start().await;
//! let verifier = idp.verifier().with_audience("my-api").build().unwrap();
//! let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
//!
//! let token = idp.token().subject("alice").audience("my-api").sign();
//! let mut headers = HeaderMap::new();
//! headers.insert(AUTHORIZATION, HeaderValue::try_from(format!("Bearer {token}")).unwrap());
//! let user = resolver.resolve_async(&headers).await.unwrap().unwrap();
//! assert_eq!(user.source(), Source::JWT);
//! assert_eq!(idp.jwks_requests(), 1);
//!
//! idp.publish(&[TestKey::Rsa2]); // rotation: the next token's new kid triggers one refetch
//! # }
//! ```
//!
//! The keys it signs with are in the crate's source for everyone to read: never trust them
//! outside tests.

mod dpop;
mod idp;
mod keys;
mod token;
mod token_endpoint;

pub use dpop::DpopProofBuilder;
pub use idp::{OpaqueTokenBuilder, TestIdp};
pub use keys::TestKey;
pub use token::TokenBuilder;
