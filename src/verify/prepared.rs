//! Keys prepared once (the `aws-lc-rs` backend with `jwks`, whose TLS builds AWS-LC already):
//! aws-lc-rs's `ParsedPublicKey` for each algorithm a public key may verify, and its HMAC key
//! for each algorithm a secret may verify, made when the key is configured or fetched, so that
//! a signature check does not prepare the key again. jsonwebtoken does at every check (an RSA
//! key's Montgomery constants, an HMAC secret's two padded blocks: about 6,000 instructions, a
//! fifth of a cold HS256 check); with the RustCrypto backend the checks go through jsonwebtoken
//! as before.

use std::sync::Arc;

#[cfg(test)]
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use aws_lc::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};

/// A key's prepared forms, one per algorithm it may verify.
#[derive(Clone, Default)]
pub(crate) struct Prepared(Arc<[(Algorithm, Form)]>);

/// A key, prepared for one algorithm.
enum Form {
    Public(ParsedPublicKey),
    Hmac(Box<aws_lc::hmac::Key>),
}

/// aws-lc-rs's HMAC of `alg`.
fn hmac(alg: Algorithm) -> Option<aws_lc::hmac::Algorithm> {
    Some(match alg {
        Algorithm::HS256 => aws_lc::hmac::HMAC_SHA256,
        Algorithm::HS384 => aws_lc::hmac::HMAC_SHA384,
        Algorithm::HS512 => aws_lc::hmac::HMAC_SHA512,
        _ => return None,
    })
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let algorithms: Vec<Algorithm> = self.0.iter().map(|(alg, _)| *alg).collect();
        f.debug_tuple("Prepared").field(&algorithms).finish()
    }
}

/// aws-lc-rs's verification of `alg`, as jsonwebtoken's `aws_lc` backend maps it.
fn verification(alg: Algorithm) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
        Algorithm::EdDSA => &sig::ED25519,
        _ => return None, // HMAC, and what jsonwebtoken may add
    })
}

impl Prepared {
    /// Prepares `key` for each of `algorithms` it can verify; the others are left to
    /// jsonwebtoken (which refuses what does not parse, as aws-lc-rs does).
    pub(crate) fn new(key: &DecodingKey, algorithms: &[Algorithm]) -> Self {
        if let (AlgorithmFamily::Hmac, DecodingKeyKind::SecretOrDer(secret)) =
            (key.family(), key.kind())
        {
            let keys = algorithms.iter().filter_map(|&alg| {
                Some((
                    alg,
                    Form::Hmac(Box::new(aws_lc::hmac::Key::new(hmac(alg)?, secret))),
                ))
            });
            return Self(keys.collect());
        }
        let der: std::borrow::Cow<'_, [u8]> = match key.kind() {
            DecodingKeyKind::SecretOrDer(bytes) => bytes.into(),
            DecodingKeyKind::RsaModulusExponent { n, e } => match rsa_der(n, e) {
                Some(der) => der.into(),
                None => return Self::default(),
            },
        };
        let parsed = algorithms.iter().filter_map(|&alg| {
            let parsed = ParsedPublicKey::new(verification(alg)?, &der).ok()?;
            Some((alg, Form::Public(parsed)))
        });
        Self(parsed.collect())
    }

    /// Whether the key, parsed for `alg`, verifies `signature` over `message`; `None` when it
    /// is not parsed for `alg`.
    pub(crate) fn verifies(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Option<bool> {
        let (_, form) = self.0.iter().find(|(a, _)| *a == alg)?;
        Some(match form {
            Form::Public(parsed) => parsed.verify_sig(message, signature).is_ok(),
            // A constant-time comparison, as jsonwebtoken's.
            Form::Hmac(key) => aws_lc::hmac::verify(key, message, signature).is_ok(),
        })
    }
}

/// The PKCS #1 `RSAPublicKey` DER of a JWK's `n` and `e` (big-endian bytes).
fn rsa_der(n: &[u8], e: &[u8]) -> Option<Vec<u8>> {
    use pkcs1::der::Encode as _;
    let key = pkcs1::RsaPublicKey {
        modulus: pkcs1::UintRef::new(n).ok()?,
        public_exponent: pkcs1::UintRef::new(e).ok()?,
    };
    key.to_der().ok()
}

#[cfg(test)]
#[cfg(feature = "test-util")]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::test_util::TestKey;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A key parsed once answers as jsonwebtoken's check of the same key does, for valid
        /// signatures and for any bit flipped in the message or the signature; an RSA JWK's
        /// `n` and `e` become the same key as DER.
        #[test]
        fn parsed_keys_agree_with_jsonwebtoken(
            which in 0..5usize,
            message in proptest::collection::vec(any::<u8>(), 0..300),
            flip in proptest::option::of((any::<bool>(), any::<usize>(), 0..8u8)),
        ) {
            // The four test keys, and an HMAC secret.
            let secret = b"a secret of at least thirty-two bytes";
            let (alg, decoding, encoding) = match TestKey::ALL.get(which) {
                Some(key) => (key.algorithm(), DecodingKey::from_jwk(&key.jwk()).unwrap(), key.encoding_key()),
                None => (
                    Algorithm::HS256,
                    DecodingKey::from_secret(secret),
                    jsonwebtoken::EncodingKey::from_secret(secret),
                ),
            };
            let prepared = Prepared::new(&decoding, &[alg]);
            let signature = crate::verify::backend::sign(&message, &encoding, alg).unwrap();
            let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
            let mut message = message;
            if let Some((in_signature, at, bit)) = flip {
                let bytes = if in_signature || message.is_empty() { &mut signature } else { &mut message };
                let at = at % bytes.len();
                bytes[at] ^= 1 << bit;
            }
            let theirs = crate::verify::backend::verifies(&signature, &message, &decoding, alg);
            prop_assert_eq!(prepared.verifies(alg, &message, &signature), Some(theirs));
            prop_assert_eq!(theirs, flip.is_none());
        }
    }
}
