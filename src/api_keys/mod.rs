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

mod digest;
mod entry;
mod list;
mod store;

pub use digest::ApiKeyDigest;
pub use entry::ApiKeyEntry;
pub use list::ApiKeyList;
pub use store::ApiKeyStore;
