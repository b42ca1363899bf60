//! [`ClientCertificate`]: a client certificate as DER, and its RFC 8705 thumbprint.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// A client certificate (DER), as the TLS connection presented it: put it in a request's
/// extensions when the service terminates TLS itself, for
/// [`ClientCertificates::from_connection`](crate::mtls::ClientCertificates::from_connection).
/// Cloning it is a reference-count bump.
///
/// ```
/// use axum_userinfo::mtls::ClientCertificate;
/// let certificate = ClientCertificate::from_der(b"not really DER".to_vec());
/// assert_eq!(certificate.thumbprint(), "R2W5kOJzI22JQYZk1Rg3ufDQdmt7oSnGmKPLIiXrnMY");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate(Arc<[u8]>);

impl ClientCertificate {
    /// The certificate of these DER bytes (rustls' `CertificateDer` derefs to them).
    pub fn from_der(der: impl Into<Arc<[u8]>>) -> Self {
        Self(der.into())
    }

    /// Its DER bytes.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.0
    }

    /// Its `x5t#S256` thumbprint (RFC 8705 §3.1): the base64url, unpadded, of the SHA-256 of
    /// its DER.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        thumbprint_of_der(&self.0)
    }
}

/// The `x5t#S256` thumbprint of a certificate's DER.
pub(crate) fn thumbprint_of_der(der: &[u8]) -> String {
    thumbprint_of_digest(&Sha256::digest(der).into())
}

/// The `x5t#S256` thumbprint of a certificate's SHA-256.
pub(crate) fn thumbprint_of_digest(digest: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(digest)
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint())
            .finish()
    }
}
