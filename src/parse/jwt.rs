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

use crate::error::{JwtError, Segment};
use crate::parse::json_scan::{Json, ScanError, Scanned, scan_object};

/// base64url as PyJWT decodes segments: padding optional, canonical when present.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whether a Bearer credential is shaped like a JWT: exactly two dots.
pub(crate) fn is_jwt_shaped(credential: &[u8]) -> bool {
    has_dots(credential, 2)
}

/// Whether `credential` has exactly `n` dots. One vectorised count over the (bounded)
/// credential costs less than finding `n + 1` dots one by one (each search has its set-up).
pub(crate) fn has_dots(credential: &[u8], n: usize) -> bool {
    memchr::memchr_iter(b'.', credential).count() == n
}

/// Decodes a compact JWT without verifying it: its header checked, its signature decodable;
/// returns the payload text, UTF-8 (without a byte-order mark) but not yet parsed.
pub(crate) fn decode_unverified(token: &[u8]) -> Result<String, JwtError> {
    decode(token, |_| Ok::<_, JwtError>(())).map(|decoded| decoded.payload)
}

/// A JOSE header scanned once: the members PyJWT checks even when it does not verify (`kid`,
/// `crit`, `b64`, checked before a [`Decoded`] exists) and those a verifier reads.
#[derive(Debug)]
#[cfg_attr(not(feature = "verify"), allow(dead_code))]
pub(crate) struct JoseHeader<'h> {
    pub(crate) alg: Option<Scanned<'h>>,
    pub(crate) kid: Option<Scanned<'h>>,
    pub(crate) typ: Option<Scanned<'h>>,
    pub(crate) cty: Option<Scanned<'h>>,
    /// Whether `crit` is present (PyJWT's rule passed: it only names `b64`).
    pub(crate) crit: bool,
    /// Whether `enc` is present: a JWE header.
    pub(crate) enc: bool,
}

/// A compact JWT taken apart, each segment decoded once: what a verifier needs besides the
/// payload, and `H`, what the caller made of the header.
#[cfg_attr(not(feature = "verify"), allow(dead_code))]
pub(crate) struct Decoded<'a, H> {
    /// What the caller's look at the header made of it.
    pub(crate) header: H,
    /// The claims as JSON text.
    pub(crate) payload: String,
    /// `header "." payload`, as sent: what the signature signs.
    pub(crate) signing_input: &'a [u8],
    /// The signature, decoded.
    pub(crate) signature: Vec<u8>,
    /// Whether the signature segment ended in `=` padding, which the verifying path refuses
    /// (RFC 7515's base64url has none; PyJWT's unverified path tolerates it).
    pub(crate) signature_padded: bool,
    /// Whether the payload began with a byte-order mark (skipped in `payload`), which the
    /// reference's verifying path refuses.
    pub(crate) payload_bom: bool,
}

#[cfg(test)]
thread_local! {
    /// How many tokens this thread decoded: the tests' proof that a key miss parses once.
    pub(crate) static DECODED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Decodes a compact JWT's segments, each once and by one base64url rule, as
/// [`decode_unverified`] does; `header` is given the scanned header last (so that its
/// refusals come after every decoding error, in the reference's order) and returns what the
/// caller keeps of it.
pub(crate) fn decode<H, E: From<JwtError>>(
    token: &[u8],
    header: impl FnOnce(JoseHeader<'_>) -> Result<H, E>,
) -> Result<Decoded<'_, H>, E> {
    #[cfg(test)]
    DECODED.with(|decoded| decoded.set(decoded.get() + 1));
    let mut dots = memchr::memchr_iter(b'.', token);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(JwtError::SegmentCount.into());
    };
    let segment = |range: std::ops::Range<usize>| token.get(range).unwrap_or_default();
    let header_segment = segment(0..first);
    let payload = segment(first + 1..second);
    let signature = segment(second + 1..token.len());

    let header_text = text(base64url(header_segment, Segment::Header)?, Segment::Header)?;
    let jose = scan_header(&header_text)?;
    let payload = base64url(payload, Segment::Payload)?;
    let payload_bom = payload.starts_with("\u{feff}".as_bytes());
    let payload = text(payload, Segment::Payload)?;
    let signature_padded = signature.last() == Some(&b'=');
    let signature = base64url(signature, Segment::Signature)?;
    Ok(Decoded {
        header: header(jose)?,
        payload,
        signing_input: segment(0..second),
        signature,
        signature_padded,
        payload_bom,
    })
}

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

/// UTF-8 text, without the byte-order mark Python's `json.loads` skips.
fn text(bytes: Vec<u8>, which: Segment) -> Result<String, JwtError> {
    let mut text = String::from_utf8(bytes).map_err(|_| JwtError::NotUtf8(which))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Maps a JSON error of a header or payload.
pub(crate) fn json_error(err: ScanError, which: Segment) -> JwtError {
    match err {
        ScanError::NotObject => JwtError::NotObject(which),
        ScanError::Syntax => JwtError::NotJson(which),
    }
}

/// Scans a header once, with the checks PyJWT makes even when it does not verify
/// (RFC 7515 §4.1): `kid` a string, `crit` naming only `b64` (present), `b64` not `false`.
pub(crate) fn scan_header(header: &str) -> Result<JoseHeader<'_>, JwtError> {
    let names = ["alg", "kid", "typ", "cty", "crit", "enc", "b64"];
    let [alg, kid, typ, cty, crit, enc, b64] =
        scan_object(header, &names).map_err(|err| json_error(err, Segment::Header))?;
    if kid.as_ref().is_some_and(|kid| kid.as_str().is_none()) {
        return Err(JwtError::KidNotString);
    }
    if let Some(crit) = &crit {
        let understood = |ext: &&Scanned<'_>| ext.as_str() == Some("b64") && b64.is_some();
        match crit.as_list() {
            Some(exts) if !exts.is_empty() && exts.iter().all(understood) => {}
            _ => return Err(JwtError::UnsupportedCrit),
        }
    }
    if b64 == Some(Scanned::Bool(false)) {
        return Err(JwtError::UnencodedPayload);
    }
    Ok(JoseHeader {
        alg,
        kid,
        typ,
        cty,
        crit: crit.is_some(),
        enc: enc.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::parse::json_scan::MAX_DEPTH;

    fn token(header: &str, payload: &str, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    /// Decodes and parses the payload, as the resolver does.
    fn decode(token: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, JwtError> {
        let payload = decode_unverified(token)?;
        crate::parse::json_scan::parse_object(&payload)
            .map_err(|err| json_error(err, Segment::Payload))
    }

    #[test]
    fn decodes_claims() {
        let t = token(r#"{"alg":"none"}"#, r#"{"sub":"first","sub":"last"}"#, "");
        let claims = decode(t.as_bytes()).unwrap();
        assert_eq!(claims.get("sub"), Some(&serde_json::Value::from("last")));
        // Canonical padding is tolerated, the BOM skipped.
        let t = "eyJhbGciOiJub25lIn0=.77u_eyJzdWIiOiJ4In0=.c2ln";
        assert_eq!(decode_unverified(t.as_bytes()).unwrap(), r#"{"sub":"x"}"#);
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
            assert_eq!(decode(input.as_bytes()), Err(want), "{input}");
        }
        let ok = token(r#"{"crit":["b64"],"b64":true}"#, r#"{"sub":"x"}"#, "");
        assert!(decode(ok.as_bytes()).is_ok());
    }

    #[test]
    fn padding_must_complete_a_group() {
        // `{"alg":"none"}` is 14 bytes, 19 characters: one `=` is canonical, two are not.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        // `{"sub":"x"}` is 11 bytes, 15 characters: likewise.
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        assert!(decode(format!("{header}=.{payload}=.").as_bytes()).is_ok());
        for bad in [
            format!("{header}==.{payload}."),
            format!("{header}.{payload}==."),
        ] {
            assert!(decode(bad.as_bytes()).is_err(), "{bad}");
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
        assert!(decode(nested(127).as_bytes()).is_ok());
        assert!(decode(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            decode(nested(MAX_DEPTH + 1).as_bytes()),
            Err(JwtError::NotJson(Segment::Payload))
        );
        // Brackets inside strings do not count; a syntax error at depth 128 is still an error.
        let broken = format!(
            r#"{{"sub":"x","n":{}1,{}}}"#,
            "[".repeat(127),
            "]".repeat(127)
        );
        let broken = token(r#"{"alg":"none"}"#, &broken, "");
        assert_eq!(
            decode(broken.as_bytes()),
            Err(JwtError::NotJson(Segment::Payload))
        );
    }
}
