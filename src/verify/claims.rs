//! The registered claims a verifier checks (RFC 7519 §4.1), each strictly typed, by the
//! reference's verifying path (authlib's claim checks, then `_check_jwt_policies`, then the
//! pydantic `TokenValidationResult` its result must fit): a check that is configured is
//! required, and a claim of the wrong type refuses the token.
//!
//! - `iss`: a string, exactly the issuer.
//! - `exp`, `nbf`, `iat`: integers in pydantic's sense: an integer literal, or a number with no
//!   fractional part within 64 bits (`1.0e9`; `1.5`, `1e20` refuse). Booleans refuse, as
//!   authlib's numeric check refuses them; so does a `null` `nbf` or `iat` (a `null` `exp`
//!   counts as absent). `exp` is required unless turned off;
//!   expired once `exp + leeway <= now`; refused while `nbf - leeway > now`, or while
//!   `iat - leeway > now` (issued in the future).
//! - `aud`: a string or a list of strings. With audiences configured it is required and one
//!   must match; without, a token that names an audience is refused (it is meant for some
//!   other service), unless [`allow_any_audience`](crate::verify::JwtVerifierBuilder::allow_any_audience).
//! - Scopes: `scope` when truthy (Python's sense), else `scp`; a string is split on
//!   whitespace, a list taken as it is. Whatever the requirement, they must come out a list of
//!   strings (or nothing): a number, `true`, an object, a list holding a non-string refuse.
//!   The required scopes (per verifier) must all be among them: else
//!   [`VerifyError::InsufficientScope`] (HTTP 403).
//! - `sub` and `jti` are strings when present (not null), and the client id (`azp`, else
//!   `client_id`, else `sub`, by truthiness) is a string.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::VerifyError;
use crate::identity::claim_rules::{NotStrings, ScannedClaims, granted_scopes};
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
    /// The protected resource the verifier serves (no audience configured, the resolver's
    /// [`ProtectedResource`](crate::authorize::ProtectedResource)): required, compared as RFC
    /// 8707 and the MCP spec ask (scheme and host in any case, a trailing `/` or none). Held in
    /// its canonical form.
    Resource(String),
}

impl Audience {
    /// Also accepts `audience` (the first one replaces `None` and `Any`).
    pub(crate) fn accept(&mut self, audience: String) {
        match self {
            Self::OneOf(audiences) => audiences.push(audience),
            other => *other = Self::OneOf(vec![audience]),
        }
    }
}

/// What a resolver adds to the checks of the verifiers and introspection client it holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolverRules {
    /// Its scope hierarchy.
    pub(crate) hierarchy: Option<std::sync::Arc<crate::authorize::ScopeHierarchy>>,
    /// Its protected resource's identifier.
    pub(crate) resource: Option<String>,
}

/// A resource identifier as RFC 8707 compares them: scheme and host lower-cased, one trailing
/// `/` dropped (`HTTPS://MCP.example.com/` is `https://mcp.example.com`); the path, and
/// anything that is not a URL, as written.
pub(crate) fn canonical_resource(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    let path = path.strip_suffix('/').unwrap_or(path);
    format!(
        "{}://{}{path}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    )
}

/// A configured leeway, clamped to [`MAX_LEEWAY`].
pub(crate) fn clamped_leeway(leeway: Duration) -> Duration {
    leeway.min(MAX_LEEWAY)
}

/// The claim checks of one issuer. Its `Debug` shows the issuer redacted like a URL.
#[derive(Clone)]
pub(crate) struct ClaimChecks {
    pub(crate) issuer: String,
    pub(crate) audience: Audience,
    pub(crate) leeway: Duration,
    pub(crate) require_exp: bool,
    /// Scopes every token must have (all of them).
    pub(crate) required_scopes: Vec<String>,
    /// Where its tokens' scopes, roles and groups are, for guards (none: the reference's rule).
    pub(crate) mapping: Option<std::sync::Arc<crate::identity::ClaimMapping>>,
    /// Which scopes imply which, from the resolver (none: exact matching); its users carry it.
    pub(crate) hierarchy: Option<std::sync::Arc<crate::authorize::ScopeHierarchy>>,
}

impl std::fmt::Debug for ClaimChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimChecks")
            .field("issuer", &crate::verify::redacted_url(&self.issuer))
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("required_scopes", &self.required_scopes)
            .field("mapping", &self.mapping)
            .field("hierarchy", &self.hierarchy)
            .finish()
    }
}

/// The time claims of a token that passed its checks: what a cached answer checks again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeClaims {
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
}

/// Seconds since the Unix epoch, now (0 before it).
pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

impl TimeClaims {
    /// `exp`, when the token has one.
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    pub(crate) fn exp(self) -> Option<f64> {
        self.exp
    }
}

impl ClaimChecks {
    /// The checks of `issuer`'s tokens before any setter: no audience accepted, the default
    /// leeway, `exp` required, no scope required.
    pub(crate) fn new(issuer: String) -> Self {
        Self {
            issuer,
            audience: Audience::None,
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            required_scopes: Vec::new(),
            mapping: None,
            hierarchy: None,
        }
    }

    /// How the users of tokens that pass are granted and judged.
    pub(crate) fn grant_rules(&self) -> crate::identity::grant_rules::GrantRules {
        crate::identity::grant_rules::GrantRules {
            mapping: self.mapping.clone(),
            hierarchy: self.hierarchy.clone(),
        }
    }

    /// These checks as the resolver they join has them: judged by its scope `hierarchy`, and,
    /// when none was configured, with its protected `resource` as the required audience.
    /// `None` when nothing changes.
    pub(crate) fn adopted(&self, rules: &ResolverRules) -> Option<Self> {
        let resource = (rules.resource.as_deref())
            .filter(|_| matches!(self.audience, Audience::None))
            .map(|resource| Audience::Resource(canonical_resource(resource)));
        if resource.is_none() && rules.hierarchy.is_none() {
            return None;
        }
        let mut checks = self.clone();
        if let Some(resource) = resource {
            checks.audience = resource;
        }
        checks.hierarchy.clone_from(&rules.hierarchy);
        Some(checks)
    }

    /// Checks the configuration: an issuer, and required scopes that are RFC 6749 scope
    /// tokens.
    pub(crate) fn checked(self) -> Result<Self, crate::error::ConfigError> {
        if self.issuer.is_empty() {
            return Err(crate::error::ConfigError::InvalidIssuer);
        }
        let required_scopes = crate::parse::scope::scope_tokens(self.required_scopes)?;
        Ok(Self {
            required_scopes,
            ..self
        })
    }
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
        let exp = integer(claims, "exp")?;
        self.check_exp(exp, now)?;
        // authlib validates `nbf` and `iat` whenever the claim is present: `null` is refused.
        let nbf = present_integer(claims, "nbf")?;
        self.check_nbf(nbf, now)?;
        let iat = present_integer(claims, "iat")?;
        self.check_iat(iat, now)?;
        self.check_audience(claims.get("aud"))?;
        let granted = check_result_types(claims)?;
        self.check_scopes(granted.as_deref().unwrap_or_default())?;
        Ok(TimeClaims { exp, nbf, iat })
    }

    /// Whether a token that passed at some time, with these time claims, still passes at
    /// `now`: the same rules as [`check_at`](Self::check_at), so a cached answer never
    /// outlives the uncached one (nor precedes it, should the clock step back).
    pub(crate) fn still_valid(&self, times: TimeClaims, now: f64) -> bool {
        self.check_exp(times.exp, now).is_ok()
            && self.check_nbf(times.nbf, now).is_ok()
            && self.check_iat(times.iat, now).is_ok()
    }

    /// Issued in the future while `iat - leeway > now` (authlib's `validate_iat`).
    fn check_iat(&self, iat: Option<f64>, now: f64) -> Result<(), VerifyError> {
        match iat {
            Some(iat) if iat - self.leeway.as_secs_f64() > now => Err(VerifyError::IssuedInFuture),
            _ => Ok(()),
        }
    }

    /// The required scopes, all among the token's `granted` ones (a set comparison,
    /// case-sensitive), or implied by them under the resolver's scope hierarchy.
    fn check_scopes(&self, granted: &[&str]) -> Result<(), VerifyError> {
        let hierarchy = self.hierarchy.as_deref();
        let has = |required: &String| crate::authorize::satisfied(hierarchy, granted, required);
        if self.required_scopes.iter().all(has) {
            Ok(())
        } else {
            Err(VerifyError::InsufficientScope {
                required: self.required_scopes.clone(),
            })
        }
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
            (Audience::OneOf(_) | Audience::Resource(_), None) => {
                Err(VerifyError::MissingClaim("aud"))
            }
            (Audience::Resource(resource), Some(audiences)) => {
                if (audiences.iter()).any(|aud| canonical_resource(aud) == *resource) {
                    Ok(())
                } else {
                    Err(VerifyError::AudienceMismatch)
                }
            }
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

/// A time claim: `None` when absent (or null), an error unless it is an integer in
/// pydantic's sense (an integer literal, or a number without a fraction within 64 bits).
fn integer(claims: &ScannedClaims<'_>, name: &'static str) -> Result<Option<f64>, VerifyError> {
    /// 2^63: pydantic takes a float as an `int` only below it (and from -2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match claims.get(name) {
        None | Some(Scanned::Null) => Ok(None),
        Some(Scanned::Number(n)) => Ok(Some(*n)),
        Some(Scanned::Float(n)) if n.fract() == 0.0 && (-LIMIT..LIMIT).contains(n) => Ok(Some(*n)),
        Some(_) => Err(VerifyError::ClaimType(name)),
    }
}

/// As [`integer`], but a `null` is refused too (the reference's rule for `nbf` and `iat`).
fn present_integer(
    claims: &ScannedClaims<'_>,
    name: &'static str,
) -> Result<Option<f64>, VerifyError> {
    match claims.get(name) {
        Some(Scanned::Null) => Err(VerifyError::ClaimType(name)),
        _ => integer(claims, name),
    }
}

/// The token's scopes ([`granted_scopes`], the rule route guards read too).
///
/// # Errors
/// [`VerifyError::ClaimType`] when they are not a list of strings.
fn scopes<'a>(claims: &ScannedClaims<'a>) -> Result<Option<Vec<&'a str>>, VerifyError> {
    granted_scopes(|name| claims.get(name)).map_err(|NotStrings| VerifyError::ClaimType("scope"))
}

/// The types the reference's result model (`TokenValidationResult`) requires of what a token
/// yields: scopes a list of strings, `sub` and `jti` strings, the client id (`azp or
/// client_id or sub`) a string; each may be absent or null. Returns the scopes.
fn check_result_types<'a>(claims: &ScannedClaims<'a>) -> Result<Option<Vec<&'a str>>, VerifyError> {
    let scopes = scopes(claims)?;
    let string_or_none =
        |value: Option<&Scanned<'_>>| matches!(value, None | Some(Scanned::Null | Scanned::Str(_)));
    for name in ["sub", "jti"] {
        if !string_or_none(claims.get(name)) {
            return Err(VerifyError::ClaimType(name));
        }
    }
    let client_id = ["azp", "client_id", "sub"]
        .into_iter()
        .map(|name| claims.get(name))
        .find(|value| value.is_some_and(Json::truthy))
        .flatten();
    if !string_or_none(client_id) {
        return Err(VerifyError::ClaimType("azp"));
    }
    Ok(scopes)
}

/// The claim-check setters of [`JwtVerifierBuilder`](crate::verify::JwtVerifierBuilder) and
/// [`IntrospectionClientBuilder`](crate::introspect::IntrospectionClientBuilder): one
/// definition, on a builder whose `checks` is a [`ClaimChecks`]; `$what` names what is checked
/// ("tokens", "answers").
macro_rules! claim_check_setters {
    ($what:literal) => {
        #[doc = concat!("Accepts ", $what, " whose `aud` names this audience (call again to")]
        #[doc = concat!("accept several); ", $what, " without `aud` are then refused. Without any")]
        #[doc = concat!("audience configured, ", $what, " that name one are refused, unless")]
        /// [`allow_any_audience`](Self::allow_any_audience).
        pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
            self.checks.audience.accept(audience.into());
            self
        }

        /// Does not check `aud` at all (it must still be a string or a list of strings).
        pub fn allow_any_audience(mut self) -> Self {
            self.checks.audience = crate::verify::claims::Audience::Any;
            self
        }

        /// Clock leeway for `exp` and `nbf`. Default 60 s; clamped to 300 s.
        pub fn with_leeway(mut self, leeway: std::time::Duration) -> Self {
            self.checks.leeway = crate::verify::claims::clamped_leeway(leeway);
            self
        }

        #[doc = concat!("Requires this scope in every one of the ", $what, " (call again for")]
        /// more: all are required), as the reference's `JwtAuthProviderConfig.scopes`. The
        /// scopes are `scope` (else `scp`): a string split on whitespace, or a list of strings;
        /// the comparison is exact (case-sensitive; a comma is no separator). A valid token
        /// without them is refused with
        /// [`VerifyError::InsufficientScope`](crate::error::VerifyError::InsufficientScope):
        /// HTTP 403, `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`.
        pub fn with_required_scope(mut self, scope: impl Into<String>) -> Self {
            self.checks.required_scopes.push(scope.into());
            self
        }

        #[doc = concat!("Reads the scopes, roles and groups guards check of these ", $what)]
        /// where the identity provider puts them ([`ClaimMapping`](crate::identity::ClaimMapping):
        /// a preset, or paths of your own). Without it, the reference's rule: scopes from
        /// `scope` (else `scp`), roles from `roles` (else `realm_access.roles`), groups from
        /// `groups`. The verifier's own required scopes keep that rule. (An introspection
        /// answer's `scp` and `azp` are never read: RFC 7662 names them `scope` and
        /// `client_id`.)
        pub fn with_claim_mapping(mut self, mapping: crate::identity::ClaimMapping) -> Self {
            self.checks.mapping = Some(std::sync::Arc::new(mapping));
            self
        }
    };
}
pub(crate) use claim_check_setters;
