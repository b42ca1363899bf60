//! JWT claims → [`JwtUserInfo`], field by field as the reference maps them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::text::{py_split_once, py_split_whitespace, py_strip};
use crate::{ClaimsError, ResolveError};

/// The identity fields of a decoded JWT, and every claim as decoded.
///
/// Registered claims (`sub`, `iss`, `aud`, `exp`, `iat`) per RFC 7519, identity claims
/// (`email`, `preferred_username`, `name`) per OpenID Connect Core 1.0. It serializes to the
/// reference's `JwtUserInfo` JSON, field for field.
///
/// ```
/// use axum_userinfo::JwtUserInfo;
/// let claims = serde_json::json!({"sub": " u-1 ", "name": "Ada Lovelace", "aud": "api"});
/// let jwt = JwtUserInfo::from_claims(claims.as_object().unwrap().clone()).unwrap();
/// assert_eq!(jwt.identity_claim(), Some("u-1"));
/// assert_eq!(jwt.given_name.as_deref(), Some("Ada"));
/// assert_eq!(jwt.family_name.as_deref(), Some("Lovelace"));
/// assert_eq!(jwt.audience, Some(vec!["api".to_owned()]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JwtUserInfo {
    /// `given_name`; when it and `family_name` are both missing or empty, the first word of a
    /// non-blank `name`.
    pub given_name: Option<String>,
    /// `family_name`; or the rest of `name`, as for `given_name`.
    pub family_name: Option<String>,
    /// `email`, when a string.
    pub email: Option<String>,
    /// `preferred_username`, when a string.
    pub preferred_username: Option<String>,
    /// `roles` when a list, else Keycloak's `realm_access.roles`, else empty.
    pub roles: Vec<String>,
    /// `groups` when a list, else empty.
    pub groups: Vec<String>,
    /// `scope` split on whitespace, when a string.
    pub scopes: Vec<String>,
    /// `iss`, when a string.
    pub issuer: Option<String>,
    /// `sub`, when a string (untrimmed).
    pub subject: Option<String>,
    /// `aud` as a list: a string becomes a one-item list, other types none.
    pub audience: Option<Vec<String>>,
    /// `exp`, when an integer within `i64` (booleans are not integers).
    pub expires_at: Option<i64>,
    /// `iat`, when an integer within `i64`.
    pub issued_at: Option<i64>,
    /// `azp` when truthy, else `client_id`; only when one of them is a string.
    pub client_id: Option<String>,
    /// Every claim as decoded (for duplicate keys, the last one).
    pub claims: Map<String, Value>,
}

/// The first of `sub`, `email`, `preferred_username` that is a non-blank string, trimmed.
pub(crate) fn identity_claim(claims: &Map<String, Value>) -> Option<&str> {
    ["sub", "email", "preferred_username"]
        .into_iter()
        .filter_map(|key| claims.get(key)?.as_str())
        .map(py_strip)
        .find(|identity| !identity.is_empty())
}

impl JwtUserInfo {
    /// Maps decoded claims to their fields, validating types as the reference's model does.
    ///
    /// It does not require an identity claim: [`UserInfo::from_jwt`](crate::UserInfo::from_jwt)
    /// does.
    ///
    /// # Errors
    /// [`ResolveError::InvalidClaims`] when `roles`, `groups` or `aud` is a list with a
    /// non-string entry, or `azp` / `client_id` come out as something other than a string.
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, ResolveError> {
        let string = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);

        let mut given_name = string("given_name");
        let mut family_name = string("family_name");
        if given_name.as_deref().unwrap_or_default().is_empty()
            && family_name.as_deref().unwrap_or_default().is_empty()
        {
            let name = claims.get("name").and_then(Value::as_str).map(py_strip);
            if let Some(name) = name.filter(|name| !name.is_empty()) {
                let (given, family) =
                    py_split_once(name).map_or((name, None), |(g, f)| (g, Some(f)));
                given_name = Some(given.to_owned());
                family_name = family.map(str::to_owned);
            }
        }

        let scopes = match claims.get("scope") {
            Some(Value::String(scope)) => py_split_whitespace(scope).map(str::to_owned).collect(),
            _ => Vec::new(),
        };

        let roles = match claims.get("roles") {
            Some(Value::Array(roles)) => string_list(roles, "roles")?,
            _ => match claims.get("realm_access") {
                Some(Value::Object(realm)) => match realm.get("roles") {
                    Some(Value::Array(roles)) => string_list(roles, "realm_access.roles")?,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
        };

        let groups = match claims.get("groups") {
            Some(Value::Array(groups)) => string_list(groups, "groups")?,
            _ => Vec::new(),
        };

        let audience = match claims.get("aud") {
            Some(Value::Array(aud)) => Some(string_list(aud, "aud")?),
            Some(Value::String(aud)) => Some(vec![aud.clone()]),
            _ => None,
        };

        Ok(Self {
            given_name,
            family_name,
            email: string("email"),
            preferred_username: string("preferred_username"),
            roles,
            groups,
            scopes,
            issuer: string("iss"),
            subject: string("sub"),
            audience,
            expires_at: integer(claims.get("exp")),
            issued_at: integer(claims.get("iat")),
            client_id: client_id(&claims)?,
            claims,
        })
    }

    /// The identity: the first of `sub`, `email`, `preferred_username` that is a non-blank
    /// string, trimmed (`sub` is the stable identifier of RFC 7519 §4.1.2).
    #[must_use]
    pub fn identity_claim(&self) -> Option<&str> {
        identity_claim(&self.claims).or_else(|| {
            [&self.subject, &self.email, &self.preferred_username]
                .into_iter()
                .filter_map(|value| value.as_deref())
                .map(py_strip)
                .find(|identity| !identity.is_empty())
        })
    }
}

fn string_list(values: &[Value], claim: &'static str) -> Result<Vec<String>, ResolveError> {
    values
        .iter()
        .map(|value| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or(ResolveError::InvalidClaims(ClaimsError::NotAStringList(
                    claim,
                )))
        })
        .collect()
}

/// An integer claim: a JSON integer within `i64`. Floats, booleans and larger numbers are not.
fn integer(value: Option<&Value>) -> Option<i64> {
    value?.as_i64()
}

/// Python truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `azp or client_id`, when either is a string; the result must be a string or nothing.
fn client_id(claims: &Map<String, Value>) -> Result<Option<String>, ResolveError> {
    let azp = claims.get("azp");
    let client_id = claims.get("client_id");
    if !azp.is_some_and(Value::is_string) && !client_id.is_some_and(Value::is_string) {
        return Ok(None);
    }
    let chosen = if azp.is_some_and(truthy) {
        azp
    } else {
        client_id
    };
    match chosen {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => Ok(Some(id.clone())),
        Some(_) => Err(ResolveError::InvalidClaims(ClaimsError::ClientIdNotString)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn info(claims: Value) -> Result<JwtUserInfo, ResolveError> {
        match claims {
            Value::Object(map) => JwtUserInfo::from_claims(map),
            _ => unreachable!("test claims are objects"),
        }
    }

    #[test]
    fn names() {
        let cases = [
            (
                json!({"name": "Ada Lovelace"}),
                Some("Ada"),
                Some("Lovelace"),
            ),
            (
                json!({"name": "  Ada  Byron  King "}),
                Some("Ada"),
                Some("Byron  King"),
            ),
            (json!({"name": "Plato"}), Some("Plato"), None),
            (json!({"name": "   "}), None, None),
            (
                json!({"given_name": "", "name": "X Y"}),
                Some("X"),
                Some("Y"),
            ),
            (
                json!({"given_name": "", "family_name": "", "name": "X"}),
                Some("X"),
                None,
            ),
            (
                json!({"given_name": "", "family_name": "Doe", "name": "X Y"}),
                Some(""),
                Some("Doe"),
            ),
            (json!({"given_name": "", "name": " "}), Some(""), None),
            (
                json!({"given_name": 5, "name": "X Y"}),
                Some("X"),
                Some("Y"),
            ),
        ];
        for (claims, given, family) in cases {
            let jwt = info(claims.clone()).unwrap();
            assert_eq!(jwt.given_name.as_deref(), given, "{claims}");
            assert_eq!(jwt.family_name.as_deref(), family, "{claims}");
        }
    }

    #[test]
    fn client_id_rules() {
        let cases = [
            (json!({"azp": "ui", "client_id": "c"}), Ok(Some("ui"))),
            (json!({"azp": "", "client_id": "c"}), Ok(Some("c"))),
            (json!({"azp": "", "client_id": null}), Ok(None)),
            (json!({"azp": ""}), Ok(None)),
            (json!({"azp": 0, "client_id": "c"}), Ok(Some("c"))),
            (json!({"azp": [], "client_id": "c"}), Ok(Some("c"))),
            (json!({"client_id": 5}), Ok(None)),
            (json!({"azp": 5}), Ok(None)),
            (
                json!({"azp": "", "client_id": 5}),
                Err(ClaimsError::ClientIdNotString),
            ),
            (
                json!({"azp": 5, "client_id": "c"}),
                Err(ClaimsError::ClientIdNotString),
            ),
            (
                json!({"azp": true, "client_id": "c"}),
                Err(ClaimsError::ClientIdNotString),
            ),
        ];
        for (claims, want) in cases {
            let got = info(claims.clone()).map(|jwt| jwt.client_id);
            let want = want
                .map(|id| id.map(str::to_owned))
                .map_err(ResolveError::InvalidClaims);
            assert_eq!(got, want, "{claims}");
        }
    }

    #[test]
    fn lists_and_numbers() {
        let jwt = info(json!({
            "roles": "admin", "realm_access": {"roles": ["r"]}, "groups": "g",
            "aud": 5, "exp": true, "iat": 1.0, "scope": " a  b\u{3000}c "
        }))
        .unwrap();
        assert_eq!(jwt.roles, ["r"]);
        assert!(jwt.groups.is_empty());
        assert_eq!(jwt.audience, None);
        assert_eq!((jwt.expires_at, jwt.issued_at), (None, None));
        assert_eq!(jwt.scopes, ["a", "b", "c"]);

        let jwt = info(json!({"exp": -5, "iat": 9_223_372_036_854_775_807_u64})).unwrap();
        assert_eq!((jwt.expires_at, jwt.issued_at), (Some(-5), Some(i64::MAX)));
        let jwt = info(json!({"exp": 9_223_372_036_854_775_808_u64})).unwrap();
        assert_eq!(jwt.expires_at, None);

        for claims in [
            json!({"roles": ["a", 1]}),
            json!({"realm_access": {"roles": [null]}}),
            json!({"groups": [["x"]]}),
            json!({"aud": ["a", {}]}),
        ] {
            assert!(
                matches!(info(claims.clone()), Err(ResolveError::InvalidClaims(_))),
                "{claims}"
            );
        }
    }

    #[test]
    fn identity_precedence() {
        let cases = [
            (json!({"sub": "s", "email": "e"}), Some("s")),
            (json!({"sub": "  ", "email": " e "}), Some("e")),
            (json!({"sub": 42, "preferred_username": "p"}), Some("p")),
            (json!({"sub": "\u{1f}x\u{a0}"}), Some("x")),
            (json!({"name": "n"}), None),
        ];
        for (claims, want) in cases {
            assert_eq!(
                info(claims.clone()).unwrap().identity_claim(),
                want,
                "{claims}"
            );
        }
    }
}
