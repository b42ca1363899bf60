//! [`TestKey`]: the kit's signing keys, fixed so that tests are repeatable.

use jsonwebtoken::jwk::{EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use crate::verify::VerificationKey;

/// A test signing key. Its private half is public knowledge: tests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TestKey {
    /// RSA 2048, RS256, `kid` `rsa-1`: the key a [`TestIdp`](crate::test_util::TestIdp)
    /// publishes first.
    Rsa1,
    /// Another RSA 2048 key, RS256, `kid` `rsa-2`: for rotations.
    Rsa2,
    /// P-256, ES256, `kid` `ec-1`.
    Ec,
    /// Ed25519, EdDSA, `kid` `ed-1`.
    Ed,
}

impl TestKey {
    /// Every test key.
    pub const ALL: [TestKey; 4] = [Self::Rsa1, Self::Rsa2, Self::Ec, Self::Ed];

    /// Its key id.
    #[must_use]
    pub fn kid(self) -> &'static str {
        match self {
            Self::Rsa1 => "rsa-1",
            Self::Rsa2 => "rsa-2",
            Self::Ec => "ec-1",
            Self::Ed => "ed-1",
        }
    }

    /// The algorithm it signs with.
    #[must_use]
    pub fn algorithm(self) -> Algorithm {
        match self {
            Self::Rsa1 | Self::Rsa2 => Algorithm::RS256,
            Self::Ec => Algorithm::ES256,
            Self::Ed => Algorithm::EdDSA,
        }
    }

    /// The private key in PKCS#8 PEM.
    #[must_use]
    pub fn private_pem(self) -> &'static str {
        match self {
            Self::Rsa1 => include_str!("keys/rsa-1.pem"),
            Self::Rsa2 => include_str!("keys/rsa-2.pem"),
            Self::Ec => include_str!("keys/ec-p256.pem"),
            Self::Ed => include_str!("keys/ed25519.pem"),
        }
    }

    /// The key to sign with (crate-private: jsonwebtoken's types stay out of the public API;
    /// sign with [`TokenBuilder`](crate::test_util::TokenBuilder), or build one from
    /// [`private_pem`](Self::private_pem)).
    pub(crate) fn encoding_key(self) -> EncodingKey {
        let pem = self.private_pem().as_bytes();
        let key = match self {
            Self::Rsa1 | Self::Rsa2 => EncodingKey::from_rsa_pem(pem),
            Self::Ec => EncodingKey::from_ec_pem(pem),
            Self::Ed => EncodingKey::from_ed_pem(pem),
        };
        #[allow(clippy::expect_used)]
        key.expect("the embedded test keys parse")
    }

    /// Its public half as a JWK, with `kid`, `alg` and `use: sig`.
    ///
    /// # Panics
    /// Never: the embedded keys convert (a unit test checks each).
    #[must_use]
    pub fn jwk(self) -> Jwk {
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = self.encoding_key();
        let utils = &crate::verify::backend::PROVIDER.key_utils;
        let b64 = |bytes: Vec<u8>| URL_SAFE_NO_PAD.encode(bytes);
        let failed = "the embedded test keys convert to JWKs";
        let (kid, sig) = (self.kid(), "sig");
        #[allow(clippy::expect_used)]
        let jwk = match self {
            Self::Rsa1 | Self::Rsa2 => {
                let (n, e) =
                    (utils.rsa_pub_components_from_private_key)(key.as_bytes()).expect(failed);
                json!({ "kty": "RSA", "alg": "RS256", "kid": kid, "use": sig, "n": b64(n), "e": b64(e) })
            }
            Self::Ec => {
                let (_, x, y) =
                    (utils.ec_pub_components_from_private_key)(key.as_bytes(), Algorithm::ES256)
                        .expect(failed);
                json!({
                    "kty": "EC", "alg": "ES256", "kid": kid, "use": sig,
                    "crv": "P-256", "x": b64(x), "y": b64(y),
                })
            }
            Self::Ed => {
                let x = (utils.ed_pub_components_from_private_key)(
                    key.as_bytes(),
                    &EllipticCurve::Ed25519,
                )
                .expect(failed);
                json!({
                    "kty": "OKP", "alg": "EdDSA", "kid": kid, "use": sig,
                    "crv": "Ed25519", "x": b64(x),
                })
            }
        };
        #[allow(clippy::expect_used)]
        serde_json::from_value(jwk).expect(failed)
    }

    /// Its public half as a verifier's static key.
    ///
    /// # Panics
    /// Never: the embedded keys convert (a unit test checks each).
    #[must_use]
    pub fn verification_key(self) -> VerificationKey {
        #[allow(clippy::expect_used)]
        VerificationKey::from_jwk(&self.jwk()).expect("the embedded test keys verify")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_converts() {
        for key in TestKey::ALL {
            assert_eq!(key.verification_key().algorithms(), &[key.algorithm()]);
            assert_eq!(key.verification_key().kid(), Some(key.kid()));
        }
    }
}
