//! The verifiers of a resolver, one per issuer: the token's unverified `iss` picks one, and
//! only that issuer's keys may verify it.

use std::sync::Arc;

use crate::error::VerifyError;
use crate::identity::jwt_claims::ScannedClaims;
use crate::parse::json_scan::{Json, Scanned};
use crate::parse::jwt;
use crate::verify::header::token_header;
use crate::verify::key_cache::KeyCache;
use crate::{ConfigError, JwtUserInfo, JwtVerifier, ResolveError, UserInfo};

/// The configured verifiers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Issuers(Vec<JwtVerifier>);

impl Issuers {
    pub(crate) fn new(verifiers: Vec<JwtVerifier>) -> Result<Self, ConfigError> {
        for (i, verifier) in verifiers.iter().enumerate() {
            let earlier = verifiers.get(..i).unwrap_or_default();
            if earlier.iter().any(|v| v.issuer() == verifier.issuer()) {
                return Err(ConfigError::InvalidIssuer);
            }
        }
        Ok(Self(verifiers))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The user of a JWT verified by its issuer's verifier; the id is issuer-scoped.
    pub(crate) fn user(&self, token: &[u8]) -> Result<UserInfo, ResolveError> {
        let decoded = jwt::decode(token).map_err(ResolveError::MalformedJwt)?;
        let header = token_header(&decoded.header)?;
        let (signing_input, signature) = (decoded.signing_input, decoded.signature);
        let mut valid_until = None;
        let (jwt, id) = JwtUserInfo::from_verified_payload(decoded.payload, |claims| {
            valid_until = self
                .issuer_of(claims)?
                .verify(&header, signing_input, signature, claims)
                .map_err(ResolveError::Verification)?;
            Ok(())
        })?;
        Ok(UserInfo::from_verified_checked_jwt(id, jwt, valid_until))
    }

    fn issuer_of(&self, claims: &ScannedClaims<'_>) -> Result<&JwtVerifier, ResolveError> {
        match claims.get("iss") {
            Some(Scanned::Str(iss)) if !iss.is_empty() => self
                .0
                .iter()
                .find(|verifier| verifier.issuer() == iss.as_ref())
                .ok_or(ResolveError::Verification(VerifyError::UnknownIssuer)),
            Some(Scanned::Str(_)) | None => Err(ResolveError::MissingIssuer),
            Some(_) => Err(ResolveError::Verification(VerifyError::ClaimType("iss"))),
        }
    }

    /// The fetched keys' cache of `token`'s issuer, to refetch after a miss.
    pub(crate) fn cache_to_refetch(&self, token: &[u8]) -> Option<Arc<KeyCache>> {
        let payload = jwt::decode_unverified(token).ok()?;
        let [iss] = crate::parse::json_scan::scan_object(&payload, &["iss"]).ok()?;
        let iss = iss?;
        let iss = Json::as_str(&iss)?;
        let verifier = self.0.iter().find(|v| v.issuer() == iss)?;
        verifier.key_cache().cloned()
    }

    /// Fetches every issuer's keys that are fetched; whether all have keys now.
    pub(crate) async fn load_keys(&self) -> bool {
        let mut loaded = true;
        for cache in self.0.iter().filter_map(JwtVerifier::key_cache) {
            cache.refetch().await;
            loaded &= cache.current().loaded;
        }
        loaded
    }
}
