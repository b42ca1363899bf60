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

/// The deepest JSON nesting accepted: 128 levels (`{}` is one level).
pub(crate) const MAX_DEPTH: usize = 128;

fn base64url(segment: &[u8], which: Segment) -> Result<Vec<u8>, JwtError> {
    // Padding, when present, is at most two `=` and completes a 4-character group.
    let padding = segment.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 || (padding > 0 && segment.len() % 4 != 0) {
        return Err(JwtError::Base64(which));
    }
    BASE64URL
        .decode(segment)
        .map_err(|_| JwtError::Base64(which))
}

fn json_object(bytes: &[u8], which: Segment) -> Result<Map<String, Value>, JwtError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| JwtError::NotUtf8(which))?;
    let classify = |err: serde_json::Error| {
        if err.is_data() {
            JwtError::NotObject(which)
        } else {
            JwtError::NotJson(which)
        }
    };
    match serde_json::from_str(text) {
        Ok(object) => Ok(object),
        // serde_json stops one level short of 128; only then is the exact depth worth a scan.
        Err(err) if err.is_syntax() && depth(text.as_bytes()) == MAX_DEPTH => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            deserializer.disable_recursion_limit();
            let object = serde::Deserialize::deserialize(&mut deserializer).map_err(classify)?;
            deserializer.end().map_err(classify)?;
            Ok(object)
        }
        Err(err) => Err(classify(err)),
    }
}

/// The deepest nesting of arrays and objects in JSON text (strings skipped).
fn depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
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
        let deep = format!(
            r#"{{"sub":"x","n":{}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let cases = [
            ("a.b".to_owned(), JwtError::SegmentCount),
            ("a.b.c.d".to_owned(), JwtError::SegmentCount),
            (format!("{h}.{p}.!!!"), JwtError::Base64(Segment::Signature)),
            (
                format!("{h}.{p}.c2ln="),
                JwtError::Base64(Segment::Signature),
            ),
            (
                format!("{h}.{p}.c2lu==="),
                JwtError::Base64(Segment::Signature),
            ),
            (
                format!("{h}.eyJzdWIiOiJzdGQ+Pj4/PyJ9.c2ln"),
                JwtError::Base64(Segment::Payload),
            ),
            (
                format!("{h}.eyJzdWIiOiL__iJ9.c2ln"),
                JwtError::NotUtf8(Segment::Payload),
            ),
            (format!(".{p}."), JwtError::NotJson(Segment::Header)),
            (
                format!("{h}.W3sic3ViIjoieCJ9XQ.c2ln"),
                JwtError::NotObject(Segment::Payload),
            ),
            (
                format!("{h}.InN1YiI.c2ln"),
                JwtError::NotObject(Segment::Payload),
            ),
            (token(r#"{"kid":1}"#, "{}", ""), JwtError::KidNotString),
            (token(r#"{"crit":[]}"#, "{}", ""), JwtError::UnsupportedCrit),
            (
                token(r#"{"crit":["exp"],"exp":1}"#, "{}", ""),
                JwtError::UnsupportedCrit,
            ),
            (
                token(r#"{"crit":["b64"]}"#, "{}", ""),
                JwtError::UnsupportedCrit,
            ),
            (
                token(r#"{"crit":["b64"],"b64":false}"#, "{}", ""),
                JwtError::UnencodedPayload,
            ),
            (
                token(r#"{"alg":"none"}"#, &deep, ""),
                JwtError::NotJson(Segment::Payload),
            ),
            (
                token(r#"{"a":NaN}"#, "{}", ""),
                JwtError::NotJson(Segment::Header),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(decode_unverified(input.as_bytes()), Err(want), "{input}");
        }
        let ok = token(r#"{"crit":["b64"],"b64":true}"#, r#"{"sub":"x"}"#, "");
        assert!(decode_unverified(ok.as_bytes()).is_ok());
    }

    #[test]
    fn padding_must_complete_a_group() {
        // `{"alg":"none"}` is 14 bytes, 19 characters: one `=` is canonical, two are not.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        // `{"sub":"x"}` is 11 bytes, 15 characters: likewise.
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        assert!(decode_unverified(format!("{header}=.{payload}=.").as_bytes()).is_ok());
        for bad in [
            format!("{header}==.{payload}."),
            format!("{header}.{payload}==."),
        ] {
            assert!(decode_unverified(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn nesting_is_limited_to_exactly_128_levels() {
        let nested = |levels: usize| {
            let inner = levels - 1; // the claims object is the first level
            let claims = format!(
                r#"{{"sub":"x","n":{}{}}}"#,
                "[".repeat(inner),
                "]".repeat(inner)
            );
            token(r#"{"alg":"none"}"#, &claims, "")
        };
        assert!(decode_unverified(nested(127).as_bytes()).is_ok());
        assert!(decode_unverified(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            decode_unverified(nested(MAX_DEPTH + 1).as_bytes()),
            Err(JwtError::NotJson(Segment::Payload))
        );
        // Brackets inside strings do not count; a syntax error at depth 128 is still an error.
        assert_eq!(depth(br#"{"a":"[[[\"[{"}"#), 1);
        let broken = format!(
            r#"{{"sub":"x","n":{}1,{}}}"#,
            "[".repeat(127),
            "]".repeat(127)
        );
        let broken = token(r#"{"alg":"none"}"#, &broken, "");
        assert_eq!(
            decode_unverified(broken.as_bytes()),
            Err(JwtError::NotJson(Segment::Payload))
        );
    }
}
