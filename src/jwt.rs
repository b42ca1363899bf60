//! Unverified JWT decoding, as the reference (PyJWT with `verify_signature: false`) does it.
//!
//! Three segments, each base64url: the URL-safe alphabet only (`+`, `/` and junk refused),
//! trailing `=` padding tolerated when canonical, no stray bits. Header and payload must be
//! UTF-8 JSON objects (a UTF-8 byte-order mark is skipped, as Python's `json.loads` does); the
//! signature must decode but is not checked, and may be empty. The header's `kid` must be a
//! string, `crit` may only name `b64`, and `b64: false` (a detached payload) is refused.
//! JSON nesting is limited to 128 levels.
//!
//! Decoding is not verification: see the crate docs for verifying tokens.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::{JwtError, Segment};

/// base64url as PyJWT decodes segments: padding optional, canonical when present.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whether a Bearer credential is shaped like a JWT: exactly two dots.
pub(crate) fn is_jwt_shaped(credential: &[u8]) -> bool {
    credential.iter().filter(|&&b| b == b'.').count() == 2
}

/// Decodes a compact JWT's claims without verifying its signature.
pub(crate) fn decode_unverified(token: &[u8]) -> Result<Map<String, Value>, JwtError> {
    let mut segments = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::SegmentCount);
    };

    let header = json_object(&base64url(header, Segment::Header)?, Segment::Header)?;
    check_header(&header)?;
    let payload = base64url(payload, Segment::Payload)?;
    base64url(signature, Segment::Signature)?;
    json_object(&payload, Segment::Payload)
}

fn base64url(segment: &[u8], which: Segment) -> Result<Vec<u8>, JwtError> {
    BASE64URL
        .decode(segment)
        .map_err(|_| JwtError::Base64(which))
}

fn json_object(bytes: &[u8], which: Segment) -> Result<Map<String, Value>, JwtError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| JwtError::NotUtf8(which))?;
    serde_json::from_str(text).map_err(|err| {
        if err.is_data() {
            JwtError::NotObject(which)
        } else {
            JwtError::NotJson(which)
        }
    })
}

/// The JOSE header checks PyJWT makes even when it does not verify (RFC 7515 §4.1).
fn check_header(header: &Map<String, Value>) -> Result<(), JwtError> {
    if header.get("kid").is_some_and(|kid| !kid.is_string()) {
        return Err(JwtError::KidNotString);
    }
    if let Some(crit) = header.get("crit") {
        let understood = |ext: &Value| ext.as_str() == Some("b64") && header.contains_key("b64");
        match crit {
            Value::Array(exts) if !exts.is_empty() && exts.iter().all(understood) => {}
            _ => return Err(JwtError::UnsupportedCrit),
        }
    }
    if header.get("b64") == Some(&Value::Bool(false)) {
        return Err(JwtError::UnencodedPayload);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn token(header: &str, payload: &str, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn decodes_claims() {
        let t = token(r#"{"alg":"none"}"#, r#"{"sub":"first","sub":"last"}"#, "");
        let claims = decode_unverified(t.as_bytes()).unwrap();
        assert_eq!(claims.get("sub"), Some(&Value::from("last")));
        // Canonical padding is tolerated, the BOM skipped.
        let t = "eyJhbGciOiJub25lIn0=.77u_eyJzdWIiOiJ4In0=.c2ln";
        assert!(decode_unverified(t.as_bytes()).is_ok());
    }

    #[test]
    fn refuses() {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let p = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        let deep = format!(r#"{{"sub":"x","n":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        let cases = [
            ("a.b".to_owned(), JwtError::SegmentCount),
            ("a.b.c.d".to_owned(), JwtError::SegmentCount),
            (format!("{h}.{p}.!!!"), JwtError::Base64(Segment::Signature)),
            (format!("{h}.{p}.c2ln="), JwtError::Base64(Segment::Signature)),
            (format!("{h}.{p}.c2lu==="), JwtError::Base64(Segment::Signature)),
            (format!("{h}.eyJzdWIiOiJzdGQ+Pj4/PyJ9.c2ln"), JwtError::Base64(Segment::Payload)),
            (format!("{h}.eyJzdWIiOiL__iJ9.c2ln"), JwtError::NotUtf8(Segment::Payload)),
            (format!(".{p}."), JwtError::NotJson(Segment::Header)),
            (format!("{h}.W3sic3ViIjoieCJ9XQ.c2ln"), JwtError::NotObject(Segment::Payload)),
            (format!("{h}.InN1YiI.c2ln"), JwtError::NotObject(Segment::Payload)),
            (token(r#"{"kid":1}"#, "{}", ""), JwtError::KidNotString),
            (token(r#"{"crit":[]}"#, "{}", ""), JwtError::UnsupportedCrit),
            (token(r#"{"crit":["exp"],"exp":1}"#, "{}", ""), JwtError::UnsupportedCrit),
            (token(r#"{"crit":["b64"]}"#, "{}", ""), JwtError::UnsupportedCrit),
            (token(r#"{"crit":["b64"],"b64":false}"#, "{}", ""), JwtError::UnencodedPayload),
            (token(r#"{"alg":"none"}"#, &deep, ""), JwtError::NotJson(Segment::Payload)),
            (token(r#"{"a":NaN}"#, "{}", ""), JwtError::NotJson(Segment::Header)),
        ];
        for (input, want) in cases {
            assert_eq!(decode_unverified(input.as_bytes()), Err(want), "{input}");
        }
        let ok = token(r#"{"crit":["b64"],"b64":true}"#, r#"{"sub":"x"}"#, "");
        assert!(decode_unverified(ok.as_bytes()).is_ok());
    }
}
