//! [`CertificateFormat`]: how a TLS-terminating proxy writes the client certificate in a
//! header, and that header read into the certificate's thumbprint.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use crate::error::CertificateError;
use crate::mtls::certificate::{thumbprint_of_der, thumbprint_of_digest};

/// How a proxy forwards the client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CertificateFormat {
    /// The PEM certificate, URL-encoded: nginx's `$ssl_client_escaped_cert`
    /// (`proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`). The default.
    #[default]
    PemUrlEncoded,
    /// The base64 of the DER (URL-encoded or not; PEM's body without its delimiters): Traefik's
    /// `X-Forwarded-Tls-Client-Cert` (`passTLSClientCert`, `pem: true`). In a comma-separated
    /// chain, the first certificate is the client's.
    DerBase64,
    /// Envoy's `X-Forwarded-Client-Cert`: one element (`forward_client_cert_details:
    /// SANITIZE_SET`), whose `Hash=` (hex SHA-256 of the DER) or `Cert=` (URL-encoded PEM)
    /// gives the thumbprint; both, when present, must agree.
    Xfcc,
}

impl CertificateFormat {
    /// Its name: `pem-urlencoded`, `der-base64` or `xfcc`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PemUrlEncoded => "pem-urlencoded",
            Self::DerBase64 => "der-base64",
            Self::Xfcc => "xfcc",
        }
    }

    /// The `x5t#S256` thumbprint of the certificate a header's `value` carries.
    pub(crate) fn thumbprint(self, value: &[u8]) -> Result<String, CertificateError> {
        match self {
            Self::PemUrlEncoded => Ok(thumbprint_of_der(&der_of_pem(&url_decoded(value)?)?)),
            Self::DerBase64 => {
                let decoded = url_decoded(value)?;
                let first = decoded.split(|&b| b == b',').next().unwrap_or_default();
                Ok(thumbprint_of_der(&base64_der(first)?))
            }
            Self::Xfcc => xfcc_thumbprint(value),
        }
    }
}

impl fmt::Display for CertificateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is none of [`CertificateFormat`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown client certificate format (expected pem-urlencoded, der-base64 or xfcc)")]
pub struct UnknownCertificateFormat;

impl FromStr for CertificateFormat {
    type Err = UnknownCertificateFormat;

    /// ```
    /// use axum_userinfo::mtls::CertificateFormat;
    /// assert_eq!("xfcc".parse(), Ok(CertificateFormat::Xfcc));
    /// assert!("pem".parse::<CertificateFormat>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::PemUrlEncoded, Self::DerBase64, Self::Xfcc]
            .into_iter()
            .find(|format| format.as_str() == s)
            .ok_or(UnknownCertificateFormat)
    }
}

/// `value` with its `%XX` escapes decoded (`+` stays `+`: base64 needs it).
fn url_decoded(value: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let decoded: Vec<u8> = percent_encoding::percent_decode(value).collect();
    if decoded.is_empty() {
        return Err(CertificateError::Malformed(
            "the certificate header is empty",
        ));
    }
    Ok(decoded)
}

/// The DER of a PEM certificate: one `CERTIFICATE` block, nothing but whitespace around it.
fn der_of_pem(pem: &[u8]) -> Result<Vec<u8>, CertificateError> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let malformed = CertificateError::Malformed("not one PEM certificate");
    let pem = pem.trim_ascii();
    let body = (pem.strip_prefix(BEGIN))
        .and_then(|rest| rest.strip_suffix(END))
        .ok_or(malformed.clone())?;
    if memchr::memmem::find(body, b"-----").is_some() {
        return Err(malformed);
    }
    base64_der(body)
}

/// DER from base64 (the standard alphabet, padded or not, whitespace ignored).
fn base64_der(text: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = if compact.ends_with(b"=") {
        STANDARD.decode(&compact)
    } else {
        STANDARD_NO_PAD.decode(&compact)
    }
    .map_err(|_| CertificateError::Malformed("the certificate is not base64"))?;
    // A certificate is a DER SEQUENCE.
    if der.first() != Some(&0x30) {
        return Err(CertificateError::Malformed("the certificate is not DER"));
    }
    Ok(der)
}

/// The thumbprint an `X-Forwarded-Client-Cert` header gives: one element, its `Hash` and `Cert`
/// (agreeing, when both are there).
fn xfcc_thumbprint(value: &[u8]) -> Result<String, CertificateError> {
    let value = std::str::from_utf8(value)
        .map_err(|_| CertificateError::Malformed("the XFCC header is not UTF-8"))?;
    let elements = split_unquoted(value, ',');
    let [element] = elements.as_slice() else {
        return Err(CertificateError::Malformed(
            "the XFCC header has more than one element (use SANITIZE_SET)",
        ));
    };
    let (mut hash, mut cert) = (None, None);
    for pair in split_unquoted(element, ';') {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(CertificateError::Malformed("an XFCC pair without '='"));
        };
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "hash" => &mut hash,
            "cert" => &mut cert,
            _ => continue,
        };
        if slot.replace(unquoted(raw.trim())?).is_some() {
            return Err(CertificateError::Malformed("a repeated XFCC key"));
        }
    }
    let from_hash = hash.map(|hex| hex_digest(&hex)).transpose()?;
    let from_cert = (cert.as_deref())
        .map(|cert| {
            Ok::<_, CertificateError>(thumbprint_of_der(&der_of_pem(&url_decoded(
                cert.as_bytes(),
            )?)?))
        })
        .transpose()?;
    match (from_hash, from_cert) {
        (Some(hash), Some(cert)) if hash != cert => Err(CertificateError::Malformed(
            "the XFCC Hash is not the SHA-256 of its Cert",
        )),
        (Some(thumbprint), _) | (None, Some(thumbprint)) => Ok(thumbprint),
        (None, None) => Err(CertificateError::Malformed(
            "the XFCC element has no Hash or Cert",
        )),
    }
}

/// `text` split at `separator` where it is outside double quotes (`\"` escapes a quote).
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(text.get(start..at).unwrap_or_default());
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

/// An XFCC value, its quotes and escapes removed.
fn unquoted(raw: &str) -> Result<String, CertificateError> {
    let Some(inner) = raw.strip_prefix('"') else {
        return Ok(raw.to_owned());
    };
    let inner = (inner.strip_suffix('"'))
        .ok_or(CertificateError::Malformed("an unterminated XFCC quote"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    Ok(out)
}

/// The thumbprint of a hex SHA-256 (Envoy's `Hash=`).
fn hex_digest(hex: &str) -> Result<String, CertificateError> {
    let malformed = CertificateError::Malformed("the XFCC Hash is not a hex SHA-256");
    let bytes = hex.as_bytes();
    if bytes.len() != 64 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return Err(malformed);
    }
    let mut digest = [0_u8; 32];
    for (byte, pair) in digest.iter_mut().zip(bytes.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).map_err(|_| malformed.clone())?;
        *byte = u8::from_str_radix(text, 16).map_err(|_| malformed.clone())?;
    }
    Ok(thumbprint_of_digest(&digest))
}

#[cfg(test)]
mod tests {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

    use super::*;
    use crate::mtls::ClientCertificate;

    /// A self-signed certificate: its PEM and its thumbprint.
    fn certificate() -> (String, Vec<u8>, String) {
        let key = rcgen::generate_simple_self_signed(vec!["client.example".to_owned()]).unwrap();
        let der = key.cert.der().to_vec();
        let thumbprint = ClientCertificate::from_der(der.clone()).thumbprint();
        (key.cert.pem(), der, thumbprint)
    }

    fn escaped(text: &str) -> String {
        utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn every_format_gives_the_certificates_thumbprint() {
        use sha2::Digest as _;
        let (pem, der, thumbprint) = certificate();
        let base64 = STANDARD.encode(&der);
        let sha = hex(&sha2::Sha256::digest(&der));
        let cases = [
            (CertificateFormat::PemUrlEncoded, escaped(&pem)),
            // nginx escapes what a URL needs; a proxy that escapes less still reads.
            (
                CertificateFormat::PemUrlEncoded,
                pem.replace('\n', "%0A").replace(' ', "%20"),
            ),
            (CertificateFormat::DerBase64, base64.clone()),
            (CertificateFormat::DerBase64, escaped(&base64)),
            (
                CertificateFormat::DerBase64,
                base64.trim_end_matches('=').to_owned(),
            ),
            (
                CertificateFormat::DerBase64,
                format!("{base64},{}", STANDARD.encode(b"0 chain")),
            ),
            (CertificateFormat::Xfcc, format!("Hash={sha}")),
            (
                CertificateFormat::Xfcc,
                format!("Hash={}", sha.to_uppercase()),
            ),
            (
                CertificateFormat::Xfcc,
                format!(r#"By=spiffe://a/b;Cert="{}""#, escaped(&pem)),
            ),
            (
                CertificateFormat::Xfcc,
                format!(
                    r#"By=spiffe://a/b;Hash={sha};Cert="{}";Subject="CN=a,O=\"b;c\"";URI=;DNS=x;DNS=y"#,
                    escaped(&pem)
                ),
            ),
        ];
        for (format, value) in cases {
            assert_eq!(
                format.thumbprint(value.as_bytes()).as_deref(),
                Ok(thumbprint.as_str()),
                "{format}: {value}"
            );
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        use sha2::Digest as _;
        let (pem, der, _) = certificate();
        let sha = hex(&sha2::Sha256::digest(&der));
        let other = hex(&sha2::Sha256::digest(b"other"));
        let two = format!("{pem}{pem}");
        let cases = [
            (CertificateFormat::PemUrlEncoded, String::new()),
            (CertificateFormat::PemUrlEncoded, STANDARD.encode(&der)),
            (CertificateFormat::PemUrlEncoded, escaped(&two)),
            (
                CertificateFormat::PemUrlEncoded,
                escaped(&pem.replace("MII", "M*I")),
            ),
            (
                CertificateFormat::PemUrlEncoded,
                escaped(&format!("{pem}trailing")),
            ),
            (CertificateFormat::DerBase64, "not base64!".to_owned()),
            (CertificateFormat::DerBase64, STANDARD.encode(b"not DER")),
            (CertificateFormat::DerBase64, ",".to_owned()),
            (CertificateFormat::Xfcc, String::new()),
            (CertificateFormat::Xfcc, "By=spiffe://a".to_owned()),
            (CertificateFormat::Xfcc, format!("Hash={sha},Hash={sha}")),
            (CertificateFormat::Xfcc, format!("Hash={sha};Hash={sha}")),
            (
                CertificateFormat::Xfcc,
                format!("Hash={}", sha.get(..62).unwrap()),
            ),
            (
                CertificateFormat::Xfcc,
                format!("Hash=+f{}", sha.get(2..).unwrap()),
            ),
            (
                CertificateFormat::Xfcc,
                format!(r#"Hash={other};Cert="{}""#, escaped(&pem)),
            ),
            (CertificateFormat::Xfcc, r#"Cert="unterminated"#.to_owned()),
            (CertificateFormat::Xfcc, "Hash".to_owned()),
        ];
        for (format, value) in cases {
            assert!(
                matches!(
                    format.thumbprint(value.as_bytes()),
                    Err(CertificateError::Malformed(_))
                ),
                "{format}: {value}"
            );
        }
        assert!(CertificateFormat::Xfcc.thumbprint(b"\xff").is_err());
    }

    #[test]
    fn names_round_trip() {
        for format in [
            CertificateFormat::PemUrlEncoded,
            CertificateFormat::DerBase64,
            CertificateFormat::Xfcc,
        ] {
            assert_eq!(format.as_str().parse(), Ok(format));
        }
        assert_eq!(
            CertificateFormat::default(),
            CertificateFormat::PemUrlEncoded
        );
    }
}
