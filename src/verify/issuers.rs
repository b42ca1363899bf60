//! The verifiers of a resolver, one per issuer: the token's unverified `iss` picks one, and
//! only that issuer's keys may verify it.

use std::sync::Arc;

use crate::error::VerifyError;
use crate::identity::jwt_claims::{ScannedClaims, checked_id, owned_members, scan_claims};
use crate::parse::json_scan::Scanned;
use crate::parse::jwt;
use crate::resolve::halt::Halt;
use crate::verify::awaiting_keys::AwaitingKeys;
use crate::verify::header::token_header;
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

    /// The user of a JWT verified by its issuer's verifier; the id is issuer-scoped. A miss on
    /// the issuer's fetched keys halts with the parsed token, to finish after the refetch.
    pub(crate) fn user(&self, token: &[u8]) -> Result<UserInfo, Halt> {
        let decoded = jwt::decode(token).map_err(ResolveError::MalformedJwt)?;
        let header = token_header(&decoded.header)?;
        let (signing_input, signature) = (decoded.signing_input, decoded.signature);
        let members = scan_claims(&decoded.payload)?;
        let claims = ScannedClaims::new(&members);
        let verifier = self.issuer_of(&claims)?;
        let valid_until = match verifier.verify(&header, signing_input, signature, &claims) {
            Ok(valid_until) => valid_until,
            Err(miss @ (VerifyError::UnknownKey | VerifyError::KeysUnavailable)) => {
                let Some(cache) = verifier.key_cache() else {
                    return Err(ResolveError::Verification(miss).into());
                };
                let waiting = AwaitingKeys::new(
                    miss,
                    verifier,
                    Arc::clone(cache),
                    header.into_owned(),
                    signing_input,
                    signature,
                    owned_members(members),
                    decoded.payload,
                );
                return Err(Halt::AwaitingKeys(Box::new(waiting)));
            }
            Err(error) => return Err(ResolveError::Verification(error).into()),
        };
        let id = checked_id(&claims, true)?;
        drop(members);
        let jwt = JwtUserInfo::from_checked_payload(decoded.payload);
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
