//! An introspection answer → a user, or why not. In order: `active` must be JSON `true`;
//! `token_type` must not be `refresh_token`; the answer's members then pass the checks of a
//! verified JWT's claims (the client's issuer, leeway, audience and scopes); the user is named
//! by the first non-blank string of `sub`, `username` and `client_id` (a machine client's own
//! token), trimmed, scoped to the issuer.

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::error::{IntrospectionError, ResolveError};
use crate::identity::claim_rules::{ScannedClaims, check, scan_claims};
use crate::identity::confirmation::Confirmation;
use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_id::verified_jwt_user_id;
use crate::identity::user_info::{StillVerified, UserInfo};
use crate::parse::pytext::py_strip;
use crate::verify::claims::ClaimChecks;

/// What an answer gives: an active token's user, or a refusal.
#[derive(Debug)]
pub(crate) enum Checked {
    /// The token is active and passed: its user, and its `exp` (seconds since the epoch).
    Active { user: UserInfo, exp: Option<f64> },
    /// The answer refuses the token (inactive, or failing a check): cached briefly.
    Refused(ResolveError),
    /// No answer (the server down, slow, refusing the client, garbage): never cached.
    Failed(ResolveError),
}

/// The members RFC 7662 does not define that a JWT reader would take as scopes or client id:
/// `scp` and `azp` are JWT conventions, and the reference reads neither from an answer.
const NOT_READ: [&str; 2] = ["scp", "azp"];

/// Checks the answer at `now`.
pub(crate) fn checked(
    answer: Result<Map<String, Value>, IntrospectionError>,
    checks: &ClaimChecks,
    now: f64,
) -> Checked {
    let mut answer = match answer {
        Ok(answer) => answer,
        Err(error) => return Checked::Failed(ResolveError::Introspection(error)),
    };
    match user(&mut answer, checks, now) {
        Ok((user, exp)) => Checked::Active { user, exp },
        Err(error) => Checked::Refused(error),
    }
}

fn user(
    answer: &mut Map<String, Value>,
    checks: &ClaimChecks,
    now: f64,
) -> Result<(UserInfo, Option<f64>), ResolveError> {
    let refused = |error| Err(ResolveError::Introspection(error));
    // JSON `true` only: the reference's `if not response.get("active", False)` takes "true",
    // 1 or {"a": 1}, and "false" too (a non-empty string).
    if answer.get("active") != Some(&Value::Bool(true)) {
        return refused(IntrospectionError::Inactive);
    }
    match answer.get("token_type") {
        None => {}
        Some(Value::String(kind)) if kind == "refresh_token" => {
            return refused(IntrospectionError::RefreshToken);
        }
        Some(Value::String(_)) => {}
        Some(_) => return refused(IntrospectionError::MemberType("token_type")),
    }
    for member in ["username", "client_id"] {
        if !matches!(
            answer.get(member),
            None | Some(Value::Null | Value::String(_))
        ) {
            return refused(IntrospectionError::MemberType(member));
        }
    }
    for member in NOT_READ {
        answer.remove(member);
    }
    let payload = serde_json::to_string(&answer).unwrap_or_default();
    let members = scan_claims(&payload)?;
    let claims = ScannedClaims::new(&members);
    let times = checks
        .check_at(&claims, now)
        .map_err(ResolveError::Verification)?;
    check(|key| claims.get(key)).map_err(ResolveError::InvalidClaims)?;
    // A client's own token (`client_credentials`) often names only `client_id`: its user is
    // the client, the id its JWT (`sub` = the client id, RFC 9068 §2.2) gives.
    let identity = ["sub", "username", "client_id"]
        .into_iter()
        .filter_map(|member| answer.get(member)?.as_str())
        .map(py_strip)
        .find(|identity| !identity.is_empty());
    let Some(identity) = identity else {
        return refused(IntrospectionError::NoIdentity);
    };
    let id = verified_jwt_user_id(Some(&checks.issuer), identity)?;
    drop(members);
    let valid_until = checks.valid_until(times);
    let still = Arc::new(Until(valid_until));
    let confirmation = Confirmation::of(answer);
    let claims = JwtUserInfo::from_checked_payload(payload);
    let still = (still as Arc<dyn StillVerified>, checks.grant_rules());
    let user = UserInfo::from_introspection(id, claims, confirmation, valid_until, still);
    Ok((user, times.exp()))
}

/// An opaque token's user holds until its `exp` plus the leeway.
#[derive(Debug)]
struct Until(Option<SystemTime>);

impl StillVerified for Until {
    fn still_verified(&self) -> bool {
        self.0.is_none_or(|until| SystemTime::now() < until)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::VerifyError;
    use crate::verify::claims::Audience;

    fn checks() -> ClaimChecks {
        ClaimChecks {
            issuer: "https://as.example".to_owned(),
            audience: Audience::OneOf(vec!["api".to_owned()]),
            leeway: Duration::from_secs(60),
            require_exp: false,
            required_scopes: vec!["read".to_owned()],
            mapping: None,
            hierarchy: None,
        }
    }

    const NOW: f64 = 1_800_000_000.0;

    fn answer(json: serde_json::Value) -> Checked {
        let Value::Object(map) = json else {
            panic!("an object");
        };
        checked(Ok(map), &checks(), NOW)
    }

    fn refusal(json: serde_json::Value) -> ResolveError {
        match answer(json) {
            Checked::Refused(error) => error,
            other => panic!("refused, not {other:?}"),
        }
    }

    fn good() -> serde_json::Value {
        serde_json::json!({
            "active": true, "iss": "https://as.example", "aud": "api", "sub": " ada ",
            "scope": "read write", "exp": NOW + 300.0, "client_id": "cli",
        })
    }

    fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
        let mut json = good();
        json[key] = value;
        json
    }

    #[test]
    fn an_active_answer_names_its_user() {
        let Checked::Active { user, exp } = answer(good()) else {
            panic!("active");
        };
        assert_eq!(exp, Some(NOW + 300.0));
        let id = verified_jwt_user_id(Some("https://as.example"), "ada").unwrap();
        assert_eq!(user.user_id(), id);
        assert_eq!(user.source(), crate::Source::OPAQUE_TOKEN);
        let claims = user.introspected().unwrap();
        assert_eq!(claims.client_id(), Some("cli"));
        assert_eq!(claims.scopes(), ["read", "write"]);
        // username when sub is blank
        let mut named = with("sub", " ".into());
        named["username"] = "ada".into();
        let Checked::Active { user: by_name, .. } = answer(named) else {
            panic!("active");
        };
        assert_eq!(by_name.user_id(), id);
    }

    #[test]
    fn each_rule_refuses_on_its_own() {
        let inactive = ResolveError::Introspection(IntrospectionError::Inactive);
        assert_eq!(refusal(with("active", false.into())), inactive);
        assert_eq!(refusal(with("active", "true".into())), inactive);
        assert_eq!(refusal(with("active", 1.into())), inactive);
        let mut missing = good();
        missing.as_object_mut().unwrap().remove("active");
        assert_eq!(refusal(missing), inactive);
        assert_eq!(
            refusal(with("token_type", "refresh_token".into())),
            ResolveError::Introspection(IntrospectionError::RefreshToken)
        );
        assert_eq!(
            refusal(with("username", 5.into())),
            ResolveError::Introspection(IntrospectionError::MemberType("username"))
        );
        let verify = |error| ResolveError::Verification(error);
        assert_eq!(
            refusal(with("exp", (NOW - 61.0).into())),
            verify(VerifyError::Expired)
        );
        assert_eq!(
            refusal(with("nbf", (NOW + 61.0).into())),
            verify(VerifyError::NotYetValid)
        );
        assert_eq!(
            refusal(with("iss", "https://other".into())),
            verify(VerifyError::UnknownIssuer)
        );
        let mut no_iss = good();
        no_iss.as_object_mut().unwrap().remove("iss");
        assert_eq!(refusal(no_iss), verify(VerifyError::MissingClaim("iss")));
        assert_eq!(
            refusal(with("aud", serde_json::json!(["web"]))),
            verify(VerifyError::AudienceMismatch)
        );
        assert!(matches!(
            refusal(with("scope", "write".into())),
            ResolveError::Verification(VerifyError::InsufficientScope { .. })
        ));
        // `scp` is not an answer's scope claim
        let mut scp = with("scope", Value::Null);
        scp["scp"] = serde_json::json!(["read"]);
        assert!(matches!(
            refusal(scp),
            ResolveError::Verification(VerifyError::InsufficientScope { .. })
        ));
        let mut anonymous = with("sub", Value::Null);
        anonymous["username"] = "  ".into();
        anonymous["client_id"] = Value::Null;
        assert_eq!(
            refusal(anonymous),
            ResolveError::Introspection(IntrospectionError::NoIdentity)
        );
        // A list of audiences, and scopes as a list, pass.
        let mut listed = with("aud", serde_json::json!(["web", "api"]));
        listed["scope"] = serde_json::json!(["read"]);
        assert!(matches!(answer(listed), Checked::Active { .. }));
    }
}
