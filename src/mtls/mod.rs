//! Certificate-bound access tokens (RFC 8705 §3): mutual-TLS sender-constrained tokens.
//!
//! A token whose confirmation (`cnf`, in a verified JWT or an introspection answer) holds
//! `x5t#S256` is accepted only with a client certificate whose SHA-256 thumbprint (the
//! base64url of the hash of its DER) equals it; presented without one, or with another, it is
//! refused with 401 `invalid_token`. Where the certificate comes from is configured once
//! ([`ResolverBuilder::with_client_certificates`](crate::ResolverBuilder::with_client_certificates)):
//!
//! - [`ClientCertificates::from_connection`]: the service terminates TLS itself (rustls,
//!   through tokio-rustls or axum-server) and puts the peer's certificate in each request's
//!   extensions as a [`ClientCertificate`] (the layer and the extractors read it there;
//!   [`RequestView::client_certificate`](crate::RequestView::client_certificate) for the core).
//! - [`ClientCertificates::from_header`]: a TLS-terminating proxy forwards it in a header, read
//!   only from [trusted proxies](crate::ResolverBuilder::with_trusted_proxies) (from any other
//!   peer the header is ignored, so a bound token is refused): nginx's URL-encoded PEM
//!   (`proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert`), Traefik's base64 DER
//!   (`X-Forwarded-Tls-Client-Cert`), or Envoy's `X-Forwarded-Client-Cert` (`Hash=`, `Cert=`).
//!   A repeated or malformed header refuses a bound token.
//!
//! The layer, the extractors, guards and the demo's `/whoami` read the request's certificate;
//! a WebSocket keeps its upgrade's, and checks its auth messages' bound tokens against it
//! ([`SocketIdentity`](crate::SocketIdentity)). Without a configured source (or without a
//! connection: [`Resolver::handle_auth_frame`](crate::Resolver::handle_auth_frame) alone), a
//! certificate-bound token is refused. Nothing here checks the certificate's chain: the TLS
//! terminator did (or, with `optional_no_ca`, did not need to: RFC 8705 §2.2's self-signed
//! certificates are bound by their thumbprint alone).
//!
//! | file | concern |
//! | --- | --- |
//! | `certificate.rs` | [`ClientCertificate`]: a certificate's DER and its `x5t#S256` thumbprint |
//! | `header.rs` | [`CertificateFormat`]: nginx's, Traefik's and Envoy's header forms, read |
//! | `source.rs` | [`ClientCertificates`]: where certificates come from, and the one a request presents |

mod certificate;
mod header;
mod source;

pub use certificate::ClientCertificate;
pub use header::CertificateFormat;
pub use source::ClientCertificates;
pub(crate) use source::PresentedCertificate;
