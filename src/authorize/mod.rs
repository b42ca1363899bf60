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
//! roles as [`JwtUserInfo::roles`](crate::identity::JwtUserInfo::roles) (Keycloak's
//! `realm_access.roles` included), groups as [`JwtUserInfo::groups`](crate::identity::JwtUserInfo::groups);
//! or, when its verifier (or introspection client) has a
//! [`ClaimMapping`](crate::identity::ClaimMapping), where that says (Keycloak client roles,
//! Auth0 permissions, Cognito groups, Entra app roles, Okta groups).
//! A user from an API key, Basic credentials, a cookie or a trusted identity header has none,
//! and neither has one from a JWT decoded without verification (anyone can write its claims:
//! hardening, the reference has no guards). A predicate sees every user.
//!
//! | file | concern |
//! | --- | --- |
//! | `guard.rs` | [`Guard`]: the requirements, and the one check |
//! | `granted.rs` | what a user is granted: scopes, roles, groups |
//! | `denied.rs` | [`Denied`]: what a user lacked, for the 403 and its challenge |
//! | `scope_hierarchy.rs` | [`ScopeHierarchy`]: which scopes a broader one implies |
//! | `protected_resource.rs` | [`ProtectedResource`]: RFC 9728 metadata, and the URL challenges point to |
//!
//! # In practice
//!
//! A [`Guard`] says what a route needs of its user: scopes (all of them), roles or groups (any
//! one), predicates of your own. Put it on routes as a layer behind `UserInfoLayer`, or take
//! [`Authorized<G>`](https://docs.rs/axum-userinfo/latest/axum_userinfo/struct.Authorized.html) in
//! a handler. No credential is 401; a user who lacks something is **403** with RFC 6750's
//! `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`. Scopes, roles and groups come
//! from **verified** JWTs and introspected tokens only, and scopes from the entries of a key
//! store: an unchecked API key, Basic, a cookie or an unverified JWT grants none.
//!
//! ```rust
//! use axum::{Router, routing::post};
//! use axum_userinfo::{Guard, GuardLayer, verify::JwtVerifier, Resolver, UserInfoLayer};
//!
//! # fn app(verifier: JwtVerifier) -> Result<Router, Box<dyn std::error::Error>> {
//! let writers = Guard::new("orders-write").require_scopes(["orders:write"])?;
//! let resolver = Resolver::builder().with_verifier(verifier).build()?;
//! let app = Router::new()
//!     .route("/orders", post(|| async { "placed" }))
//!     .route_layer(GuardLayer::new(writers))
//!     .layer(UserInfoLayer::new(resolver));
//! # Ok(app) }
//! ```
//!
//! Outcomes are counted as `userinfo_authorizations_total{guard, outcome}`.
//!
//!
//! **MCP servers: RFC 9728 protected-resource metadata.**
//!
//! An MCP client that gets a 401 looks for the server's protected-resource metadata to find where
//! to get a token. Describe the service with a [`ProtectedResource`] on the resolver and merge
//! [`resource_metadata_routes`](https://docs.rs/axum-userinfo/latest/axum_userinfo/fn.resource_metadata_routes.html):
//! the document is served at `/.well-known/oauth-protected-resource` (and its path-suffixed form),
//! and every 401 challenge (and a guard's 403) carries `resource_metadata="…"`.
//!
//! An MCP server must accept only tokens issued **for it** (RFC 8707): with a
//! [`ProtectedResource`] on the resolver, every verifier and introspection client that names
//! no audience requires the resource's identifier (scheme and host in any case, a trailing
//! slash or none); `allow_any_audience()` stays an explicit choice. A token for another
//! service then fails with 401 `invalid_token`. Every 401 names the scopes a token needs
//! (`scope="…"`, never `offline_access`), and a [`ScopeHierarchy`] lets a broad scope satisfy
//! narrower requirements. Per-tool rules: [`mcp`](crate::mcp).
//!
//! ```text
//! cargo run --example server -- --oidc https://sso.example.com --allow-http-loopback \
//!     --resource https://api.example.com/mcp --required-scope tools:call
//! ```

mod denied;
mod granted;
mod guard;
mod protected_resource;
mod scope_hierarchy;

pub use denied::{AuthorizeError, Denied};
pub use guard::Guard;
pub(crate) use protected_resource::OFFLINE_ACCESS;
pub use protected_resource::{ProtectedResource, WELL_KNOWN_PATH};
pub use scope_hierarchy::ScopeHierarchy;
pub(crate) use scope_hierarchy::satisfied;
