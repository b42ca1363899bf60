//! What a verified token's identity rests on: the key that verified it, and its time claims.
//! The token cache checks it at every hit, and a WebSocket at every message, so that an
//! identity ends when its key leaves the issuer's key set, as it ends at its `exp`.

use jsonwebtoken::Algorithm;

use crate::identity::user_info::StillVerified;
use crate::verify::JwtVerifier;
use crate::verify::claims::now;
use crate::verify::verifier::Passed;

/// The verifier, `kid` and `alg` of a token that passed, and what its check left.
#[derive(Debug)]
pub(crate) struct KeyBinding {
    verifier: JwtVerifier,
    kid: Option<Box<str>>,
    alg: Algorithm,
    passed: Passed,
}

impl KeyBinding {
    pub(crate) fn new(
        verifier: &JwtVerifier,
        kid: Option<&str>,
        alg: Algorithm,
        passed: Passed,
    ) -> Self {
        Self {
            verifier: verifier.clone(),
            kid: kid.map(Box::from),
            alg,
            passed,
        }
    }

    /// Whether the token would pass again at `now` (seconds since the epoch): its key is
    /// still the one its `kid` picks among the issuer's current keys, and its time claims
    /// hold.
    pub(crate) fn holds_at(&self, now: f64) -> bool {
        (self.verifier).would_pass_again(self.kid.as_deref(), self.alg, &self.passed, now)
    }
}

impl StillVerified for KeyBinding {
    fn still_verified(&self) -> bool {
        self.holds_at(now())
    }
}
