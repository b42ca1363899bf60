//! The registered claims a verifier checks (RFC 7519 §4.1), each strictly typed: a check that
//! is configured is required, and a claim of the wrong type fails the check it feeds.
//!
//! - `iss`: a string, exactly the issuer.
//! - `exp`: a number; required unless turned off; expired once `exp + leeway <= now`.
//! - `nbf`: a number when present; refused while `nbf - leeway > now`.
//! - `iat`: a number when present (not compared with the clock).
//! - `aud`: a string or a list of strings. With audiences configured it is required and one
//!   must match; without, a token that names an audience is refused (it is meant for some
//!   other service), unless [`allow_any_audience`](crate::verify::JwtVerifierBuilder::allow_any_audience).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::VerifyError;
use crate::identity::jwt_claims::ScannedClaims;
use crate::parse::json_scan::{Json, Scanned};

/// Default clock leeway for `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The largest leeway a verifier accepts; a larger one is clamped to it.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// Which audiences a verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Audience {
    /// Tokens that name an audience are refused.
    None,
    /// Any audience, or none.
    Any,
    /// One of these is required.
    OneOf(Vec<String>),
}

/// The claim checks of one issuer. Its `Debug` shows the issuer redacted like a URL.
#[derive(Clone)]
pub(crate) struct ClaimChecks {
    pub(crate) issuer: String,
    pub(crate) audience: Audience,
    pub(crate) leeway: Duration,
    pub(crate) require_exp: bool,
}

impl std::fmt::Debug for ClaimChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimChecks")
            .field("issuer", &crate::verify::redacted_url(&self.issuer))
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .finish()
    }
}

impl ClaimChecks {
    /// Checks the claims at the current time; `Ok` holds when the token stops being valid,
    /// `exp` plus the leeway (`None` without `exp`, or past what a `SystemTime` holds).
    pub(crate) fn check(
        &self,
        claims: &ScannedClaims<'_>,
    ) -> Result<Option<SystemTime>, VerifyError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64());
        self.check_at(claims, now)
    }

    pub(crate) fn check_at(
        &self,
        claims: &ScannedClaims<'_>,
        now: f64,
    ) -> Result<Option<SystemTime>, VerifyError> {
        match claims.get("iss") {
            Some(Scanned::Str(iss)) if *iss == self.issuer => {}
            Some(Scanned::Str(_)) => return Err(VerifyError::UnknownIssuer),
            Some(_) => return Err(VerifyError::ClaimType("iss")),
            None => return Err(VerifyError::MissingClaim("iss")),
        }
        let leeway = self.leeway.as_secs_f64();
        let exp = number(claims, "exp")?;
        match exp {
            Some(exp) if exp + leeway <= now => return Err(VerifyError::Expired),
            None if self.require_exp => return Err(VerifyError::MissingClaim("exp")),
            _ => {}
        }
        if number(claims, "nbf")?.is_some_and(|nbf| nbf - leeway > now) {
            return Err(VerifyError::NotYetValid);
        }
        number(claims, "iat")?;
        self.check_audience(claims.get("aud"))?;
        Ok(exp.and_then(|exp| self.valid_until(exp)))
    }

    /// `exp` plus the leeway as a time, `None` past what a `SystemTime` holds.
    fn valid_until(&self, exp: f64) -> Option<SystemTime> {
        let since_epoch = Duration::try_from_secs_f64(exp.max(0.0)).ok()?;
        UNIX_EPOCH
            .checked_add(since_epoch)?
            .checked_add(self.leeway)
    }

    fn check_audience(&self, aud: Option<&Scanned<'_>>) -> Result<(), VerifyError> {
        let audiences = match aud {
            None => None,
            Some(Scanned::Str(aud)) => Some(vec![aud.as_ref()]),
            Some(aud) => {
                let list = aud.as_list().ok_or(VerifyError::ClaimType("aud"))?;
                let strings: Option<Vec<&str>> = list.into_iter().map(Json::as_str).collect();
                Some(strings.ok_or(VerifyError::ClaimType("aud"))?)
            }
        };
        match (&self.audience, audiences) {
            (Audience::Any, _) | (Audience::None, None) => Ok(()),
            (Audience::None, Some(_)) => Err(VerifyError::AudienceMismatch),
            (Audience::OneOf(_), None) => Err(VerifyError::MissingClaim("aud")),
            (Audience::OneOf(accepted), Some(audiences)) => {
                if audiences
                    .iter()
                    .any(|aud| accepted.iter().any(|a| a == aud))
                {
                    Ok(())
                } else {
                    Err(VerifyError::AudienceMismatch)
                }
            }
        }
    }
}

/// A numeric claim: `None` when absent, an error when it is not a number.
fn number(claims: &ScannedClaims<'_>, name: &'static str) -> Result<Option<f64>, VerifyError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Scanned::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(VerifyError::ClaimType(name)),
    }
}
