//! Who the caller is: [`UserInfo`](crate::UserInfo) and its details, every identity-key recipe
//! and the user-id derivation (`user_id.rs`), and the claims of a JWT (`jwt_claims.rs`).

pub(crate) mod jwt_claims;
pub(crate) mod user_id;
pub(crate) mod user_info;
