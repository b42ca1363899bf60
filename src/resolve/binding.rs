//! The engine's step after identity: what binds a token to its sender.
//!
//! A token bound to a key by `cnf` (RFC 7800) is sender-constrained: presented as `Bearer` (or
//! in a WebSocket auth message), without a proof, it is refused, so that a stolen bound token
//! is no bearer token (RFC 9449 §7.2). `Authorization: DPoP` (feature `dpop`) brings the proof:
//! the token must be bound by `cnf.jkt`, and the proof checked against the request and that
//! key, its `jti` recorded in the replay store. A `DPoP` header beside a `Bearer` token is
//! ignored (clients may send one always; the token's own binding decides).

use crate::error::{DpopError, ResolveError};
use crate::identity::claim_rules::Confirmation;
use crate::identity::user_info::UserInfo;
use crate::resolve::Resolver;
use crate::resolve::credential::Presented;
use crate::resolve::request::RequestView;

/// How the resolved user's token must be bound.
#[derive(Debug)]
pub(crate) enum Binding {
    /// Presented as a bearer credential: a sender-constrained token is refused.
    Bearer,
    /// Presented with a DPoP proof (feature `dpop`).
    #[cfg(feature = "dpop")]
    Dpop(Box<Proof>),
}

/// A DPoP proof, owned until the token's user is known.
#[cfg(feature = "dpop")]
#[derive(Debug)]
pub(crate) struct Proof {
    checker: crate::dpop::DpopChecker,
    proof: Box<str>,
    token: Box<str>,
    target: crate::dpop::target::Target,
}

impl Resolver {
    /// The binding `presented` asks for, with what it needs of `request`.
    #[cfg_attr(not(feature = "dpop"), allow(clippy::unnecessary_wraps))]
    pub(crate) fn binding(
        &self,
        presented: &Presented<'_>,
        request: RequestView<'_>,
    ) -> Result<Binding, ResolveError> {
        #[cfg(feature = "dpop")]
        if let (Some((proof, token)), Some(config)) = (presented.dpop, &self.config().dpop) {
            let Some(received) = request.target else {
                let rule = "the request's method and URI are unknown (give RequestView::target)";
                return Err(ResolveError::Dpop(DpopError::InvalidProof(rule)));
            };
            let trusted = self.is_trusted_proxy(request.peer);
            let public_url = config.public_url.as_ref();
            let target =
                crate::dpop::target::target(received, request.headers, trusted, public_url)
                    .map_err(ResolveError::Dpop)?;
            return Ok(Binding::Dpop(Box::new(Proof {
                checker: config.checker.clone(),
                proof: proof.into(),
                token: String::from_utf8_lossy(token).into(),
                target,
            })));
        }
        let _ = (presented, request);
        Ok(Binding::Bearer)
    }
}

impl Binding {
    /// Whether checking it waits for something (a DPoP proof's replay store).
    #[cfg(feature = "dpop")]
    pub(crate) fn waits(&self) -> bool {
        matches!(self, Self::Dpop(_))
    }

    /// The user, when the binding holds, answered now: a replay store that cannot answer at
    /// once is refused with [`DpopError::NeedsAsync`].
    #[inline]
    pub(crate) fn now(self, user: UserInfo) -> Result<UserInfo, ResolveError> {
        match self {
            Self::Bearer => bearer(user),
            #[cfg(feature = "dpop")]
            Self::Dpop(proof) => {
                use std::future::Future as _;
                use std::task::{Context, Poll, Waker};
                let mut checking = std::pin::pin!(proof.check(user));
                match checking
                    .as_mut()
                    .poll(&mut Context::from_waker(Waker::noop()))
                {
                    Poll::Ready(answer) => answer,
                    Poll::Pending => Err(ResolveError::Dpop(DpopError::NeedsAsync)),
                }
            }
        }
    }

    /// The user, when the binding holds, after the replay store answered.
    pub(crate) async fn finish(self, user: UserInfo) -> Result<UserInfo, ResolveError> {
        match self {
            Self::Bearer => bearer(user),
            #[cfg(feature = "dpop")]
            Self::Dpop(proof) => proof.check(user).await,
        }
    }
}

/// A bearer credential's user: refused when its token is sender-constrained.
#[inline]
fn bearer(user: UserInfo) -> Result<UserInfo, ResolveError> {
    match user.confirmation() {
        Confirmation::None => Ok(user),
        _ => Err(ResolveError::Dpop(DpopError::BoundTokenAsBearer)),
    }
}

#[cfg(feature = "dpop")]
impl Proof {
    async fn check(&self, user: UserInfo) -> Result<UserInfo, ResolveError> {
        let Confirmation::Jkt(jkt) = user.confirmation() else {
            return Err(ResolveError::Dpop(DpopError::UnboundToken));
        };
        let request = crate::dpop::DpopRequest {
            method: &self.target.method,
            uri: &self.target.uri,
        };
        self.checker
            .check(&self.proof, request, &self.token, jkt)
            .await
            .map_err(ResolveError::Dpop)?;
        Ok(user)
    }
}
