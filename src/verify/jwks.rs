//! A JWK Set document (RFC 7517 §5) → the keys that can verify signatures.
//!
//! Each key is taken or left on its own, so one odd key does not take the others down:
//! symmetric (`oct`) keys, keys whose `use` is not `sig` or whose `key_ops` lack `verify`,
//! encryption algorithms, unsupported curves, weak keys (RSA under 2048 bits) and malformed keys
//! are left out, each logged with its `kid` and the reason (never key material).

use jsonwebtoken::jwk::{Jwk, KeyOperations};
use serde::Deserialize;

use crate::VerificationKey;

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// The signing keys of a JWKS document.
///
/// # Errors
/// A reason, for the logs, when the document is not a JWK Set.
pub(crate) fn signing_keys(document: &[u8]) -> Result<Vec<VerificationKey>, String> {
    let document: Document =
        serde_json::from_slice(document).map_err(|err| format!("not a JWK Set: {err}"))?;
    Ok(document
        .keys
        .into_iter()
        .filter_map(|key| serde_json::from_value::<Jwk>(key).ok())
        .filter(|jwk| {
            jwk.common
                .key_operations
                .as_ref()
                .is_none_or(|ops| ops.contains(&KeyOperations::Verify))
        })
        .filter_map(|jwk| match VerificationKey::from_jwk(&jwk) {
            Ok(key) => Some(key),
            Err(reason) => {
                let kid = jwk.common.key_id.as_deref().unwrap_or("");
                tracing::warn!(kid, %reason, "JWKS key skipped");
                None
            }
        })
        .collect())
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
        let keys = signing_keys(document.as_bytes()).unwrap();
        let kids: Vec<_> = keys.iter().map(|k| k.kid()).collect();
        assert_eq!(kids, [Some("ed")]);
        assert!(signing_keys(b"[]").is_err());
        assert!(signing_keys(br#"{"keys":{}}"#).is_err());
    }
}
