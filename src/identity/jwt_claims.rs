//! JWT claims → [`JwtUserInfo`], field by field as the reference maps them.
//!
//! Resolving a request checks only what can refuse it (the identity claim and the types the
//! reference validates) in one pass over the payload; the fields and the full `claims` map are
//! built from the kept payload the first time they are read.

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ResolveError;
use crate::identity::claim_rules::{
    ScannedClaims, check, checked_id, client_id, granted_scopes, identity, scan_claims,
};
use crate::parse::json_scan::parse_object;
use crate::parse::pytext::{py_split_once, py_split_whitespace, py_strip};

/// The identity fields of a decoded JWT, and every claim as decoded.
///
/// Registered claims (`sub`, `iss`, `aud`, `exp`, `iat`) per RFC 7519, identity claims
/// (`email`, `preferred_username`, `name`) per OpenID Connect Core 1.0. It serializes to the
/// reference's `JwtUserInfo` JSON, field for field. Cloning copies the claims; share a
/// [`UserInfo`](crate::UserInfo) instead, which is a reference count.
///
/// ```
/// use axum_userinfo::identity::JwtUserInfo;
/// let claims = serde_json::json!({"sub": " u-1 ", "name": "Ada Lovelace", "aud": "api"});
/// let jwt = JwtUserInfo::from_claims(claims.as_object().unwrap().clone()).unwrap();
/// assert_eq!(jwt.identity_claim(), Some("u-1"));
/// assert_eq!(jwt.given_name(), Some("Ada"));
/// assert_eq!(jwt.family_name(), Some("Lovelace"));
/// assert_eq!(jwt.audience(), Some(&["api".to_owned()][..]));
/// ```
#[derive(Clone)]
pub struct JwtUserInfo {
    /// The claims as JSON text; empty when built from a map.
    payload: Box<str>,
    details: OnceLock<Details>,
}

/// The reference's fields, in its order (and so its JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Details {
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
    preferred_username: Option<String>,
    roles: Vec<String>,
    groups: Vec<String>,
    scopes: Vec<String>,
    /// The scopes as a verifier and a guard read them (`scope`, else `scp`): computed with the
    /// details, once per user (a cached token's user keeps them). Not one of the reference's
    /// fields: never serialized.
    #[serde(skip)]
    granted_scopes: Vec<String>,
    issuer: Option<String>,
    subject: Option<String>,
    audience: Option<Vec<String>>,
    expires_at: Option<i64>,
    issued_at: Option<i64>,
    client_id: Option<String>,
    claims: Map<String, Value>,
}

impl Details {
    /// Maps checked claims to the reference's fields.
    fn from_map(claims: Map<String, Value>) -> Self {
        let get = |key: &str| claims.get(key);
        let string = |key: &str| get(key).and_then(Value::as_str).map(str::to_owned);
        let strings = |value: Option<&Value>| -> Option<Vec<String>> {
            let list = value?.as_array()?;
            Some(
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            )
        };

        let mut given_name = string("given_name");
        let mut family_name = string("family_name");
        if given_name.as_deref().unwrap_or_default().is_empty()
            && family_name.as_deref().unwrap_or_default().is_empty()
        {
            let name = get("name").and_then(Value::as_str).map(py_strip);
            if let Some(name) = name.filter(|name| !name.is_empty()) {
                let (given, family) =
                    py_split_once(name).map_or((name, None), |(g, f)| (g, Some(f)));
                given_name = Some(given.to_owned());
                family_name = family.map(str::to_owned);
            }
        }
        let scopes = get("scope")
            .and_then(Value::as_str)
            .map(|scope| py_split_whitespace(scope).map(str::to_owned).collect())
            .unwrap_or_default();
        let roles = strings(get("roles"))
            .or_else(|| strings(get("realm_access")?.get("roles")))
            .unwrap_or_default();
        let audience = match get("aud") {
            Some(Value::String(aud)) => Some(vec![aud.clone()]),
            aud => strings(aud),
        };

        Self {
            given_name,
            family_name,
            email: string("email"),
            preferred_username: string("preferred_username"),
            roles,
            groups: strings(get("groups")).unwrap_or_default(),
            scopes,
            granted_scopes: (granted_scopes(get).ok().flatten().into_iter().flatten())
                .map(str::to_owned)
                .collect(),
            issuer: string("iss"),
            subject: string("sub"),
            audience,
            expires_at: get("exp").and_then(Value::as_i64),
            issued_at: get("iat").and_then(Value::as_i64),
            client_id: client_id(get).ok().flatten().map(str::to_owned),
            claims,
        }
    }
}

impl JwtUserInfo {
    /// Maps decoded claims to their fields, validating types as the reference's model does.
    ///
    /// It does not require an identity claim: [`UserInfo::from_unverified_jwt`](crate::UserInfo::from_unverified_jwt)
    /// does.
    ///
    /// # Errors
    /// [`ResolveError::InvalidClaims`] when `roles`, `groups` or `aud` is a list with a
    /// non-string entry, or `azp` / `client_id` come out as something other than a string.
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, ResolveError> {
        check(|key| claims.get(key)).map_err(ResolveError::InvalidClaims)?;
        Ok(Self {
            payload: Box::default(),
            details: OnceLock::from(Details::from_map(claims)),
        })
    }

    /// Checks a decoded payload in one pass and derives its user id; the fields are built when
    /// first read.
    pub(crate) fn from_payload(payload: String) -> Result<(Self, Uuid), ResolveError> {
        let members = scan_claims(&payload)?;
        let id = checked_id(&ScannedClaims::new(&members), false)?;
        drop(members);
        Ok((Self::from_checked_payload(payload), id))
    }

    /// The claims of a payload whose members were scanned and checked.
    pub(crate) fn from_checked_payload(payload: String) -> Self {
        Self {
            payload: payload.into_boxed_str(),
            details: OnceLock::new(),
        }
    }

    /// The payload's length in bytes (what a cached user weighs).
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    pub(crate) fn payload_len(&self) -> usize {
        self.payload.len()
    }

    /// The payload, as JSON text.
    pub(crate) fn payload(&self) -> &str {
        &self.payload
    }

    fn details(&self) -> &Details {
        self.details.get_or_init(|| {
            // The payload was checked when this was built: it parses.
            Details::from_map(parse_object(&self.payload).unwrap_or_default())
        })
    }

    /// `given_name`; when it and `family_name` are both missing or empty, the first word of a
    /// non-blank `name`.
    #[must_use]
    pub fn given_name(&self) -> Option<&str> {
        self.details().given_name.as_deref()
    }

    /// `family_name`; or the rest of `name`, as for [`given_name`](Self::given_name).
    #[must_use]
    pub fn family_name(&self) -> Option<&str> {
        self.details().family_name.as_deref()
    }

    /// `email`, when a string.
    #[must_use]
    pub fn email(&self) -> Option<&str> {
        self.details().email.as_deref()
    }

    /// `preferred_username`, when a string.
    #[must_use]
    pub fn preferred_username(&self) -> Option<&str> {
        self.details().preferred_username.as_deref()
    }

    /// `roles` when a list, else Keycloak's `realm_access.roles`, else empty.
    #[must_use]
    pub fn roles(&self) -> &[String] {
        &self.details().roles
    }

    /// `groups` when a list, else empty.
    #[must_use]
    pub fn groups(&self) -> &[String] {
        &self.details().groups
    }

    /// `scope` split on whitespace, when a string.
    #[must_use]
    pub fn scopes(&self) -> &[String] {
        &self.details().scopes
    }

    /// The scopes a verifier's rule reads (`scope` when truthy, else `scp`, a string or a list
    /// of strings); empty when they are not strings.
    pub(crate) fn granted_scopes(&self) -> &[String] {
        &self.details().granted_scopes
    }

    /// `iss`, when a string.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.details().issuer.as_deref()
    }

    /// `sub`, when a string (untrimmed).
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.details().subject.as_deref()
    }

    /// `aud` as a list: a string becomes a one-item list, other types none.
    #[must_use]
    pub fn audience(&self) -> Option<&[String]> {
        self.details().audience.as_deref()
    }

    /// `exp`, when an integer within `i64` (booleans are not integers).
    #[must_use]
    pub fn expires_at(&self) -> Option<i64> {
        self.details().expires_at
    }

    /// `iat`, when an integer within `i64`.
    #[must_use]
    pub fn issued_at(&self) -> Option<i64> {
        self.details().issued_at
    }

    /// `azp` when truthy, else `client_id`; only when one of them is a string.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        self.details().client_id.as_deref()
    }

    /// Every claim as decoded (for duplicate keys, the last one).
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.details().claims
    }

    /// The identity: the first of `sub`, `email`, `preferred_username` that is a non-blank
    /// string, trimmed (`sub` is the stable identifier of RFC 7519 §4.1.2).
    #[must_use]
    pub fn identity_claim(&self) -> Option<&str> {
        identity(|key| self.claims().get(key))
    }
}

impl fmt::Debug for JwtUserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.details(), f)
    }
}

impl PartialEq for JwtUserInfo {
    fn eq(&self, other: &Self) -> bool {
        self.details() == other.details()
    }
}

impl Serialize for JwtUserInfo {
    /// The reference's `JwtUserInfo` JSON.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.details().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ClaimsError;
    use crate::identity::claim_rules::CHECKED;
    use crate::identity::user_id::user_id_of_key;

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
            assert_eq!(jwt.given_name(), given, "{claims}");
            assert_eq!(jwt.family_name(), family, "{claims}");
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
            let got = info(claims.clone()).map(|jwt| jwt.client_id().map(str::to_owned));
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
        assert_eq!(jwt.roles(), ["r"]);
        assert!(jwt.groups().is_empty());
        assert_eq!(jwt.audience(), None);
        assert_eq!((jwt.expires_at(), jwt.issued_at()), (None, None));
        assert_eq!(jwt.scopes(), ["a", "b", "c"]);

        let jwt = info(json!({"exp": -5, "iat": 9_223_372_036_854_775_807_u64})).unwrap();
        assert_eq!(
            (jwt.expires_at(), jwt.issued_at()),
            (Some(-5), Some(i64::MAX))
        );
        let jwt = info(json!({"exp": 9_223_372_036_854_775_808_u64})).unwrap();
        assert_eq!(jwt.expires_at(), None);

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

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            prop::sample::select(vec![0i64, 1, -5, i64::MAX]).prop_map(Value::from),
            prop::sample::select(vec![0.0f64, 1.5]).prop_map(Value::from),
            prop::sample::select(vec!["", " ", "x", " u\u{3000}", "a b", "b64"])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::vec((prop::sample::select(vec!["roles", "x"]), inner), 0..3)
                    .prop_map(|members| Value::Object(
                        members
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect()
                    )),
            ]
        })
    }

    proptest::proptest! {
        /// The one-pass check of a payload and the full mapping of its claims agree on every
        /// outcome, id and field.
        #[test]
        fn scanning_agrees_with_mapping(
            members in proptest::collection::vec(
                (proptest::sample::select(CHECKED.iter().copied().chain(["name", "scope", "exp", "other"]).collect::<Vec<_>>()), json_value()),
                0..8,
            )
        ) {
            let claims: Map<String, Value> = members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let text = serde_json::to_string(&claims).unwrap();
            let scanned = JwtUserInfo::from_payload(text)
                .map(|(jwt, id)| (serde_json::to_value(&jwt).unwrap(), id));
            let mapped = match identity(|key| claims.get(key)) {
                None => Err(ResolveError::NoIdentityClaim),
                Some(identity) => {
                    let id = user_id_of_key(identity);
                    JwtUserInfo::from_claims(claims.clone()).map(|jwt| (serde_json::to_value(&jwt).unwrap(), id))
                }
            };
            proptest::prop_assert_eq!(scanned, mapped);
        }
    }
}
