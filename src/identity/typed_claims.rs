//! A token's claims as the application's own type: [`UserInfo::claims_as`] for the claims a
//! verifier or an introspection answer vouches for, [`UserInfo::unverified_claims_as`] for a
//! JWT decoded without verification (whose claims anyone can write).
//!
//! The claims are read from what the resolver already holds: the payload's JSON text for a
//! JWT (the token is not decoded again, and no map is built), the answer's map for an
//! introspected token (read in place, not cloned). A type that does not fit is refused with the
//! path of the field, never its value.

use serde::de::DeserializeOwned;

use crate::error::TypedClaimsError;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_info::UserInfo;

impl UserInfo {
    /// The claims of a verified JWT or an introspected token (or claims given to
    /// [`from_claims_unchecked`](Self::from_claims_unchecked)) as `T`.
    ///
    /// ```
    /// use axum_userinfo::UserInfo;
    /// use axum_userinfo::identity::JwtUserInfo;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String, tenant: String }
    ///
    /// let claims = serde_json::json!({"iss": "https://sso.example.com", "sub": "ada", "tenant": "acme"});
    /// let claims = JwtUserInfo::from_claims(claims.as_object().unwrap().clone())?;
    /// let user = UserInfo::from_claims_unchecked(claims)?; // claims your own check verified
    /// let typed: Claims = user.claims_as()?;
    /// assert_eq!((typed.sub.as_str(), typed.tenant.as_str()), ("ada", "acme"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`TypedClaimsError::NotVerified`] for a user whose claims nothing verified (a JWT
    /// decoded without verification: see [`unverified_claims_as`](Self::unverified_claims_as))
    /// or who has none (an API key, a cookie, …); [`TypedClaimsError::DoNotFit`] naming the
    /// first field `T` does not fit.
    pub fn claims_as<T: DeserializeOwned>(&self) -> Result<T, TypedClaimsError> {
        let claims = self.trusted_claims().ok_or(TypedClaimsError::NotVerified)?;
        typed(claims)
    }

    /// The claims of a JWT **decoded without verification** (or of a verified one) as `T`:
    /// anyone can write them, so never decide who may do what by them.
    ///
    /// # Errors
    /// [`TypedClaimsError::NotVerified`] for a user without claims;
    /// [`TypedClaimsError::DoNotFit`] as [`claims_as`](Self::claims_as).
    pub fn unverified_claims_as<T: DeserializeOwned>(&self) -> Result<T, TypedClaimsError> {
        let claims = self.claims().ok_or(TypedClaimsError::NotVerified)?;
        typed(claims)
    }
}

/// `claims` as `T`: from the payload's text when there is one, else from the map in place.
/// Read plainly first; only a type that does not fit is read again, to name the field.
fn typed<T: DeserializeOwned>(claims: &JwtUserInfo) -> Result<T, TypedClaimsError> {
    let payload = claims.payload();
    let plain = if payload.is_empty() {
        T::deserialize(claims.claims())
    } else {
        serde_json::from_str(payload)
    };
    if let Ok(typed) = plain {
        return Ok(typed);
    }
    let typed = if payload.is_empty() {
        serde_path_to_error::deserialize(claims.claims())
    } else {
        let mut text = serde_json::Deserializer::from_str(payload);
        serde_path_to_error::deserialize(&mut text)
    };
    typed.map_err(|error| TypedClaimsError::DoNotFit {
        field: field_of(&error),
    })
}

/// The path of the field a type did not fit, as `a.b[0]`: where serde stopped, and for a
/// missing (or unknown) field its name, which serde's message quotes (a name, never a value:
/// the rest of the message, which may quote the value, is dropped). `.` for the claims
/// themselves.
fn field_of<E: std::fmt::Display>(error: &serde_path_to_error::Error<E>) -> String {
    let at = error.path().to_string();
    let at = if at == "." { String::new() } else { at };
    let message = error.inner().to_string();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match named {
        Some(name) if at.is_empty() => name.to_owned(),
        Some(name) => format!("{at}.{name}"),
        None if at.is_empty() => ".".to_owned(),
        None => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[allow(dead_code)]
    struct Keycloak {
        sub: String,
        realm_access: Realm,
        exp: u64,
        org: Org,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Realm {
        roles: Vec<String>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Org {
        ids: Vec<u32>,
    }

    fn user(claims: serde_json::Value, trusted: bool) -> UserInfo {
        let map = claims.as_object().unwrap().clone();
        let jwt = JwtUserInfo::from_claims(map).unwrap();
        if trusted {
            UserInfo::from_claims_unchecked(jwt).unwrap()
        } else {
            let payload = serde_json::to_string(&claims).unwrap();
            let (jwt, id) = JwtUserInfo::from_payload(payload).unwrap();
            UserInfo::from_checked_jwt(id, jwt)
        }
    }

    #[test]
    fn fits_or_names_the_field_never_the_value() {
        let good = serde_json::json!({"iss": "https://sso.example.com", "sub": "ada", "exp": 4_000_000_000_u64, "realm_access": {"roles": ["admin"]}, "org": {"ids": [1, 2]}});
        let typed: Keycloak = user(good.clone(), true).claims_as().unwrap();
        assert_eq!(typed.realm_access.roles, ["admin"]);
        // An unverified JWT's claims only under the name that says so.
        let unverified = user(good, false);
        assert_eq!(
            unverified.claims_as::<Keycloak>(),
            Err(TypedClaimsError::NotVerified)
        );
        assert!(unverified.unverified_claims_as::<Keycloak>().is_ok());
        let bad = serde_json::json!({"iss": "https://sso.example.com", "sub": "ada", "exp": 1, "realm_access": {"roles": ["admin"]}, "org": {"ids": [1, "s3cr3t-value"]}});
        let error = user(bad, true).claims_as::<Keycloak>().unwrap_err();
        assert_eq!(
            error,
            TypedClaimsError::DoNotFit {
                field: "org.ids[1]".to_owned()
            }
        );
        assert!(!error.to_string().contains("s3cr3t"), "{error}");
        let missing =
            serde_json::json!({"iss": "https://sso.example.com", "sub": "s3cr3t", "exp": 1});
        for user in [user(missing.clone(), true), user(missing, false)] {
            let error = user.unverified_claims_as::<Keycloak>().unwrap_err();
            assert!(!error.to_string().contains("s3cr3t"), "{error}");
            let field = "realm_access".to_owned();
            assert_eq!(error, TypedClaimsError::DoNotFit { field });
        }
        let nested = serde_json::json!({"iss": "https://sso.example.com", "sub": "a", "exp": 1, "realm_access": {"roles": []}, "org": {}});
        for user in [user(nested.clone(), true), user(nested, false)] {
            let error = user.unverified_claims_as::<Keycloak>().unwrap_err();
            let field = "org.ids".to_owned();
            assert_eq!(error, TypedClaimsError::DoNotFit { field });
        }
    }
}
