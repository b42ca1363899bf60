//! The JOSE header of a token to verify (RFC 7515, RFC 8725).
//!
//! Refused before any key is looked at: an `alg` that is missing, `none` or unknown; any
//! `crit` entry (no extension is implemented); an `enc` member (a JWE); `cty: JWT` (a nested
//! token). `typ` is kept for the issuer's check.

use jsonwebtoken::Algorithm;

use crate::error::{ResolveError, VerifyError};
use crate::parse::json_scan::{Json, Scanned};
use crate::parse::jwt::JoseHeader;

/// What verification needs of a token's header, owning its strings (a token that waits for
/// keys keeps it).
#[derive(Debug)]
pub(crate) struct TokenHeader {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<Scanned<'static>>,
    pub(crate) typ: Option<Scanned<'static>>,
}

impl TokenHeader {
    pub(crate) fn kid(&self) -> Option<&str> {
        self.kid.as_ref().and_then(Json::as_str)
    }

    /// Whether `typ` is `expected`, compared as RFC 7515 §4.1.9 says: case-insensitively, with
    /// or without the `application/` prefix.
    pub(crate) fn has_type(&self, expected: &str) -> bool {
        let strip = |t: &str| -> String {
            let t = t.to_ascii_lowercase();
            t.strip_prefix("application/")
                .map(str::to_owned)
                .unwrap_or(t)
        };
        self.typ
            .as_ref()
            .and_then(Json::as_str)
            .is_some_and(|typ| strip(typ) == strip(expected))
    }
}

/// Checks a header the parser scanned (its `kid` type and `b64` checked there): what a
/// verifier keeps of it.
pub(crate) fn token_header(header: JoseHeader<'_>) -> Result<TokenHeader, ResolveError> {
    let refuse = |error| Err(ResolveError::Verification(error));
    if header.enc {
        return refuse(VerifyError::Encrypted);
    }
    if header.crit {
        return refuse(VerifyError::UnsupportedCrit);
    }
    let nested =
        |cty: &str| cty.eq_ignore_ascii_case("jwt") || cty.eq_ignore_ascii_case("application/jwt");
    if header
        .cty
        .as_ref()
        .and_then(Json::as_str)
        .is_some_and(nested)
    {
        return refuse(VerifyError::Nested);
    }
    // `none` and unknown names do not parse.
    let Some(alg) = (header.alg.as_ref())
        .and_then(Json::as_str)
        .and_then(|a| a.parse().ok())
    else {
        return refuse(VerifyError::AlgorithmNotAllowed);
    };
    Ok(TokenHeader {
        alg,
        kid: header.kid.map(Scanned::into_owned),
        typ: header.typ.map(Scanned::into_owned),
    })
}

/// Whether a Bearer credential is shaped like a compact JWE: exactly four dots, and a first
/// segment that decodes to a JSON object. Such a token is refused rather than taken for an
/// API key when verification is on.
pub(crate) fn is_jwe_shaped(credential: &[u8]) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    if !crate::parse::jwt::has_dots(credential, 4) {
        return false;
    }
    let first = credential.split(|&b| b == b'.').next().unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(first)
        .is_ok_and(|json| json.first() == Some(&b'{'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_header(header: &str) -> Result<TokenHeader, ResolveError> {
        let scanned = crate::parse::jwt::scan_header(header).map_err(ResolveError::MalformedJwt)?;
        super::token_header(scanned)
    }

    fn error(header: &str) -> Option<VerifyError> {
        match token_header(header) {
            Err(ResolveError::Verification(error)) => Some(error),
            _ => None,
        }
    }

    #[test]
    fn refuses_what_rfc_8725_refuses() {
        assert_eq!(
            error(r#"{"alg":"none"}"#),
            Some(VerifyError::AlgorithmNotAllowed)
        );
        assert_eq!(
            error(r#"{"alg":"HS257"}"#),
            Some(VerifyError::AlgorithmNotAllowed)
        );
        assert_eq!(
            error(r#"{"typ":"JWT"}"#),
            Some(VerifyError::AlgorithmNotAllowed)
        );
        assert_eq!(
            error(r#"{"alg":5}"#),
            Some(VerifyError::AlgorithmNotAllowed)
        );
        let crit = r#"{"alg":"RS256","crit":["b64"],"b64":true}"#; // PyJWT lets it by
        assert_eq!(error(crit), Some(VerifyError::UnsupportedCrit));
        let jwe = r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#;
        assert_eq!(error(jwe), Some(VerifyError::Encrypted));
        assert_eq!(
            error(r#"{"alg":"RS256","cty":"JWT"}"#),
            Some(VerifyError::Nested)
        );
        let header = token_header(r#"{"alg":"ES256","kid":"k","typ":"application/AT+JWT"}"#);
        let header = header.unwrap();
        assert_eq!((header.alg, header.kid()), (Algorithm::ES256, Some("k")));
        assert!(header.has_type("at+jwt"));
        assert!(!header.has_type("jwt"));
        assert!(is_jwe_shaped(b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"));
        assert!(!is_jwe_shaped(b"key.with.four.dots.inside"));
    }
}
