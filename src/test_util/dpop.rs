//! DPoP proofs (RFC 9449) minted with the test keys, and the thumbprints tokens are bound by.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::Digest as _;

use crate::test_util::TestKey;

impl TestKey {
    /// The RFC 7638 thumbprint of the key's public JWK: what a token bound to it names in
    /// `cnf.jkt` ([`TokenBuilder::bound_to`](crate::test_util::TokenBuilder::bound_to)).
    ///
    /// # Panics
    /// Never for the test keys.
    #[must_use]
    pub fn thumbprint(self) -> String {
        let Value::Object(jwk) = serde_json::to_value(public_jwk(self)).unwrap_or_default() else {
            return String::new();
        };
        crate::dpop::jwk_thumbprint(&jwk).unwrap_or_default()
    }

    /// A DPoP proof signed with this key, for `method` and `uri`; change it with the builder,
    /// then [`sign`](DpopProofBuilder::sign) it.
    pub fn dpop_proof(self, method: &str, uri: &str) -> DpopProofBuilder {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut claims = Map::new();
        claims.insert("htm".into(), method.into());
        claims.insert("htu".into(), uri.into());
        claims.insert("iat".into(), now.into());
        claims.insert("jti".into(), format!("jti-{now}-{n}").into());
        let mut header = Map::new();
        header.insert("typ".into(), "dpop+jwt".into());
        header.insert("alg".into(), format!("{:?}", self.algorithm()).into());
        let jwk = serde_json::to_value(public_jwk(self)).unwrap_or_default();
        header.insert("jwk".into(), jwk);
        DpopProofBuilder {
            key: self,
            header,
            claims,
        }
    }
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The key's JWK as a proof carries it: public members only, no `kid`, `use` or `alg`.
fn public_jwk(key: TestKey) -> jsonwebtoken::jwk::Jwk {
    let mut jwk = key.jwk();
    jwk.common = jsonwebtoken::jwk::CommonParameters::default();
    jwk
}

/// A DPoP proof being minted. Defaults: `typ` `dpop+jwt`, the key's algorithm and public
/// JWK, `htm` and `htu` as given, `iat` now, a fresh `jti`, no `ath`.
#[derive(Debug, Clone)]
#[must_use]
pub struct DpopProofBuilder {
    key: TestKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
}

impl DpopProofBuilder {
    /// Sets `ath`, the hash of the access token the proof goes with.
    pub fn access_token(self, token: &str) -> Self {
        let ath = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.as_bytes()));
        self.claim("ath", ath)
    }

    /// Sets any claim (`null` removes it).
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        match value.into() {
            Value::Null => self.claims.remove(name),
            value => self.claims.insert(name.to_owned(), value),
        };
        self
    }

    /// Sets any header member (`null` removes it): `typ`, `alg` (only the header's: the
    /// proof is still signed with the key's own algorithm), `jwk`, `crit`, …
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        match value.into() {
            Value::Null => self.header.remove(name),
            value => self.header.insert(name.to_owned(), value),
        };
        self
    }

    /// Sets the header's `jwk` to another key's public JWK.
    pub fn jwk_of(self, key: TestKey) -> Self {
        let jwk = serde_json::to_value(public_jwk(key)).unwrap_or_default();
        self.header("jwk", jwk)
    }

    /// The proof, signed with the key under its algorithm.
    #[must_use]
    pub fn sign(&self) -> String {
        crate::test_util::token::compact(
            &self.header,
            &self.claims,
            &self.key.encoding_key(),
            self.key.algorithm(),
        )
    }
}
