//! The signature backend, chosen by this crate's features and passed to jsonwebtoken
//! explicitly, call by call.
//!
//! jsonwebtoken 11 picks a process-wide `CryptoProvider` from its own features, and with both
//! of its backends enabled (as `--all-features` does) it has none and panics at the first
//! signature check. This crate never asks it for that default, and never installs one behind
//! its user's back: it names the provider itself.
//!
//! | features | backend |
//! | --- | --- |
//! | `aws-lc-rs` (default) | AWS-LC through aws-lc-rs |
//! | `rust-crypto` | RustCrypto (`rsa`, `p256`, `p384`, `ed25519-dalek`, `hmac`) |
//! | both | aws-lc-rs: enabling it already means a C compiler is at hand |
//! | neither, with `verify` | a build error that names the two features |

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, DecodingKey};

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "axum-userinfo's feature `verify` needs a signature backend: enable `aws-lc-rs` (the \
     default) or `rust-crypto` (pure Rust, for targets without a C compiler)"
);

/// The name of the signature backend this build verifies with: `"aws-lc-rs"` or
/// `"rust-crypto"` (see the crate's features).
///
/// ```
/// # #[cfg(feature = "aws-lc-rs")]
/// assert_eq!(axum_userinfo::verify::SIGNATURE_BACKEND, "aws-lc-rs");
/// ```
#[cfg(feature = "aws-lc-rs")]
pub const SIGNATURE_BACKEND: &str = "aws-lc-rs";
/// The name of the signature backend this build verifies with: `"aws-lc-rs"` or
/// `"rust-crypto"` (see the crate's features).
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub const SIGNATURE_BACKEND: &str = "rust-crypto";

/// The provider of [`SIGNATURE_BACKEND`].
#[cfg(feature = "aws-lc-rs")]
pub(crate) static PROVIDER: &CryptoProvider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
/// The provider of [`SIGNATURE_BACKEND`].
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub(crate) static PROVIDER: &CryptoProvider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

/// Whether `signature` (decoded) signs `message` under `key` with `algorithm`. A key that
/// does not fit the algorithm is `false`.
#[allow(
    clippy::ptr_arg,
    reason = "jsonwebtoken's verifiers take the signature as a Vec"
)]
pub(crate) fn verifies(
    signature: &Vec<u8>,
    message: &[u8],
    key: &DecodingKey,
    algorithm: Algorithm,
) -> bool {
    let Ok(verifier) = (PROVIDER.verifier_factory)(&algorithm, key) else {
        return false;
    };
    verifier.verify(message, signature).is_ok()
}

/// Signs `message` with the backend (the test kit's tokens): the signature, base64url without
/// padding; `None` when the key cannot sign with `algorithm`.
#[cfg(feature = "test-util")]
pub(crate) fn sign(
    message: &[u8],
    key: &jsonwebtoken::EncodingKey,
    algorithm: Algorithm,
) -> Option<String> {
    use base64::Engine as _;
    let signer = (PROVIDER.signer_factory)(&algorithm, key).ok()?;
    let signature = signer.try_sign(message).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature))
}
