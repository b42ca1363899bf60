//! Who the caller is: [`UserInfo`](crate::UserInfo) and its details (`user_info.rs`), every
//! identity-key recipe and the user-id derivation (`user_id.rs`), the public claims of a JWT
//! (`jwt_claims.rs`), and the claim rules both the resolver's scan and those claims follow
//! (`claim_rules.rs`).

pub(crate) mod claim_rules;
pub(crate) mod confirmation;
pub(crate) mod jwt_claims;
pub(crate) mod kinds;
pub(crate) mod unfinished;
pub(crate) mod user_id;
pub(crate) mod user_info;
