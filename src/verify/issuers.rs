//! The verifiers of a resolver, one per issuer: the token's unverified `iss` picks one, and
//! only that issuer's keys may verify it. Tokens that pass are remembered in the resolver's
//! [token cache](crate::verify::DEFAULT_TOKEN_CACHE_BYTES).

use std::sync::Arc;

use crate::error::{ConfigError, ResolveError, VerifyError};
use crate::identity::claim_rules::{ScannedClaims, checked_id, owned_members, scan_claims};
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::UserInfo;
use crate::parse::json_scan::Scanned;
use crate::parse::jwt;
use crate::verify::awaiting_keys::{AwaitingKeys, ParsedToken, Verified};
use crate::verify::claims::now;
use crate::verify::header::token_header;
use crate::verify::passed::passed_user;
use crate::verify::token_cache::TokenCache;
use crate::verify::verifier::JwtVerifier;

/// The configured verifiers, and the cache of the tokens they passed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Issuers {
    verifiers: Vec<JwtVerifier>,
    cache: Option<Arc<TokenCache>>,
}

impl Issuers {
    /// The verifiers of distinct issuers, and a cache of verified tokens that weighs at most
    /// `cache_bytes` (0: none).
    pub(crate) fn new(
        verifiers: Vec<JwtVerifier>,
        cache_bytes: usize,
    ) -> Result<Self, ConfigError> {
        for (i, verifier) in verifiers.iter().enumerate() {
            let earlier = verifiers.get(..i).unwrap_or_default();
            if earlier.iter().any(|v| v.issuer() == verifier.issuer()) {
                return Err(ConfigError::InvalidIssuer);
            }
        }
        let cache = if verifiers.is_empty() {
            None
        } else {
            TokenCache::new(cache_bytes).map(Arc::new)
        };
        Ok(Self { verifiers, cache })
    }

    /// The cache of verified tokens, when there is one.
    #[cfg(test)]
    pub(crate) fn token_cache(&self) -> Option<&TokenCache> {
        self.cache.as_deref()
    }

    /// The verifiers, in the order configured.
    #[cfg_attr(not(all(feature = "utoipa", feature = "jwks")), allow(dead_code))]
    pub(crate) fn verifiers(&self) -> impl Iterator<Item = &JwtVerifier> {
        self.verifiers.iter()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.verifiers.is_empty()
    }

    /// The user of a JWT verified by its issuer's verifier; the id is issuer-scoped. A miss on
    /// the issuer's fetched keys halts with the parsed token, to finish after the refetch.
    #[inline]
    pub(crate) fn user<W: From<Box<AwaitingKeys>>>(&self, token: &[u8]) -> Verified<W> {
        self.user_at(token, now())
    }

    /// As [`user`](Self::user), at `now` (seconds since the Unix epoch).
    pub(crate) fn user_at<W: From<Box<AwaitingKeys>>>(
        &self,
        token: &[u8],
        now: f64,
    ) -> Verified<W> {
        if let Some(user) = self.cached(token, now) {
            return Ok(user);
        }
        let decoded = jwt::decode(token, token_header)?;
        // The reference's verifying path (authlib) decodes the claims to text and `json.loads`
        // refuses a BOM there; the unverified path's rule stays the reference's own.
        if decoded.payload_bom {
            let error = crate::error::JwtError::NotJson(crate::error::Segment::Payload);
            return Err(ResolveError::MalformedJwt(error).into());
        }
        let header = decoded.header;
        let signing_input = decoded.signing_input;
        let signature = (!decoded.signature_padded).then_some(&decoded.signature);
        let members = scan_claims(&decoded.payload)?;
        let claims = ScannedClaims::new(&members);
        let verifier = self.issuer_of(&claims)?;
        let checked = verifier.verify(&header, signing_input, signature, &claims, now);
        let waits = verifier.key_cache().is_some()
            && matches!(
                checked,
                Err(VerifyError::UnknownKey | VerifyError::KeysUnavailable)
            );
        if !waits {
            verifier.count_lookup(&checked); // a token that waits counts after its refetch
        }
        let passed = match checked {
            Ok(passed) => passed,
            Err(miss @ (VerifyError::UnknownKey | VerifyError::KeysUnavailable)) if waits => {
                let parsed = ParsedToken {
                    token,
                    header,
                    signature: (!decoded.signature_padded).then_some(decoded.signature),
                    members: owned_members(members),
                    payload: decoded.payload,
                };
                let waiting = AwaitingKeys::new(miss, verifier, self.cache.clone(), parsed);
                return Err(Unfinished::Waits(Box::new(waiting).into()));
            }
            Err(error) => return Err(ResolveError::Verification(error).into()),
        };
        let id = checked_id(&claims, true)?;
        drop(members);
        let cache = self.cache.as_deref();
        let payload = decoded.payload;
        Ok(passed_user(
            verifier, id, payload, passed, &header, token, cache,
        ))
    }

    /// A remembered answer for `token`, when the uncached path would give it now.
    fn cached(&self, token: &[u8], now: f64) -> Option<UserInfo> {
        let cache = self.cache.as_ref()?;
        let answer = cache.get(token).and_then(|entry| {
            if entry.binding.holds_at(now) {
                Some(entry.user.clone())
            } else {
                cache.remove(token); // expired, or its key left the issuer's key set
                None
            }
        });
        crate::metrics::token_lookup(answer.is_some());
        answer
    }

    /// The verifier of the token's (unverified) `iss`.
    fn issuer_of(&self, claims: &ScannedClaims<'_>) -> Result<&JwtVerifier, ResolveError> {
        match claims.get("iss") {
            Some(Scanned::Str(iss)) if !iss.is_empty() => self
                .verifiers
                .iter()
                .find(|verifier| verifier.issuer() == iss.as_ref())
                .ok_or(ResolveError::Verification(VerifyError::UnknownIssuer)),
            Some(Scanned::Str(_)) | None => Err(ResolveError::MissingIssuer),
            Some(_) => Err(ResolveError::Verification(VerifyError::ClaimType("iss"))),
        }
    }

    /// The issuers that cannot verify a token yet: their keys are fetched and were never
    /// fetched successfully, or every key they published was left out (and no key is
    /// configured beside them).
    pub(crate) fn awaiting_keys(&self) -> Vec<&str> {
        let waiting = |verifier: &&JwtVerifier| !verifier.has_usable_keys();
        self.verifiers
            .iter()
            .filter(waiting)
            .map(JwtVerifier::issuer)
            .collect()
    }

    /// Fetches every issuer's keys that are fetched; whether all have usable keys now.
    pub(crate) async fn load_keys(&self) -> bool {
        let mut loaded = true;
        for verifier in &self.verifiers {
            if let Some(cache) = verifier.key_cache() {
                cache.refetch().await;
                loaded &= verifier.has_usable_keys();
            }
        }
        loaded
    }
}
