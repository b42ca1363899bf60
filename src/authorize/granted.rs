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
/// `from_claims_unchecked`), else nothing.
pub(crate) fn grants(user: &UserInfo) -> Grants<'_> {
    match user.trusted_claims() {
        Some(jwt) => Grants {
            scopes: jwt.granted_scopes(),
            roles: jwt.roles(),
            groups: jwt.groups(),
        },
        None => match user.api_key_entry() {
            Some(entry) => Grants {
                scopes: entry.scopes(),
                ..Grants::default()
            },
            None => Grants::default(),
        },
    }
}
