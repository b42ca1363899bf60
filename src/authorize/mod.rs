//! Authorization: whether a resolved user may use a route.
//!
//! A [`Guard`] states what a route needs of its user: scopes (all of them), roles (any one),
//! groups (any one), and predicates of your own, each with a name. [`Guard::authorize`] answers
//! for a request's user (or its absence), records the outcome
//! (`userinfo_authorizations_total{guard, outcome}`) and says what was missing. The axum
//! adapters (the guard as a layer, the [`Authorized`](crate::Authorized) extractor) answer 401
//! without a user and 403 with RFC 6750's `insufficient_scope` challenge when the user lacks
//! what the route needs.
//!
//! **What grants what.** Scopes, roles and groups come from a **verified** JWT only (or claims
//! given to [`UserInfo::from_claims_unchecked`](crate::UserInfo::from_claims_unchecked)): scopes as
//! the verifier reads them (`scope`, a space-separated string, else `scp`, a string or a list),
//! roles as [`JwtUserInfo::roles`](crate::JwtUserInfo::roles) (Keycloak's
//! `realm_access.roles` included), groups as [`JwtUserInfo::groups`](crate::JwtUserInfo::groups).
//! A user from an API key, Basic credentials, a cookie or a trusted identity header has none,
//! and neither has one from a JWT decoded without verification (anyone can write its claims:
//! hardening, the reference has no guards). A predicate sees every user.
//!
//! | file | concern |
//! | --- | --- |
//! | `guard.rs` | [`Guard`]: the requirements, and the one check |
//! | `granted.rs` | what a user is granted: scopes, roles, groups |
//! | `denied.rs` | [`Denied`]: what a user lacked, for the 403 and its challenge |
//! | `protected_resource.rs` | [`ProtectedResource`]: RFC 9728 metadata, and the URL challenges point to |

mod denied;
mod granted;
mod guard;
mod protected_resource;

pub use denied::{AuthorizeError, Denied};
pub use guard::Guard;
pub use protected_resource::{ProtectedResource, WELL_KNOWN_PATH};
