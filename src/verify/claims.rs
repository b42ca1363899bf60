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

/// The time claims of a token that passed its checks: what a cached answer checks again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeClaims {
    exp: Option<f64>,
    nbf: Option<f64>,
}

/// Seconds since the Unix epoch, now (0 before it).
pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

impl ClaimChecks {
    /// Checks the claims at `now` (seconds since the epoch); `Ok` holds the token's time
    /// claims, for [`valid_until`](Self::valid_until) and [`still_valid`](Self::still_valid).
    pub(crate) fn check_at(
        &self,
        claims: &ScannedClaims<'_>,
        now: f64,
    ) -> Result<TimeClaims, VerifyError> {
        match claims.get("iss") {
            Some(Scanned::Str(iss)) if *iss == self.issuer => {}
            Some(Scanned::Str(_)) => return Err(VerifyError::UnknownIssuer),
            Some(_) => return Err(VerifyError::ClaimType("iss")),
            None => return Err(VerifyError::MissingClaim("iss")),
        }
        let exp = number(claims, "exp")?;
        self.check_exp(exp, now)?;
        let nbf = number(claims, "nbf")?;
        self.check_nbf(nbf, now)?;
        number(claims, "iat")?;
        self.check_audience(claims.get("aud"))?;
        Ok(TimeClaims { exp, nbf })
    }

    /// Whether a token that passed at some time, with these time claims, still passes at
    /// `now`: the same rules as [`check_at`](Self::check_at), so a cached answer never
    /// outlives the uncached one (nor precedes it, should the clock step back).
    pub(crate) fn still_valid(&self, times: TimeClaims, now: f64) -> bool {
        self.check_exp(times.exp, now).is_ok() && self.check_nbf(times.nbf, now).is_ok()
    }

    /// Expired once `exp + leeway <= now`; required unless turned off.
    fn check_exp(&self, exp: Option<f64>, now: f64) -> Result<(), VerifyError> {
        match exp {
            Some(exp) if exp + self.leeway.as_secs_f64() <= now => Err(VerifyError::Expired),
            None if self.require_exp => Err(VerifyError::MissingClaim("exp")),
            _ => Ok(()),
        }
    }

    /// Not yet valid while `nbf - leeway > now`.
    fn check_nbf(&self, nbf: Option<f64>, now: f64) -> Result<(), VerifyError> {
        match nbf {
            Some(nbf) if nbf - self.leeway.as_secs_f64() > now => Err(VerifyError::NotYetValid),
            _ => Ok(()),
        }
    }

    /// When the token stops being valid: `exp` plus the leeway as a time (`None` without
    /// `exp`, or past what a `SystemTime` holds).
    pub(crate) fn valid_until(&self, times: TimeClaims) -> Option<SystemTime> {
        let since_epoch = Duration::try_from_secs_f64(times.exp?.max(0.0)).ok()?;
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
