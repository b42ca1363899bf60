//! The engine's step after identity: what binds a token to its sender.
//!
//! A token bound to a key by `cnf` (RFC 7800) is sender-constrained: presented as `Bearer` (or
//! in a WebSocket auth message), without a proof, it is refused, so that a stolen bound token
//! is no bearer token (RFC 9449 §7.2). `Authorization: DPoP` (feature `dpop`) brings the proof:
//! the token must be bound by `cnf.jkt`, and the proof checked against the request and that
//! key, its `jti` recorded in the replay store (the step's one wait). A `DPoP` header beside a
//! `Bearer` token is ignored (clients may send one always; the token's own binding decides).

use crate::error::{CertificateError, DpopError, ResolveError};
use crate::identity::confirmation::Confirmation;
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::UserInfo;
use crate::mtls::PresentedCertificate;
use crate::resolve::config::Config;
use crate::resolve::credential::Presented;
use crate::resolve::request::RequestView;
use crate::resolve::wait::Wait;

/// How the resolved user's token must be bound, with what the request brought to prove it.
#[derive(Debug)]
pub(crate) struct Binding {
    scheme: Scheme,
    /// The client certificate the request presented, when certificates are configured: what
    /// a token bound by `cnf.x5t#S256` (RFC 8705) must name. (Boxed: the binding of every
    /// request is moved through the engine, and few present a certificate.)
    certificate: Option<Box<PresentedCertificate>>,
}

/// The scheme the token came with.
#[derive(Debug)]
enum Scheme {
    /// A bearer credential: a token bound to a DPoP key is refused.
    Bearer,
    /// With a DPoP proof (feature `dpop`).
    #[cfg(feature = "dpop")]
    Dpop(Box<DpopProof>),
}

/// A DPoP proof, owned until the token's user is known.
#[cfg(feature = "dpop")]
#[derive(Debug)]
pub(crate) struct DpopProof {
    checker: crate::dpop::DpopChecker,
    proof: Box<str>,
    token: Box<str>,
    target: crate::dpop::target::Target,
}

impl Binding {
    /// A bearer credential (a WebSocket auth message's) on a connection that presented
    /// `certificate` (its upgrade's, for a certificate-bound token); a token bound to a DPoP
    /// key is refused.
    #[inline]
    pub(crate) fn bearer(certificate: Option<PresentedCertificate>) -> Self {
        Self {
            scheme: Scheme::Bearer,
            certificate: certificate.map(Box::new),
        }
    }

    /// The client certificate `request` presents, when certificates are configured.
    #[inline]
    pub(crate) fn certificate_of(
        config: &Config,
        request: RequestView<'_>,
    ) -> Option<PresentedCertificate> {
        (config.client_certificates.as_ref()).and_then(|source| {
            let trusted = config.is_trusted_proxy(request.peer);
            source.presented(request.certificate, request.headers, trusted)
        })
    }

    /// The binding `presented` asks for, with what it needs of `request`.
    #[cfg_attr(not(feature = "dpop"), allow(clippy::unnecessary_wraps))]
    #[inline(always)]
    pub(crate) fn of(
        config: &Config,
        presented: &Presented<'_>,
        request: RequestView<'_>,
    ) -> Result<Self, ResolveError> {
        Ok(Self {
            scheme: Self::scheme(config, presented, request)?,
            certificate: Self::certificate_of(config, request).map(Box::new),
        })
    }

    /// The scheme `presented` came with, with what a DPoP proof needs of `request`.
    #[cfg_attr(not(feature = "dpop"), allow(clippy::unnecessary_wraps))]
    #[inline]
    fn scheme(
        config: &Config,
        presented: &Presented<'_>,
        request: RequestView<'_>,
    ) -> Result<Scheme, ResolveError> {
        #[cfg(feature = "dpop")]
        if let (Some(proof), Some(dpop)) = (&presented.dpop, &config.dpop) {
            let Some(received) = request.target else {
                let rule = "the request's method and URI are unknown (give RequestView::target)";
                return Err(ResolveError::Dpop(DpopError::InvalidProof(rule)));
            };
            let trusted = config.is_trusted_proxy(request.peer);
            let public_url = dpop.public_url.as_ref();
            let target =
                crate::dpop::target::target(received, request.headers, trusted, public_url)
                    .map_err(ResolveError::Dpop)?;
            return Ok(Scheme::Dpop(Box::new(DpopProof {
                checker: dpop.checker.clone(),
                proof: proof.proof.into(),
                token: String::from_utf8_lossy(proof.token).into(),
                target,
            })));
        }
        let _ = (config, presented, request);
        Ok(Scheme::Bearer)
    }

    /// The user, when the binding holds; a DPoP proof waits for its replay store. One arm per
    /// confirmation: none (a bearer token), a certificate's thumbprint (RFC 8705), a DPoP
    /// key's (RFC 9449), anything else (refused).
    #[inline(always)]
    pub(crate) fn bind(self, user: UserInfo) -> Result<UserInfo, Unfinished<Wait>> {
        let refused = |error| Err(Unfinished::Refused(error));
        match (user.confirmation(), self.scheme) {
            (Confirmation::None, Scheme::Bearer) => Ok(user),
            (Confirmation::X5tS256(bound), _) => {
                let presented = self.certificate.ok_or(CertificateError::Missing);
                match presented.and_then(|certificate| certificate.thumbprint()) {
                    Ok(thumbprint) if *thumbprint == **bound => Ok(user),
                    Ok(_) => refused(ResolveError::Certificate(CertificateError::Mismatch)),
                    Err(error) => refused(ResolveError::Certificate(error)),
                }
            }
            (_, Scheme::Bearer) => refused(ResolveError::Dpop(DpopError::BoundTokenAsBearer)),
            #[cfg(feature = "dpop")]
            (Confirmation::Jkt(jkt), Scheme::Dpop(proof)) => {
                let request = crate::dpop::DpopRequest {
                    method: &proof.target.method,
                    uri: &proof.target.uri,
                };
                let now = crate::verify::claims::now();
                let answer = (proof.checker)
                    .begin_at(&proof.proof, request, &proof.token, jkt, now)
                    .map_err(ResolveError::Dpop)?;
                Err(Unfinished::Waits(Wait::ReplayStore(Box::new((
                    answer, user,
                )))))
            }
            #[cfg(feature = "dpop")]
            (_, Scheme::Dpop(_)) => refused(ResolveError::Dpop(DpopError::UnboundToken)),
        }
    }
}
