//! What a user is granted: a verified JWT's scopes, roles and groups; nothing for any other.

use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_info::UserInfo;

/// The claims of a user that can grant something: a verified (or trusted) JWT's, else none.
pub(crate) fn granting_claims(user: &UserInfo) -> Option<&JwtUserInfo> {
    user.trusted_claims()
}

/// The scopes a user is granted (see the module's rules): empty for a user whose claims grant
/// nothing, or whose scopes are not strings. Read once per user, with its details.
pub(crate) fn scopes(jwt: Option<&JwtUserInfo>) -> &[String] {
    jwt.map_or(&[], JwtUserInfo::granted_scopes)
}

/// The roles a user is granted.
pub(crate) fn roles(jwt: Option<&JwtUserInfo>) -> &[String] {
    jwt.map_or(&[], JwtUserInfo::roles)
}

/// The groups a user is granted.
pub(crate) fn groups(jwt: Option<&JwtUserInfo>) -> &[String] {
    jwt.map_or(&[], JwtUserInfo::groups)
}
