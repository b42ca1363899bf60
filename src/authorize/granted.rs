//! What a user is granted: a verified JWT's (or an introspected token's) scopes, roles and
//! groups; a known API key's scopes; nothing for any other.

use crate::identity::user_info::UserInfo;

/// The scopes, roles and groups a user is granted (see the module's rules), from its claims'
/// details (computed once per user, and kept with a cached token's user).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Grants<'a> {
    /// As a verifier reads them (`scope` when truthy, else `scp`); empty when not strings.
    pub(crate) scopes: &'a [String],
    /// `roles`, else Keycloak's `realm_access.roles`.
    pub(crate) roles: &'a [String],
    /// `groups`.
    pub(crate) groups: &'a [String],
}

/// What `user` is granted: a trusted JWT's claims (verified, or given to
/// `from_claims_unchecked`), read where its verifier's [`ClaimMapping`] says (the reference's
/// fields where it says nothing), else nothing.
///
/// [`ClaimMapping`]: crate::identity::ClaimMapping
pub(crate) fn grants(user: &UserInfo) -> Grants<'_> {
    match user.trusted_claims() {
        Some(jwt) => {
            let mapped = user.mapped_grants();
            Grants {
                scopes: mapped_or(mapped.and_then(|m| m.scopes.as_ref()), jwt.granted_scopes()),
                roles: mapped_or(mapped.and_then(|m| m.roles.as_ref()), jwt.roles()),
                groups: mapped_or(mapped.and_then(|m| m.groups.as_ref()), jwt.groups()),
            }
        }
        None => match user.api_key_entry() {
            Some(entry) => Grants {
                scopes: entry.scopes(),
                ..Grants::default()
            },
            None => Grants::default(),
        },
    }
}

/// The mapped grants when the mapping names them, else the reference's.
fn mapped_or<'a>(mapped: Option<&'a Vec<String>>, own: &'a [String]) -> &'a [String] {
    mapped.map_or(own, Vec::as_slice)
}

/// What guards read of a user, for handlers and the demo's `/whoami` too.
impl UserInfo {
    /// The scopes a guard grants this user: a verified (or introspected) token's, read where
    /// its verifier's [`ClaimMapping`](crate::identity::ClaimMapping) says; a known API key's;
    /// none for anything unverified.
    #[must_use]
    pub fn granted_scopes(&self) -> &[String] {
        grants(self).scopes
    }

    /// Whether this user's scopes satisfy `scope`: granted, or implied by a granted one under
    /// the resolver's [`ScopeHierarchy`](crate::authorize::ScopeHierarchy) (exact matching
    /// without one). What guards, MCP policies and the demo's `/whoami?scope=` judge by.
    ///
    /// ```
    /// use axum_userinfo::{UserInfo, identity::JwtUserInfo};
    /// let claims = serde_json::json!({"iss": "https://sso.example.com", "sub": "ada", "scope": "files:read"});
    /// let user = UserInfo::from_claims_unchecked(JwtUserInfo::from_claims(claims.as_object().unwrap().clone())?)?;
    /// assert!(user.has_scope("files:read"));
    /// assert!(!user.has_scope("files"));
    /// # Ok::<(), axum_userinfo::ResolveError>(())
    /// ```
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        crate::authorize::satisfied(self.scope_hierarchy(), grants(self).scopes, scope)
    }

    /// The roles a guard grants this user (as [`granted_scopes`](Self::granted_scopes)).
    #[must_use]
    pub fn granted_roles(&self) -> &[String] {
        grants(self).roles
    }

    /// The groups a guard grants this user (as [`granted_scopes`](Self::granted_scopes)).
    #[must_use]
    pub fn granted_groups(&self) -> &[String] {
        grants(self).groups
    }
}
