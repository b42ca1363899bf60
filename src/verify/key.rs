//! [`VerificationKey`]: one public key (or HMAC secret) and the algorithms it may verify.
//!
//! The algorithms come from the key's type, never from the token: an RSA key verifies RS* and
//! PS*, a P-256 key ES256, a P-384 key ES384, an Ed25519 key EdDSA, a secret HS*. A JWK's `alg`
//! narrows that to one. So `alg: none` never verifies, and a token cannot make an RSA public
//! key act as an HMAC secret (algorithm confusion).
//!
//! Weak keys are refused (RFC 7518 §3.2, §3.3): an RSA modulus under 2048 bits, and an HMAC
//! secret shorter than the hash's output (32 bytes for HS256, 48 for HS384, 64 for HS512; a
//! secret verifies only the algorithms it is long enough for).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use pkcs1::der::Decode as _;

use crate::error::ConfigError;

/// The smallest RSA modulus accepted, in bits (RFC 7518 §3.3).
pub const MIN_RSA_BITS: usize = 2048;

/// The shortest HMAC secret accepted, in bytes: HS256's output (RFC 7518 §3.2).
pub const MIN_HMAC_SECRET_LEN: usize = 32;

/// A key that verifies JWT signatures, with its optional key id (`kid`).
///
/// ```
/// use axum_userinfo::verify::VerificationKey;
/// use jsonwebtoken::Algorithm;
///
/// let key = VerificationKey::from_secret(b"a secret of at least 32 bytes....")?.with_kid("k1");
/// assert_eq!(key.kid(), Some("k1"));
/// assert_eq!(key.algorithms(), [Algorithm::HS256]); // 33 bytes: too short for HS384
/// assert!(VerificationKey::from_secret(b"short").is_err());
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct VerificationKey {
    kid: Option<String>,
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
    /// A hash of the key material: what a cached token remembers of the key that verified it.
    material: u64,
    /// The key parsed once for each algorithm it may verify.
    #[cfg(all(feature = "aws-lc-rs", feature = "jwks"))]
    prepared: crate::verify::prepared::Prepared,
}

impl VerificationKey {
    /// An HMAC secret: HS256 from 32 bytes, HS384 from 48, HS512 from 64 (a secret at least
    /// as long as the hash's output, RFC 7518 §3.2). Use a random secret.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] for a secret shorter than
    /// [`MIN_HMAC_SECRET_LEN`](crate::verify::MIN_HMAC_SECRET_LEN), 32 bytes.
    pub fn from_secret(secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let secret = secret.as_ref();
        if secret.len() < MIN_HMAC_SECRET_LEN {
            return Err(ConfigError::InvalidKey(
                "HMAC secrets must be at least 32 bytes (RFC 7518 3.2)",
            ));
        }
        let mut key = Self::new(DecodingKey::from_secret(secret));
        key.algorithms.retain(|alg| match alg {
            Algorithm::HS384 => secret.len() >= 48,
            Algorithm::HS512 => secret.len() >= 64,
            _ => true,
        });
        Ok(key)
    }

    /// An RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`): RS256–RS512 and
    /// PS256–PS512.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not an RSA public key in PEM, or its modulus is
    /// under [`MIN_RSA_BITS`](crate::verify::MIN_RSA_BITS), 2048 bits.
    pub fn from_rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let invalid = ConfigError::InvalidKey("not an RSA public key in PEM");
        let key = DecodingKey::from_rsa_pem(pem.as_ref()).map_err(|_| invalid.clone())?;
        // jsonwebtoken keeps the PKCS #1 `RSAPublicKey` DER of the PEM.
        let der = key.try_get_as_bytes().map_err(|_| invalid.clone())?;
        let public = pkcs1::RsaPublicKey::from_der(der).map_err(|_| invalid)?;
        check_rsa_modulus(public.modulus.as_bytes())?;
        Ok(Self::new(key))
    }

    /// An EC public key in PEM: ES256 for P-256, ES384 for P-384.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when it is not a P-256 or P-384 public key in PEM.
    pub fn from_ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
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
    pub fn from_ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        DecodingKey::from_ed_pem(pem.as_ref())
            .map(Self::new)
            .map_err(|_| ConfigError::InvalidKey("not an Ed25519 public key in PEM"))
    }

    /// A public key as a JWK (RFC 7517), with its `kid` and, when given, its one `alg`.
    ///
    /// Symmetric (`oct`) JWKs are refused: configure a secret with [`from_secret`](Self::from_secret). So
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
        match &jwk.algorithm {
            AlgorithmParameters::EllipticCurve(params)
                if !matches!(params.curve, EllipticCurve::P256 | EllipticCurve::P384) =>
            {
                return Err(ConfigError::InvalidKey("EC keys must be P-256 or P-384"));
            }
            AlgorithmParameters::RSA(params) => {
                let modulus = URL_SAFE_NO_PAD
                    .decode(params.n.trim_end_matches('='))
                    .map_err(|_| ConfigError::InvalidKey("unsupported or malformed JWK"))?;
                check_rsa_modulus(&modulus)?;
            }
            _ => {}
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
        let material = material_hash(&key);
        Self {
            kid: None,
            #[cfg(all(feature = "aws-lc-rs", feature = "jwks"))]
            prepared: crate::verify::prepared::Prepared::new(&key, &algorithms),
            key,
            algorithms,
            material,
        }
    }

    /// Whether this key verifies `signature` (decoded) over `message` with `alg`.
    #[allow(
        clippy::ptr_arg,
        reason = "jsonwebtoken's verifiers take the signature as a Vec"
    )]
    pub(crate) fn verifies(&self, signature: &Vec<u8>, message: &[u8], alg: Algorithm) -> bool {
        #[cfg(all(feature = "aws-lc-rs", feature = "jwks"))]
        if let Some(verified) = self.prepared.verifies(alg, message, signature) {
            return verified;
        }
        crate::verify::backend::verifies(signature, message, &self.key, alg)
    }

    /// A hash of the key material (SipHash of the secret, DER or RSA components): equal for
    /// the same key however often it is fetched again. It is compared only among the keys of
    /// one issuer, whose key set is trusted.
    pub(crate) fn material(&self) -> u64 {
        self.material
    }
}

fn material_hash(key: &DecodingKey) -> u64 {
    use jsonwebtoken::DecodingKeyKind;
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    match key.kind() {
        DecodingKeyKind::SecretOrDer(bytes) => (0u8, bytes).hash(&mut hasher),
        DecodingKeyKind::RsaModulusExponent { n, e } => (1u8, n, e).hash(&mut hasher),
    }
    hasher.finish()
}

/// Refuses an RSA modulus (big-endian bytes) under [`MIN_RSA_BITS`].
fn check_rsa_modulus(modulus: &[u8]) -> Result<(), ConfigError> {
    let significant = match modulus.iter().position(|&byte| byte != 0) {
        Some(first) => modulus.get(first..).unwrap_or_default(),
        None => &[],
    };
    let bits = match significant.first() {
        Some(&top) => (significant.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    };
    if bits < MIN_RSA_BITS {
        return Err(ConfigError::InvalidKey(
            "RSA keys must have a modulus of at least 2048 bits (RFC 7518 3.3)",
        ));
    }
    Ok(())
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
        assert!(VerificationKey::from_rsa_pem("not a pem").is_err());
        let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        assert!(!format!("{:?}", VerificationKey::from_secret(secret).unwrap()).contains(secret));
    }

    #[test]
    fn hmac_secrets_are_at_least_as_long_as_the_hash() {
        assert!(VerificationKey::from_secret([7; 1]).is_err());
        assert!(VerificationKey::from_secret([7; 31]).is_err());
        let hs = |len: usize| {
            VerificationKey::from_secret(vec![7; len])
                .unwrap()
                .algorithms()
                .to_vec()
        };
        assert_eq!(hs(32), [Algorithm::HS256]);
        assert_eq!(hs(48), [Algorithm::HS256, Algorithm::HS384]);
        assert_eq!(
            hs(64),
            [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]
        );
    }

    #[test]
    fn rsa_moduli_are_counted_in_bits() {
        assert!(check_rsa_modulus(&[0xff; 256]).is_ok()); // 2048 bits
        let mut short = [0xff; 256];
        short[0] = 0x7f; // 2047 bits
        assert!(check_rsa_modulus(&short).is_err());
        let mut padded = vec![0u8];
        padded.extend([0x80; 256]); // a leading zero byte, then 2048 bits
        assert!(check_rsa_modulus(&padded).is_ok());
        assert!(check_rsa_modulus(&[0xff; 128]).is_err()); // 1024 bits
        assert!(check_rsa_modulus(&[]).is_err());
    }
}
