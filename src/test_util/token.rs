//! [`TokenBuilder`]: mint a signed JWT with the claims a test needs.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header};
use serde_json::{Map, Value};

use crate::test_util::TestKey;

/// A token being minted. Defaults: signed by the identity provider's current key (with its
/// `kid`), `iss` the provider, `sub` `test-user`, `iat` now, `exp` in five minutes.
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenBuilder {
    key: TestKey,
    header: Header,
    claims: Map<String, Value>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

impl TokenBuilder {
    /// A token of `issuer`, signed with `key`.
    pub fn new(issuer: &str, key: TestKey) -> Self {
        let mut header = Header::new(key.algorithm());
        header.kid = Some(key.kid().to_owned());
        let mut claims = Map::new();
        claims.insert("iss".into(), issuer.into());
        claims.insert("sub".into(), "test-user".into());
        claims.insert("iat".into(), now().into());
        claims.insert("exp".into(), (now() + 300).into());
        Self {
            key,
            header,
            claims,
        }
    }

    /// Signs with another key (its algorithm and `kid` too).
    pub fn key(mut self, key: TestKey) -> Self {
        self.key = key;
        self.header.alg = key.algorithm();
        self.header.kid = Some(key.kid().to_owned());
        self
    }

    /// Binds the token to `key` (RFC 9449): `cnf.jkt` its thumbprint.
    pub fn bound_to(self, key: TestKey) -> Self {
        self.claim("cnf", serde_json::json!({ "jkt": key.thumbprint() }))
    }

    /// Binds the token to a client certificate (RFC 8705): `cnf.x5t#S256` its thumbprint
    /// ([`ClientCertificate::thumbprint`](crate::mtls::ClientCertificate::thumbprint)).
    pub fn bound_to_certificate(self, thumbprint: &str) -> Self {
        self.claim("cnf", serde_json::json!({ "x5t#S256": thumbprint }))
    }

    /// Sets `sub`.
    pub fn subject(self, sub: &str) -> Self {
        self.claim("sub", sub)
    }

    /// Sets `aud`.
    pub fn audience(self, aud: &str) -> Self {
        self.claim("aud", aud)
    }

    /// Sets `exp` to now plus `seconds` (negative: in the past).
    pub fn expires_in(self, seconds: i64) -> Self {
        self.claim("exp", now() + seconds)
    }

    /// Sets `nbf` to now plus `seconds`.
    pub fn not_before_in(self, seconds: i64) -> Self {
        self.claim("nbf", now() + seconds)
    }

    /// Sets any claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a claim.
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets the `kid` header (`None`: no `kid`).
    pub fn kid(mut self, kid: Option<&str>) -> Self {
        self.header.kid = kid.map(str::to_owned);
        self
    }

    /// Sets the `typ` header.
    pub fn typ(mut self, typ: &str) -> Self {
        self.header.typ = Some(typ.to_owned());
        self
    }

    /// Signs with `key` but claims `algorithm` in the header (to test confusion attacks, the
    /// key must fit the algorithm: see [`sign_hmac`](Self::sign_hmac)).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.header.alg = algorithm;
        self
    }

    /// The signed token.
    ///
    /// # Panics
    /// When the key cannot sign with the header's algorithm (a test's mistake).
    #[must_use]
    pub fn sign(&self) -> String {
        self.sign_with(&self.header, &self.key.encoding_key())
    }

    /// The token signed with an HMAC `secret` (the header's `alg` becomes HS256 unless set
    /// to another HS algorithm). The test key's own `kid` is left out (it names that key, not
    /// the secret); a `kid` set with [`kid`](Self::kid) to anything else stays.
    ///
    /// # Panics
    /// Never for an HMAC algorithm.
    #[must_use]
    pub fn sign_hmac(&self, secret: &[u8]) -> String {
        let mut header = self.header.clone();
        if header.kid.as_deref() == Some(self.key.kid()) {
            header.kid = None;
        }
        if !matches!(header.alg, Algorithm::HS384 | Algorithm::HS512) {
            header.alg = Algorithm::HS256;
        }
        self.sign_with(&header, &jsonwebtoken::EncodingKey::from_secret(secret))
    }

    /// `header` and the claims signed with `key`, by the crate's signature backend (never
    /// jsonwebtoken's process-wide default, which `--all-features` leaves unset).
    fn sign_with(&self, header: &Header, key: &jsonwebtoken::EncodingKey) -> String {
        compact(header, &self.claims, key, header.alg)
    }
}

/// A compact JWS of `header` and `claims`, signed by `key` with `alg` through the crate's
/// signature backend.
pub(crate) fn compact(
    header: &impl serde::Serialize,
    claims: &impl serde::Serialize,
    key: &jsonwebtoken::EncodingKey,
    alg: jsonwebtoken::Algorithm,
) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let part = |json: Vec<u8>| URL_SAFE_NO_PAD.encode(json);
    #[allow(clippy::expect_used)]
    let input = format!(
        "{}.{}",
        part(serde_json::to_vec(header).expect("a header serializes")),
        part(serde_json::to_vec(claims).expect("claims serialize")),
    );
    #[allow(clippy::expect_used)]
    let signature = crate::verify::backend::sign(input.as_bytes(), key, alg)
        .expect("the test key signs with this algorithm");
    format!("{input}.{signature}")
}
