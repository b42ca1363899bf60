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
//! # Recipes
//!
//! **A service that terminates TLS itself** (tokio-rustls; axum-server alike): ask for client
//! certificates (`WebPkiClientVerifier::builder(roots).allow_unauthenticated()`, or a verifier
//! of your own for self-signed ones), and put the peer's leaf in each request of the connection:
//!
//! ```text
//! let tls = acceptor.accept(tcp).await?;
//! let certificate = tls.get_ref().1.peer_certificates()
//!     .and_then(|chain| chain.first())
//!     .map(|leaf| ClientCertificate::from_der(leaf.to_vec()));
//! let service = hyper::service::service_fn(move |mut request| {
//!     if let Some(certificate) = &certificate { request.extensions_mut().insert(certificate.clone()); }
//!     app.clone().oneshot(request.map(axum::body::Body::new))
//! });
//! ```
//!
//! with `Resolver::builder().with_client_certificates(ClientCertificates::from_connection())`
//! (`tests/mtls.rs` runs exactly this).
//!
//! **nginx** (`ssl_verify_client optional_no_ca;` accepts self-signed client certificates, or
//! `optional` / `on` with `ssl_client_certificate`): in the location that proxies to the service,
//! or the `auth_request` location of a forward-auth setup,
//! `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;` (an empty variable sends no
//! header, so a client's own is dropped); the demo:
//! `--trusted-proxy 10.0.0.2/32 --client-cert-header X-SSL-Client-Cert`.
//!
//! **Traefik**: the `passTLSClientCert` middleware with `pem: true` sets
//! `X-Forwarded-Tls-Client-Cert`: `--client-cert-header X-Forwarded-Tls-Client-Cert
//! --client-cert-format der-base64`.
//!
//! **Envoy**: `forward_client_cert_details: SANITIZE_SET` and
//! `set_current_client_cert_details: { cert: true }` (or the default `Hash`) on the connection
//! manager: `--client-cert-header X-Forwarded-Client-Cert --client-cert-format xfcc`.
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
