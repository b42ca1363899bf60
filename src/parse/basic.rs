//! `Authorization: Basic` credentials (RFC 7617).
//!
//! The credential is strict base64: the standard alphabet, padding required, nothing else (the
//! reference silently drops characters outside the alphabet; this crate refuses them). It must
//! decode to UTF-8 with a `:`; the username before it must not be empty, the password after it
//! may be.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{BasicError, ResolveError};

/// A Basic credential decoded: its parts, and the credential as it came.
#[derive(Debug)]
pub(crate) struct DecodedBasic<'a> {
    pub(crate) username: String,
    pub(crate) password: String,
    /// Strict, padded, canonical base64 decodes from exactly one text: the credential as it
    /// came is the identity key (ASCII, since it decoded), with no need to encode it again.
    pub(crate) encoded: &'a str,
}

/// Decodes a Basic credential (the part after `Basic `).
pub(crate) fn decode(credential: &[u8]) -> Result<DecodedBasic<'_>, ResolveError> {
    let fail = ResolveError::MalformedBasic;
    let bytes = STANDARD
        .decode(credential)
        .map_err(|_| fail(BasicError::Base64))?;
    let mut username = String::from_utf8(bytes).map_err(|_| fail(BasicError::NotUtf8))?;
    let colon = username.find(':').ok_or(fail(BasicError::NoColon))?;
    if colon == 0 {
        return Err(fail(BasicError::EmptyUsername));
    }
    let password = username.split_off(colon + 1);
    username.truncate(colon);
    let encoded = std::str::from_utf8(credential).map_err(|_| fail(BasicError::Base64))?;
    Ok(DecodedBasic {
        username,
        password,
        encoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        let ok: &[(&[u8], &str, &str)] = &[
            (b"YWxpY2U6czNjcmV0", "alice", "s3cret"),
            (b"YWxpY2U6cGE6c3M6d29yZA==", "alice", "pa:ss:word"),
            (b"dTo=", "u", ""),
            (b"ICBhbCBpY2UgOnB3", "  al ice ", "pw"),
        ];
        for (input, username, password) in ok {
            let decoded = decode(input).unwrap();
            assert_eq!(decoded.username, *username);
            assert_eq!(decoded.password, *password);
            assert_eq!(decoded.encoded.as_bytes(), *input);
        }
        let bad: &[(&[u8], BasicError)] = &[
            (b"OnB3", BasicError::EmptyUsername),
            (b"6Tpwdw==", BasicError::NotUtf8),
            (b"YWJj", BasicError::NoColon),
            (b"%%%%", BasicError::Base64),
            (b"YWI6Yw", BasicError::Base64),
            (b"dXNlcjpwYXNz!!", BasicError::Base64),
            (b"dT8-OnA_Pg==", BasicError::Base64),
            (b"YWxp Y2U6czNjcmV0", BasicError::Base64),
            (b"YR==", BasicError::Base64),
        ];
        for (input, want) in bad {
            assert_eq!(
                decode(input).err(),
                Some(ResolveError::MalformedBasic(*want)),
                "{input:?}"
            );
        }
    }
}
