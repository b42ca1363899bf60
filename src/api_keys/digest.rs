//! [`ApiKeyDigest`]: the SHA-256 of an API key, what a store holds instead of the key.

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;
use subtle::ConstantTimeEq as _;

/// The SHA-256 of an API key. Written `sha256:` and 64 lower-case hex digits.
///
/// ```
/// use axum_userinfo::api_keys::ApiKeyDigest;
/// let digest = ApiKeyDigest::of("sk-service-abc123");
/// let line = digest.to_string();
/// assert!(line.starts_with("sha256:"));
/// assert_eq!(line.parse::<ApiKeyDigest>(), Ok(digest));
/// ```
#[derive(Clone, Copy)]
pub struct ApiKeyDigest([u8; 32]);

impl ApiKeyDigest {
    /// The digest of `key` (its UTF-8 bytes).
    #[must_use]
    pub fn of(key: &str) -> Self {
        Self(sha2::Sha256::digest(key.as_bytes()).into())
    }

    /// The digest's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first eight bytes, where a table looks a digest up (a digest, never a key).
    pub(crate) fn bucket(&self) -> u64 {
        let mut first = [0; 8];
        first.copy_from_slice(self.0.get(..8).unwrap_or(&[0; 8]));
        u64::from_le_bytes(first)
    }
}

impl PartialEq for ApiKeyDigest {
    /// In constant time.
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for ApiKeyDigest {}

impl fmt::Display for ApiKeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sha256:")?;
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for ApiKeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyDigest({self})")
    }
}

/// Not `sha256:` and 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("expected sha256: and 64 hex digits")]
pub struct InvalidDigest;

impl FromStr for ApiKeyDigest {
    type Err = InvalidDigest;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s.strip_prefix("sha256:").ok_or(InvalidDigest)?.as_bytes();
        if hex.len() != 64 {
            return Err(InvalidDigest);
        }
        let mut bytes = [0; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).map_err(|_| InvalidDigest)?;
            *byte = u8::from_str_radix(text, 16).map_err(|_| InvalidDigest)?;
        }
        Ok(Self(bytes))
    }
}
