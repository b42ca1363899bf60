//! A verified JWT whose issuer's fetched keys missed its `kid` (or are not loaded yet): the
//! token as the first pass parsed it (header, claims, signature), kept until the issuer's
//! refetch and then finished without parsing anything again.

use std::sync::Arc;

use crate::error::{ResolveError, VerifyError};
use crate::identity::claim_rules::{Members, ScannedClaims, checked_id};
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::UserInfo;
use crate::verify::claims::now;
use crate::verify::header::TokenHeader;
use crate::verify::passed::passed_user;
use crate::verify::token_cache::TokenCache;
use crate::verify::verifier::JwtVerifier;

/// What the verifier answers: a user, or a refusal, or a token that waits for its issuer's
/// keys (as the caller's wait `W`, which a waiting token converts into: the engine's own wait,
/// built in place rather than converted after).
pub(crate) type Verified<W = Box<AwaitingKeys>> = Result<UserInfo, Unfinished<W>>;

/// A parsed token waiting for one issuer's keys.
pub(crate) struct AwaitingKeys {
    /// What the first pass answered: the answer of the synchronous path.
    miss: VerifyError,
    verifier: JwtVerifier,
    tokens: Option<Arc<TokenCache>>,
    header: TokenHeader,
    /// The whole token; the signing input is what precedes its last dot.
    token: Box<[u8]>,
    signing_len: usize,
    /// The decoded signature (`None`: a segment no verifier accepts).
    signature: Option<Vec<u8>>,
    payload: String,
    members: Members<'static>,
}

impl std::fmt::Debug for AwaitingKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token or its claims.
        f.debug_struct("AwaitingKeys")
            .field("miss", &self.miss)
            .field(
                "issuer",
                &crate::verify::redacted_url(self.verifier.issuer()),
            )
            .finish_non_exhaustive()
    }
}

/// A token as the first pass parsed it, everything [`AwaitingKeys`] keeps of it.
pub(crate) struct ParsedToken<'t> {
    pub(crate) token: &'t [u8],
    pub(crate) header: TokenHeader,
    /// The decoded signature (`None`: a segment no verifier accepts).
    pub(crate) signature: Option<Vec<u8>>,
    pub(crate) members: Members<'static>,
    pub(crate) payload: String,
}

impl AwaitingKeys {
    /// Keeps a token whose first check missed its issuer's fetched keys; `tokens` is the
    /// resolver's cache of verified tokens, where it goes once it passes.
    pub(crate) fn new(
        miss: VerifyError,
        verifier: &JwtVerifier,
        tokens: Option<Arc<TokenCache>>,
        parsed: ParsedToken<'_>,
    ) -> Self {
        let token = parsed.token;
        Self {
            miss,
            verifier: verifier.clone(),
            tokens,
            header: parsed.header,
            signing_len: memchr::memrchr(b'.', token).unwrap_or_default(),
            token: token.into(),
            signature: parsed.signature,
            payload: parsed.payload,
            members: parsed.members,
        }
    }

    /// The synchronous path's answer: the miss itself (counted as the token's one look-up).
    pub(crate) fn miss(&self) -> ResolveError {
        let miss = Err::<(), _>(self.miss.clone());
        self.verifier.count_lookup(&miss);
        ResolveError::Verification(self.miss.clone())
    }

    /// Waits for the issuer's refetch (shared with every token that missed, at most one per
    /// refetch interval), then checks the token against the keys it brought.
    pub(crate) async fn finish(self) -> Result<UserInfo, ResolveError> {
        if let Some(keys) = self.verifier.key_cache() {
            keys.refetch().await;
        }
        let claims = ScannedClaims::new(&self.members);
        let signing_input = self.token.get(..self.signing_len).unwrap_or_default();
        let signature = self.signature.as_ref();
        let checked =
            (self.verifier).verify(&self.header, signing_input, signature, &claims, now());
        self.verifier.count_lookup(&checked); // the token's one look-up, after the refetch
        let passed = checked.map_err(ResolveError::Verification)?;
        let id = checked_id(&claims, true)?;
        let tokens = self.tokens.as_deref();
        let (header, token) = (&self.header, &self.token);
        Ok(passed_user(
            &self.verifier,
            id,
            self.payload,
            passed,
            header,
            token,
            tokens,
        ))
    }
}

#[cfg(test)]
#[cfg(feature = "test-util")]
mod tests {
    use http::header::AUTHORIZATION;
    use http::{HeaderMap, HeaderValue};

    use std::time::Duration;

    use crate::identity::user_info::Source;
    use crate::parse::jwt::DECODED;
    use crate::resolve::Resolver;
    use crate::test_util::{TestIdp, TestKey};
    use crate::verify::CachePolicy;
    use crate::websocket::HandledAuthMessage;

    fn decoded() -> usize {
        DECODED.with(std::cell::Cell::get)
    }

    /// A resolver whose cache holds `rsa-1`, and an identity provider that has rotated to
    /// `rsa-2` since.
    async fn rotated() -> (TestIdp, Resolver, String) {
        let idp = TestIdp::start().await;
        let policy = CachePolicy {
            refetch_interval: Duration::ZERO, // the rotation may be fetched at once
            ..CachePolicy::default()
        };
        let verifier = idp.verifier().with_cache_policy(policy).build().unwrap();
        let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
        assert!(resolver.load_keys().await);
        idp.publish(&[TestKey::Rsa1, TestKey::Rsa2]);
        let token = idp.token().key(TestKey::Rsa2).subject("ada").sign();
        (idp, resolver, token)
    }

    /// A token whose `kid` the cache does not hold yet is decoded once, waits for one
    /// refetch, and is finished from what the first pass parsed (the old path decoded it
    /// three times: the first pass, the issuer's lookup, the second resolution).
    #[tokio::test]
    async fn a_key_miss_parses_once() {
        let (idp, resolver, token) = rotated().await;
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        headers.insert(AUTHORIZATION, bearer);
        let before = (decoded(), idp.jwks_requests());
        let user = resolver.resolve_async(&headers).await.unwrap().unwrap();
        assert_eq!(user.source(), Source::JWT);
        assert!(user.valid_until().is_some());
        assert_eq!(
            decoded() - before.0,
            1,
            "one decode for a miss and its refetch"
        );
        assert_eq!(idp.jwks_requests() - before.1, 1, "one refetch");
        // The same token again: the keys are there, no fetch.
        assert_eq!(resolver.resolve(&headers).unwrap(), Some(user));
        assert_eq!(idp.jwks_requests() - before.1, 1);
    }

    #[tokio::test]
    async fn an_auth_message_key_miss_parses_once() {
        let (idp, resolver, token) = rotated().await;
        let frame =
            format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{token}"}}}}"#);
        let before = (decoded(), idp.jwks_requests());
        let handled = resolver.handle_auth_frame_async(&frame).await;
        let Some(HandledAuthMessage::Resolved { user, .. }) = handled else {
            panic!("the rotated key is fetched and verifies the token");
        };
        assert_eq!(user.source(), Source::JWT);
        assert_eq!(
            decoded() - before.0,
            1,
            "one decode for a miss and its refetch"
        );
        assert_eq!(idp.jwks_requests() - before.1, 1, "one refetch");
    }

    /// The synchronous path answers the miss itself, and never fetches.
    #[tokio::test]
    async fn the_sync_path_answers_the_miss() {
        let (idp, resolver, token) = rotated().await;
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        headers.insert(AUTHORIZATION, bearer);
        let before = idp.jwks_requests();
        assert_eq!(
            resolver.resolve(&headers),
            Err(crate::error::ResolveError::Verification(
                crate::error::VerifyError::UnknownKey
            ))
        );
        assert_eq!(idp.jwks_requests(), before);
    }
}
