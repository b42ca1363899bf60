//! A resolution under way: [`Pending`], ready at once (a user, anonymous, or why not), or a
//! verified JWT waiting for its issuer's keys, parsed, to finish after the refetch, or an
//! opaque token waiting for its introspection answer (feature `introspection`).
//!
//! Every resolution (a request, an upgrade, an auth message) ends here, in one place that
//! records its metrics and its tracing span: the span `resolve` (target `axum_userinfo`, level
//! `DEBUG`) covers the resolution, from the first header read to the user, including a wait
//! for keys, and ends with the fields `source` (the credential's kind, `identity_header`, or
//! `none`), `outcome` (`user`, `anonymous`, or the error's [class](ResolveError::class)) and,
//! for a verified JWT, `issuer` (its URL redacted). It never holds a credential.

use std::fmt;

use tracing::Span;

use crate::error::ResolveError;
use crate::identity::unfinished::Unfinished;
use crate::identity::user_info::UserInfo;
use crate::resolve::binding::Binding;
use crate::resolve::credential::Credential;
use crate::resolve::wait::Wait;

/// The engine's state: answered, or waiting for one thing, with the binding still to check
/// once the wait gives a user (`None` when the wait is the binding's own).
#[derive(Debug)]
pub(crate) enum Step {
    /// A user, anonymous, or why not.
    Done(Result<Option<UserInfo>, ResolveError>),
    /// Waiting.
    Waits { wait: Wait, then: Option<Binding> },
}

impl Step {
    /// The state after the identity step answered: a user goes on to its binding.
    #[inline(always)]
    pub(crate) fn after_identity(
        identity: Result<UserInfo, Unfinished<Wait>>,
        binding: Binding,
    ) -> Self {
        match identity {
            Ok(user) => Self::bound(binding.bind(user)),
            Err(Unfinished::Refused(error)) => Self::Done(Err(error)),
            Err(Unfinished::Waits(wait)) => Self::Waits {
                wait,
                then: Some(binding),
            },
        }
    }

    /// The state after the binding step answered.
    #[inline]
    fn bound(bound: Result<UserInfo, Unfinished<Wait>>) -> Self {
        match bound {
            Ok(user) => Self::Done(Ok(Some(user))),
            Err(Unfinished::Refused(error)) => Self::Done(Err(error)),
            Err(Unfinished::Waits(wait)) => Self::Waits { wait, then: None },
        }
    }

    /// The state once a wait answered `user` (or refused).
    fn waited(answer: Result<UserInfo, ResolveError>, then: Option<Binding>) -> Self {
        match (answer, then) {
            (Ok(user), Some(binding)) => Self::bound(binding.bind(user)),
            (answer, _) => Self::Done(answer.map(Some)),
        }
    }
}

/// A resolution under way: [`now`](Self::now) answers at once (a key miss is refused),
/// [`finish`](Self::finish) waits for the keys when a verified JWT needs them. Either records
/// the resolution's metrics and closes its span. [`Resolver::begin`](crate::Resolver::begin)
/// starts one; [`Resolver::resolve`](crate::Resolver::resolve) is `begin(…).now()`.
///
/// ```
/// use axum_userinfo::Resolver;
/// use http::HeaderMap;
/// let pending = Resolver::new().begin(&HeaderMap::new());
/// assert!(pending.is_ready()); // nothing to wait for: anonymous
/// assert_eq!(pending.now(), Ok(None));
/// ```
#[must_use = "a resolution answers through `now` or `finish`"]
pub struct Pending {
    /// The engine's state: answered, or waiting.
    step: Step,
    trace: Trace,
}

/// A resolution's span, when a `tracing` subscriber takes `DEBUG`. That is checked first, and
/// none is held otherwise: a disabled [`Span`] still costs a few hundred instructions per
/// resolution (creating, recording and dropping it) through `tracing`'s `log` fallback, which
/// axum's default `tower-log` feature turns on.
pub(crate) struct Trace(Option<Span>);

impl Trace {
    /// The span of a resolution, opened before its first header is read.
    #[inline]
    pub(crate) fn start() -> Self {
        if !tracing::level_enabled!(tracing::Level::DEBUG) {
            return Self(None);
        }
        let span = tracing::debug_span!(
            target: "axum_userinfo",
            "resolve",
            source = tracing::field::Empty,
            outcome = tracing::field::Empty,
            issuer = tracing::field::Empty,
        );
        Self(Some(span).filter(|span| !span.is_disabled()))
    }

    /// Runs `f` inside the span.
    #[inline]
    pub(crate) fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(span) => span.in_scope(f),
            None => f(),
        }
    }

    /// Records the source of the credential presented.
    #[inline]
    pub(crate) fn source(&self, credential: &Credential<'_>) {
        if let Some(span) = &self.0 {
            span.record("source", credential.source_name());
        }
    }
}

impl Pending {
    /// A resolution in `step`.
    #[inline]
    pub(crate) fn new(step: Step, trace: Trace) -> Self {
        Self { step, trace }
    }

    /// Whether the answer is there without waiting: always, but for a verified JWT whose
    /// issuer's fetched keys missed its `kid` (or are not loaded yet), an opaque token
    /// whose introspection answer is not cached, and a DPoP proof (its replay store asked).
    #[must_use]
    pub fn is_ready(&self) -> bool {
        matches!(self.step, Step::Done(_))
    }

    /// The answer now: a JWT waiting for keys is refused with the miss
    /// ([`VerifyError::UnknownKey`](crate::error::VerifyError::UnknownKey) or
    /// [`KeysUnavailable`](crate::error::VerifyError::KeysUnavailable)), an opaque token
    /// waiting for its answer with
    /// [`IntrospectionError::NeedsAsync`](crate::error::IntrospectionError::NeedsAsync), a
    /// replay store that cannot answer at once with
    /// [`DpopError::NeedsAsync`](crate::error::DpopError::NeedsAsync).
    ///
    /// # Errors
    /// As [`Resolver::resolve`](crate::Resolver::resolve).
    #[inline]
    pub fn now(self) -> Result<Option<UserInfo>, ResolveError> {
        let mut step = self.step;
        let outcome = loop {
            match step {
                Step::Done(outcome) => break outcome,
                Step::Waits { wait, then } => step = Step::waited(wait.now(), then),
            }
        };
        finished(outcome, &self.trace)
    }

    /// The answer, after at most one refetch of the issuer's keys (shared with every token
    /// that missed the same issuer) when a verified JWT waits for them, after the one
    /// introspection call (shared with every request for the same token) an opaque token
    /// waits for, and after the replay store's answer for a DPoP proof.
    ///
    /// # Errors
    /// As [`Resolver::resolve`](crate::Resolver::resolve).
    pub async fn finish(self) -> Result<Option<UserInfo>, ResolveError> {
        let mut step = self.step;
        let outcome = loop {
            match step {
                Step::Done(outcome) => break outcome,
                Step::Waits { wait, then } => {
                    let answer = match &self.trace.0 {
                        Some(span) => {
                            use tracing::Instrument as _;
                            wait.finish().instrument(span.clone()).await
                        }
                        None => wait.finish().await,
                    };
                    step = Step::waited(answer, then);
                }
            }
        };
        finished(outcome, &self.trace)
    }
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token a JWT waiting for keys holds.
        f.debug_struct("Pending")
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

/// The one place a resolution ends: its metrics and its span's outcome.
#[inline]
fn finished(
    outcome: Result<Option<UserInfo>, ResolveError>,
    trace: &Trace,
) -> Result<Option<UserInfo>, ResolveError> {
    crate::metrics::resolution(outcome.as_ref().map(Option::as_ref));
    if let Some(span) = &trace.0 {
        let class = match &outcome {
            Ok(Some(user)) => {
                // The issuer of a verified token only: an unverified one names anything.
                #[cfg(feature = "verify")]
                if let Some(iss) = user.jwt().and_then(|jwt| jwt.issuer()) {
                    if user.is_verified() {
                        span.record("issuer", crate::verify::redacted_url(iss));
                    }
                }
                #[cfg(not(feature = "verify"))]
                let _ = user;
                "user"
            }
            Ok(None) => {
                span.record("source", "none");
                "anonymous"
            }
            Err(error) => error.class(),
        };
        span.record("outcome", class);
    }
    outcome
}
