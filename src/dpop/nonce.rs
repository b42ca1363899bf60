//! Server-provided DPoP nonces (RFC 9449 §8–9), stateless: a nonce is the time it was made
//! and an HMAC-SHA256 of that time under the checker's secret, so any replica holding the same
//! secret checks any other's nonces without a shared store. A nonce older than its lifetime
//! (or from the future) is stale.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// The nonces of one checker: the secret and how long a nonce lives.
#[derive(Clone)]
pub(crate) struct Nonces {
    secret: Box<[u8]>,
    lifetime: Duration,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Nonces")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// The bytes of a nonce's tag kept (128 bits).
const TAG_LEN: usize = 16;

impl Nonces {
    pub(crate) fn new(secret: &[u8], lifetime: Duration) -> Self {
        Self {
            secret: secret.into(),
            lifetime,
        }
    }

    fn tag(&self, made: u64) -> Option<[u8; TAG_LEN]> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).ok()?;
        mac.update(&made.to_be_bytes());
        let full = mac.finalize().into_bytes();
        full.get(..TAG_LEN)?.try_into().ok()
    }

    /// A fresh nonce, made at `now` (seconds since the epoch).
    pub(crate) fn issue(&self, now: u64) -> String {
        let mut bytes = now.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.tag(now).unwrap_or_default());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Whether `nonce` is one of ours, made within its lifetime before `now`.
    pub(crate) fn is_fresh(&self, nonce: &str, now: u64) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(nonce) else {
            return false;
        };
        let (Some(made), Some(tag)) = (bytes.get(..8), bytes.get(8..)) else {
            return false;
        };
        let Ok(made) = <[u8; 8]>::try_from(made).map(u64::from_be_bytes) else {
            return false;
        };
        let Some(expected) = self.tag(made) else {
            return false;
        };
        let genuine: bool = subtle::ConstantTimeEq::ct_eq(tag, &expected[..]).into();
        genuine && made <= now && now - made <= self.lifetime.as_secs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_ours_and_fresh_or_refused() {
        let nonces = Nonces::new(b"a nonce secret of 32 bytes......", Duration::from_secs(60));
        let nonce = nonces.issue(1_000);
        assert!(nonces.is_fresh(&nonce, 1_000));
        assert!(nonces.is_fresh(&nonce, 1_060));
        assert!(!nonces.is_fresh(&nonce, 1_061), "stale");
        assert!(!nonces.is_fresh(&nonce, 999), "from the future");
        let other = Nonces::new(b"another secret of 32 bytes......", Duration::from_secs(60));
        assert!(!other.is_fresh(&nonce, 1_000), "another secret's");
        assert!(!nonces.is_fresh("bm9uY2U", 1_000));
        assert!(!nonces.is_fresh("", 1_000));
    }
}
