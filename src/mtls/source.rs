//! [`ClientCertificates`]: where a request's client certificate comes from, and the one it
//! presents, kept until its token's confirmation asks for it.

use http::{HeaderName, HeaderValue};

use crate::error::{CertificateError, ConfigError};
use crate::mtls::certificate::ClientCertificate;
use crate::mtls::header::CertificateFormat;

/// Where client certificates come from, for certificate-bound tokens (RFC 8705; see
/// [the module](crate::mtls)).
///
/// ```
/// use axum_userinfo::Resolver;
/// use axum_userinfo::mtls::{CertificateFormat, ClientCertificates};
/// let nginx = ClientCertificates::from_header("x-ssl-client-cert", CertificateFormat::PemUrlEncoded).unwrap();
/// let resolver = Resolver::builder()
///     .with_client_certificates(nginx)
///     .with_trusted_proxies(["127.0.0.1/32"]) // the header counts only from these peers
///     .build()
///     .unwrap();
/// # let _ = resolver;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCertificates {
    /// The service's own TLS connection: a [`ClientCertificate`] in the request's extensions
    /// (or given to [`RequestView::client_certificate`](crate::RequestView::client_certificate)).
    Connection,
    /// A trusted proxy's header.
    Header {
        /// The header's name.
        name: HeaderName,
        /// How the proxy writes the certificate there.
        format: CertificateFormat,
    },
}

impl ClientCertificates {
    /// Certificates from the service's own TLS connections.
    #[must_use]
    pub fn from_connection() -> Self {
        Self::Connection
    }

    /// Certificates from a trusted proxy's header `name`, written as `format`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] for a name that is not a header name.
    pub fn from_header(name: &str, format: CertificateFormat) -> Result<Self, ConfigError> {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| ConfigError::InvalidHeaderName)?;
        Ok(Self::Header { name, format })
    }

    /// The certificate a request presents: its connection's, or its trusted proxy's header
    /// (`None` from a peer that is not one: the header is ignored).
    pub(crate) fn presented(
        &self,
        connection: Option<&ClientCertificate>,
        headers: &http::HeaderMap,
        from_trusted_proxy: bool,
    ) -> Option<PresentedCertificate> {
        match self {
            Self::Connection => connection.cloned().map(PresentedCertificate::Connection),
            Self::Header { .. } if !from_trusted_proxy => None,
            Self::Header { name, format } => {
                let mut values = headers.get_all(name).iter();
                match (values.next(), values.next()) {
                    (None, _) => None,
                    (Some(value), None) => {
                        Some(PresentedCertificate::Header(value.clone(), *format))
                    }
                    (Some(_), Some(_)) => Some(PresentedCertificate::Repeated),
                }
            }
        }
    }
}

/// A request's client certificate, read only when its token is bound to one (a WebSocket keeps
/// its upgrade's, for its auth messages).
#[derive(Debug, Clone)]
pub(crate) enum PresentedCertificate {
    /// The TLS connection's.
    Connection(ClientCertificate),
    /// A trusted proxy's header, not yet parsed.
    Header(HeaderValue, CertificateFormat),
    /// The header more than once: refused.
    Repeated,
}

impl PresentedCertificate {
    /// Its `x5t#S256` thumbprint.
    pub(crate) fn thumbprint(&self) -> Result<String, CertificateError> {
        match self {
            Self::Connection(certificate) => Ok(certificate.thumbprint()),
            Self::Header(value, format) => format.thumbprint(value.as_bytes()),
            Self::Repeated => Err(CertificateError::Malformed(
                "the client certificate header is repeated",
            )),
        }
    }
}
