//! A JWK Set document (RFC 7517 §5) → the keys that can verify signatures.
//!
//! Each key is taken or left on its own, so one odd key does not take the others down:
//! symmetric (`oct`) keys, keys whose `use` is not `sig` or whose `key_ops` lack `verify`,
//! encryption algorithms, unsupported curves, weak keys (RSA under 2048 bits) and malformed keys
//! are left out, each logged with its `kid` and the reason (never key material). A key left
//! out keeps its place ([`PublishedKeys`]): a token that names it is refused.

use jsonwebtoken::jwk::{Jwk, KeyOperations};
use serde::Deserialize;

use crate::verify::VerificationKey;
use crate::verify::published::{MAX_PUBLISHED_KEYS, PublishedKeys};

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// The keys of a JWKS document, each in its place (see [`PublishedKeys`]). Entries that are
/// not JSON objects are not keys and take no place (as in the reference); entries past
/// [`MAX_PUBLISHED_KEYS`] are dropped and logged.
///
/// # Errors
/// A reason, for the logs, when the document is not a JWK Set.
pub(crate) fn signing_keys(document: &[u8]) -> Result<PublishedKeys, String> {
    let document: Document =
        serde_json::from_slice(document).map_err(|err| format!("not a JWK Set: {err}"))?;
    let mut published = PublishedKeys::default();
    let entries = document
        .keys
        .into_iter()
        .filter(serde_json::Value::is_object);
    let mut dropped = 0usize;
    for entry in entries {
        if published.len() >= MAX_PUBLISHED_KEYS {
            dropped += 1;
            continue;
        }
        let kid = (entry.get("kid").and_then(serde_json::Value::as_str)).map(str::to_owned);
        let kid = kid.as_deref();
        let jwk = match serde_json::from_value::<Jwk>(entry) {
            Ok(jwk) => jwk,
            Err(_) => {
                skip(&mut published, kid, "not a JWK of a supported type");
                continue;
            }
        };
        let verifies = (jwk.common.key_operations.as_ref())
            .is_none_or(|ops| ops.contains(&KeyOperations::Verify));
        if !verifies {
            skip(&mut published, kid, "key_ops without verify");
            continue;
        }
        match VerificationKey::from_jwk(&jwk) {
            Ok(key) => published.push_key(key),
            Err(reason) => skip(&mut published, kid, &reason.to_string()),
        }
    }
    if dropped > 0 {
        tracing::warn!(
            dropped,
            kept = MAX_PUBLISHED_KEYS,
            "the JWK Set has more keys than are taken from one document; the rest are dropped"
        );
    }
    Ok(published)
}

/// Leaves an entry out, in its place, and logs it with its `kid` and the reason (never key
/// material).
fn skip(published: &mut PublishedKeys, kid: Option<&str>, reason: &str) {
    tracing::warn!(kid = kid.unwrap_or(""), %reason, "JWKS key skipped");
    published.push_skipped(kid, reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_signing_keys() {
        let ed = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"}"#;
        let document = format!(
            r#"{{"keys":[{ed},
            {{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}},
            {{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"enc","kid":"enc"}},
            {{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","key_ops":["encrypt"],"kid":"ops"}},
            {{"kty":"EC","crv":"P-521","x":"AQ","y":"AQ","kid":"p521"}},
            {{"kty":"RSA","n":"!!","e":"AQAB","kid":"bad"}},
            {{"kty":"XYZ","kid":"unknown"}}, 42]}}"#
        );
        let published = signing_keys(document.as_bytes()).unwrap();
        let kids: Vec<_> = published.keys().iter().map(|k| k.kid()).collect();
        assert_eq!(kids, [Some("ed")]);
        // Every object keeps its place; 42 is no key.
        assert_eq!(published.len(), 7);
        assert_eq!(published.skipped().len(), 6);
        assert!(
            published
                .skipped()
                .iter()
                .any(|s| s.starts_with("unknown: "))
        );
        assert!(signing_keys(b"[]").is_err());
        assert!(signing_keys(br#"{"keys":{}}"#).is_err());
    }

    /// G10: a document of thousands of keys gives at most MAX_PUBLISHED_KEYS.
    #[test]
    fn a_huge_document_is_capped() {
        let ed =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let document = format!(r#"{{"keys":[{}]}}"#, vec![ed; 5000].join(","));
        let published = signing_keys(document.as_bytes()).unwrap();
        assert_eq!(published.len(), MAX_PUBLISHED_KEYS);
        assert_eq!(published.keys().len(), MAX_PUBLISHED_KEYS);
    }
}
