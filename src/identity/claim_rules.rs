//! The claim rules, shared by the resolver's one pass over a payload and by [`JwtUserInfo`]'s
//! full map (a property test checks that both agree): which claims can refuse a token or make
//! its identity, the identity claim, the reference's type checks, the client id, and the user
//! id of checked claims. Written once over [`Json`], for scanned members and `serde_json`
//! values alike.
//!
//! [`JwtUserInfo`]: crate::identity::jwt_claims::JwtUserInfo

use uuid::Uuid;

use crate::error::{ClaimsError, ResolveError, Segment};
use crate::identity::kinds::CredentialKind;
use crate::identity::user_id::{check_untrusted_key, user_id_of_key, verified_jwt_user_id};
use crate::parse::json_scan::{Json, Scanned, scan_object};
use crate::parse::jwt::json_error;
use crate::parse::pytext::{py_split_whitespace, py_strip};

/// The claims that can refuse a token, or make its identity.
pub(crate) const CHECKED: [&str; 16] = [
    "sub",
    "email",
    "preferred_username",
    "roles",
    "realm_access",
    "groups",
    "aud",
    "azp",
    "client_id",
    // What a verifier checks (feature `verify`).
    "iss",
    "exp",
    "nbf",
    "iat",
    "scope",
    "scp",
    "jti",
];

/// The members of a payload that can refuse it or make its identity, as one scan found them.
pub(crate) type Members<'a> = [Option<Scanned<'a>>; CHECKED.len()];

/// Scans a payload once for its [`Members`]; the rest is validated, not built.
pub(crate) fn scan_claims(payload: &str) -> Result<Members<'_>, ResolveError> {
    scan_object(payload, &CHECKED)
        .map_err(|err| ResolveError::MalformedJwt(json_error(err, Segment::Payload)))
}

/// The members as owned values: what a token keeps while it waits for its issuer's keys.
#[cfg_attr(not(feature = "verify"), allow(dead_code))]
pub(crate) fn owned_members(members: Members<'_>) -> Members<'static> {
    members.map(|member| member.map(Scanned::into_owned))
}

/// The identity of checked claims, then the reference's type checks, then the user id:
/// issuer-scoped when `verified`, else the identity's own (refused when it holds a control
/// character, as an unverified identity could then spell a verified one).
pub(crate) fn checked_id(claims: &ScannedClaims<'_>, verified: bool) -> Result<Uuid, ResolveError> {
    let get = |key: &str| claims.get(key);
    let identity = identity(get).ok_or(ResolveError::NoIdentityClaim)?;
    check(get).map_err(ResolveError::InvalidClaims)?;
    if verified {
        verified_jwt_user_id(get("iss").and_then(Json::as_str), identity)
    } else {
        check_untrusted_key(identity, CredentialKind::Jwt)?;
        Ok(user_id_of_key(identity))
    }
}

/// A payload's members as one scan found them: what a verifier reads before the token is kept.
#[derive(Clone, Copy)]
pub(crate) struct ScannedClaims<'a> {
    members: &'a Members<'a>,
}

impl<'a> ScannedClaims<'a> {
    /// The claims of scanned members.
    pub(crate) fn new(members: &'a Members<'a>) -> Self {
        Self { members }
    }

    /// A member, when it is one of the checked claims and present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Scanned<'a>> {
        let index = CHECKED.iter().position(|k| *k == key)?;
        self.members.get(index)?.as_ref()
    }
}

/// The first of `sub`, `email`, `preferred_username` that is a non-blank string, trimmed.
pub(crate) fn identity<'a, J: Json + 'a>(get: impl Fn(&str) -> Option<&'a J>) -> Option<&'a str> {
    ["sub", "email", "preferred_username"]
        .into_iter()
        .filter_map(|key| get(key)?.as_str())
        .map(py_strip)
        .find(|identity| !identity.is_empty())
}

/// The reference's model validation: list claims hold strings, `client_id` is a string.
pub(crate) fn check<'a, J: Json + 'a>(
    get: impl Fn(&str) -> Option<&'a J> + Copy,
) -> Result<(), ClaimsError> {
    let strings = |list: Vec<&J>, claim| {
        if list.iter().all(|item| item.as_str().is_some()) {
            Ok(())
        } else {
            Err(ClaimsError::NotAStringList(claim))
        }
    };
    match get("roles").and_then(J::as_list) {
        Some(roles) => strings(roles, "roles")?,
        None => {
            let realm = get("realm_access").and_then(J::object_roles).flatten();
            if let Some(roles) = realm.and_then(J::as_list) {
                strings(roles, "realm_access.roles")?;
            }
        }
    }
    if let Some(groups) = get("groups").and_then(J::as_list) {
        strings(groups, "groups")?;
    }
    if let Some(aud) = get("aud").and_then(J::as_list) {
        strings(aud, "aud")?;
    }
    client_id(get).map(drop)
}

/// `azp or client_id` when either is a string; the result must be a string or nothing.
pub(crate) fn client_id<'a, J: Json + 'a>(
    get: impl Fn(&str) -> Option<&'a J>,
) -> Result<Option<&'a str>, ClaimsError> {
    let (azp, client_id) = (get("azp"), get("client_id"));
    if azp.and_then(J::as_str).is_none() && client_id.and_then(J::as_str).is_none() {
        return Ok(None);
    }
    let chosen = if azp.is_some_and(J::truthy) {
        azp
    } else {
        client_id
    };
    match chosen {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(None),
        Some(value) => value
            .as_str()
            .map(Some)
            .ok_or(ClaimsError::ClientIdNotString),
    }
}

/// Scopes that are not a list of strings (a type the reference's result model refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotStrings;

/// The scopes a token grants, as the reference's verified path reads them: `scope` when
/// truthy, else `scp`; a string split on (Python's) whitespace, a list as it is; nothing when
/// that comes out empty (a falsy value is none: `x or None`).
///
/// # Errors
/// [`NotStrings`] for a list with a non-string item, or a truthy value of another type.
pub(crate) fn granted_scopes<'a, J: Json + 'a>(
    get: impl Fn(&str) -> Option<&'a J>,
) -> Result<Option<Vec<&'a str>>, NotStrings> {
    let value = match get("scope") {
        Some(scope) if scope.truthy() => Some(scope),
        _ => get("scp"),
    };
    let Some(value) = value else {
        return Ok(None);
    };
    let list: Vec<&str> = if let Some(text) = value.as_str() {
        py_split_whitespace(text).collect()
    } else if let Some(items) = value.as_list() {
        (items.into_iter())
            .map(Json::as_str)
            .collect::<Option<_>>()
            .ok_or(NotStrings)?
    } else if !value.truthy() {
        return Ok(None);
    } else {
        return Err(NotStrings);
    };
    Ok(Some(list).filter(|list| !list.is_empty()))
}
