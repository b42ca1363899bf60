//! Who the caller is: [`UserInfo`](crate::UserInfo) and its details, the user-id derivation,
//! the public claims of a JWT; and the words the rest of the crate shares (credential kinds, a
//! token's confirmation, a step that may wait).
//!
//! | file | concern |
//! | --- | --- |
//! | `user_info.rs` | [`UserInfo`](crate::UserInfo), [`UserDetails`], [`BasicUserInfo`] |
//! | `user_id.rs` | every identity-key recipe and the UUIDv5 derivation ([`user_id_of_key`]) |
//! | `jwt_claims.rs` | [`JwtUserInfo`]: the public claims of a JWT |
//! | `claim_mapping.rs` | [`ClaimMapping`]: where a provider puts scopes, roles and groups; presets |
//! | `claim_rules.rs` | the claim rules the resolver's scan and those claims both follow |
//! | `typed_claims.rs` | a token's claims as the application's own type (`UserInfo::claims_as`) |
//! | `kinds.rs` | [`CredentialKind`](crate::CredentialKind), [`AcceptedKinds`](crate::AcceptedKinds) |
//! | `confirmation.rs` | a token's `cnf` (RFC 7800): what a sender-constrained token is bound to |
//! | `unfinished.rs` | a step's refusal or wait, each module's own wait inside |

pub(crate) mod claim_mapping;
pub(crate) mod claim_rules;
pub(crate) mod confirmation;
pub(crate) mod grant_rules;
pub(crate) mod jwt_claims;
pub(crate) mod kinds;
pub(crate) mod typed_claims;
pub(crate) mod unfinished;
pub(crate) mod user_id;
pub(crate) mod user_info;

#[doc(inline)]
pub use claim_mapping::{ClaimMapping, ClaimPath, InvalidClaimPath};
#[doc(inline)]
pub use jwt_claims::JwtUserInfo;
#[doc(inline)]
pub use kinds::UnknownCredentialKind;
#[doc(inline)]
pub use user_id::{USER_ID_NAMESPACE, user_id_of_key};
#[doc(inline)]
pub use user_info::{BasicUserInfo, UserDetails};
