//! API keys checked against a store: which keys exist, their labels and scopes.
//!
//! Without a store, any API key is a user (the reference's rule: the id is `uuid5` of the
//! key). With one ([`ResolverBuilder::with_api_keys`](crate::ResolverBuilder::with_api_keys)),
//! only the keys it knows resolve, each still to the reference's id, so that ids match the
//! Python service; a known key's user is granted its entry's scopes (route guards) and shows
//! its label and scopes as claims (`label`, `scope`) to forward-auth claim headers.
//!
//! | file | concern |
//! | --- | --- |
//! | `digest.rs` | [`ApiKeyDigest`]: the SHA-256 a store holds instead of the key |
//! | `entry.rs` | [`ApiKeyEntry`]: a known key's label and scopes |
//! | `store.rs` | [`ApiKeyStore`]: the trait a store of your own implements |
//! | `list.rs` | [`ApiKeyList`]: the store of a list of lines, loaded at start and reloadable |
//!
//! # In practice
//!
//! Without a store, any API key is a user (the reference's rule). Give the resolver the keys that
//! exist, held as SHA-256 digests, each with a label and scopes, and every other key is refused
//! with 401 `invalid_token`; a known key keeps the reference's id (`uuid5` of the key), and its
//! scopes work with route guards, its `label` and `scope` with claim headers.
//!
//! ```rust
//! use axum_userinfo::{api_keys::ApiKeyList, Resolver};
//! # fn run() -> Result<(), axum_userinfo::ConfigError> {
//! // One a line: <key or sha256:digest> <label> [scope …]
//! let keys = ApiKeyList::parse(
//!     "sha256:5e1de4a0b6ad7ba1f8fc5d1d28ba4b8a7e8c0f2e27e8c4c4b06cc3b0a6f0d3f1 ci-robot orders:read\n",
//! )?;
//! let resolver = Resolver::builder().with_api_keys(keys.clone()).build()?;
//! // keys.reload("api-keys.txt")? on SIGHUP: every resolver holding a clone sees the new keys.
//! # Ok(()) }
//! ```
//!
//! `cargo run --example resolve -- --api-key-line ci-robot --scope orders:read < key.txt` prints
//! a key's line (the key read from standard input, never from the command line); the demo takes
//! `--api-keys PATH`, and reads it again on `SIGHUP` (a bad file keeps the keys it had). Your own store implements [`ApiKeyStore`].

mod digest;
mod entry;
mod list;
mod store;

pub use digest::ApiKeyDigest;
pub use entry::ApiKeyEntry;
pub use list::ApiKeyList;
pub use store::ApiKeyStore;
