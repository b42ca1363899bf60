//! [`VerificationKey`]: one public key (or HMAC secret) and the algorithms it may verify.
//!
//! The algorithms come from the key's type, never from the token: an RSA key verifies RS* and
//! PS*, a P-256 key ES256, a P-384 key ES384, an Ed25519 key EdDSA, a secret HS*. A JWK's `alg`
//! narrows that to one. So `alg: none` never verifies, and a token cannot make an RSA public
//! key act as an HMAC secret (algorithm confusion).

use std::fmt;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::ConfigError;

/// A key that verifies JWT signatures, with its optional key id (`kid`).
///
/// ```
/// use axum_userinfo::VerificationKey;
/// use jsonwebtoken::Algorithm;
///
/// let key = VerificationKey::hmac(b"a secret of at least 32 bytes....").with_kid("k1");
/// assert_eq!(key.kid(), Some("k1"));
/// assert!(key.algorithms().contains(&Algorithm::HS256));
/// assert!(!key.algorithms().contains(&Algorithm::RS256));
/// ```
#[derive(Clone)]
pub struct VerificationKey {
    kid: Option<String>,
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

impl VerificationKey {
    /// An HMAC secret: HS256, HS384 and HS512. Use a random secret of 32 bytes or more.
    #[must_use]
    pub fn hmac(secret: impl AsRef<[u8]>) -> Self {
        Self::new(DecodingKey::from_secret(secret.as_ref()))
    }

    /// An RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`): RS256–RS512 and
    /// PS256–PS512.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not an RSA public key in PEM.
    pub fn rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        DecodingKey::from_rsa_pem(pem.as_ref())
            .map(Self::new)
            .map_err(|_| ConfigError::InvalidKey("not an RSA public key in PEM"))
    }

    /// An EC public key in PEM: ES256 for P-256, ES384 for P-384.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not a P-256 or P-384 public key in PEM.
    pub fn ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_ec_pem(pem.as_ref())
            .map_err(|_| ConfigError::InvalidKey("not an EC public key in PEM"))?;
        let key = Self::new(key);
        if key.algorithms.is_empty() {
            return Err(ConfigError::InvalidKey("EC keys must be P-256 or P-384"));
        }
        Ok(key)
    }

    /// An Ed25519 public key in PEM: EdDSA.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not an Ed25519 public key in PEM.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        DecodingKey::from_ed_pem(pem.as_ref())
            .map(Self::new)
            .map_err(|_| ConfigError::InvalidKey("not an Ed25519 public key in PEM"))
    }

    /// A public key as a JWK (RFC 7517), with its `kid` and, when given, its one `alg`.
    ///
    /// Symmetric (`oct`) JWKs are refused: configure a secret with [`hmac`](Self::hmac). So
    /// are keys whose `use` is not `sig`, and an `alg` that does not fit the key.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a key that cannot verify signatures.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        if let AlgorithmParameters::OctetKey(_) = jwk.algorithm {
            return Err(ConfigError::InvalidKey("symmetric JWKs are not accepted"));
        }
        if jwk
            .common
            .public_key_use
            .as_ref()
            .is_some_and(|usage| *usage != PublicKeyUse::Signature)
        {
            return Err(ConfigError::InvalidKey("the JWK is not for signatures"));
        }
        if let AlgorithmParameters::EllipticCurve(params) = &jwk.algorithm {
            if !matches!(params.curve, EllipticCurve::P256 | EllipticCurve::P384) {
                return Err(ConfigError::InvalidKey("EC keys must be P-256 or P-384"));
            }
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|_| ConfigError::InvalidKey("unsupported or malformed JWK"))?;
        let mut key = Self::new(key);
        if key.algorithms.is_empty() {
            return Err(ConfigError::InvalidKey("unsupported or malformed JWK"));
        }
        if let Some(alg) = jwk.common.key_algorithm {
            let alg = alg.to_string().parse::<Algorithm>().map_err(|_| {
                ConfigError::InvalidKey("the JWK's alg is not a signature algorithm")
            })?;
            key = key.with_algorithm(alg)?;
        }
        key.kid.clone_from(&jwk.common.key_id);
        Ok(key)
    }

    /// A public key as JWK JSON text; see [`from_jwk`](Self::from_jwk).
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not a JWK that can verify signatures.
    pub fn from_jwk_json(json: &str) -> Result<Self, ConfigError> {
        let jwk: Jwk =
            serde_json::from_str(json).map_err(|_| ConfigError::InvalidKey("malformed JWK"))?;
        Self::from_jwk(&jwk)
    }

    /// Sets the key id tokens name in their `kid` header.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Restricts the key to one algorithm.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when the algorithm does not fit the key.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Result<Self, ConfigError> {
        if !self.algorithms.contains(&algorithm) {
            return Err(ConfigError::InvalidKey(
                "the algorithm does not fit the key",
            ));
        }
        self.algorithms = vec![algorithm];
        Ok(self)
    }

    /// The key id, when it has one.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithms this key verifies.
    #[must_use]
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.key
    }

    fn new(key: DecodingKey) -> Self {
        use jsonwebtoken::AlgorithmFamily as Family;
        let algorithms = match key.family() {
            // The curve of an EC key shows in the length of its uncompressed point.
            Family::Ec => match key.try_get_as_bytes().map(<[u8]>::len) {
                Ok(65) => vec![Algorithm::ES256],
                Ok(97) => vec![Algorithm::ES384],
                _ => Vec::new(),
            },
            family => family.algorithms().to_vec(),
        };
        Self {
            kid: None,
            key,
            algorithms,
        }
    }
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_come_from_the_key() {
        let rsa = r#"{"kty":"RSA","kid":"r","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB","alg":"RS256","use":"sig"}"#;
        let key = VerificationKey::from_jwk_json(rsa).unwrap();
        assert_eq!(key.kid(), Some("r"));
        assert_eq!(key.algorithms(), &[Algorithm::RS256]);
        assert!(key.clone().with_algorithm(Algorithm::HS256).is_err());

        let oct = r#"{"kty":"oct","k":"c2VjcmV0"}"#;
        assert!(VerificationKey::from_jwk_json(oct).is_err());
        let enc = rsa.replace(r#""use":"sig""#, r#""use":"enc""#);
        assert!(VerificationKey::from_jwk_json(&enc).is_err());
        let rsa_oaep = rsa.replace(r#""alg":"RS256""#, r#""alg":"RSA-OAEP""#);
        assert!(VerificationKey::from_jwk_json(&rsa_oaep).is_err());
        assert!(VerificationKey::rsa_pem("not a pem").is_err());
        assert!(!format!("{:?}", VerificationKey::hmac("s3cr3t")).contains("s3cr3t"));
    }
}
