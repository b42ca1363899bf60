//! The response to a request whose identity is refused: the core's
//! [`Refusal`](crate::refusal::Refusal) (status, `WWW-Authenticate` challenges, body), built
//! from the resolver's configuration, sent as it is; and the 500 of a missing resolver, whose
//! plain-text body names the fix.

use std::fmt;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, StatusCode};

use crate::authorize::{AuthorizeError, Denied};
use crate::error::{AuthErrorPayload, ResolveError};
use crate::refusal::{Challenges, Reason, Refusal};
use crate::resolve::Resolver;

/// Why the identity layer, an extractor or a guard refused a request.
///
/// Turn it into a response with [`IntoResponse`] (the resolver's
/// [`Refusal`](crate::refusal::Refusal), byte for byte), or inspect it in a custom rejection
/// handler ([`UserInfoLayer::with_rejection`](crate::UserInfoLayer::with_rejection),
/// [`GuardLayer::with_rejection`](crate::GuardLayer::with_rejection)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfoRejection {
    kind: Kind,
    /// The challenges of the resolver that refused (the default ones when none is known).
    challenges: Option<Arc<Challenges>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// No credential; the scopes the route requires (for the challenge's `scope`).
    MissingCredentials(Vec<String>),
    Refused(ResolveError),
    /// No resolver, or no layer, for what needs one: the text names the fix.
    MissingResolver(&'static str),
    Denied(Box<Denied>),
}

/// The 500 body of [`UserInfoRejection::missing_resolver`]: what to add to the router.
const MISSING_RESOLVER: &str = "No axum_userinfo::Resolver is configured for this route: add \
    `UserInfoLayer::new(resolver)` to the router (or `.layer(Extension(resolver))`, or make the \
    resolver the router's state). The request is refused rather than resolved with a default.";

/// The 500 body of a [`GuardLayer`](crate::GuardLayer) with no `UserInfoLayer` in front.
const MISSING_LAYER: &str = "A GuardLayer found no UserInfoLayer in front of it: add \
    `.layer(UserInfoLayer::new(resolver))` outside the guarded routes (`.route_layer(GuardLayer::new(guard))` \
    first, then the UserInfoLayer). The request is refused rather than let through unchecked.";

impl UserInfoRejection {
    /// A guard with no [`UserInfoLayer`](crate::UserInfoLayer) in front of it (500).
    pub(crate) fn missing_layer() -> Self {
        Self::of(Kind::MissingResolver(MISSING_LAYER))
    }

    fn of(kind: Kind) -> Self {
        Self {
            kind,
            challenges: None,
        }
    }

    /// Answers with `resolver`'s challenges (the schemes it accepts, DPoP's `algs`, the RFC
    /// 9728 `resource_metadata`): the layer, the extractors and guards do this with the
    /// resolver that refused.
    #[must_use]
    pub fn with_resolver(self, resolver: &Resolver) -> Self {
        self.with_challenges(Some(Arc::clone(&resolver.config().challenges)))
    }

    /// Answers with `challenges` (`None`: the default ones).
    pub(crate) fn with_challenges(mut self, challenges: Option<Arc<Challenges>>) -> Self {
        self.challenges = challenges;
        self
    }

    /// The request carried no credential, and one is required.
    #[must_use]
    pub fn missing_credentials() -> Self {
        Self::of(Kind::MissingCredentials(Vec::new()))
    }

    /// The request carried no credential, and the route requires one with `scopes` (a
    /// guard's, an MCP operation's): the 401's `Bearer` challenge names them in `scope="…"`,
    /// so that a client asks for the right token the first time.
    #[must_use]
    pub fn missing_credentials_for(scopes: &[String]) -> Self {
        Self::of(Kind::MissingCredentials(scopes.to_vec()))
    }

    /// The request's credential was refused.
    #[must_use]
    pub fn refused(error: ResolveError) -> Self {
        Self::of(Kind::Refused(error))
    }

    /// An extractor found no [`Resolver`] for the request (no
    /// [`UserInfoLayer`](crate::UserInfoLayer), no `Extension(resolver)`, and a router state that
    /// is not a resolver): a configuration error, refused with 500 and never resolved with a
    /// default. The body names the fix, as axum's `Extension` rejection does.
    #[must_use]
    pub fn missing_resolver() -> Self {
        Self::of(Kind::MissingResolver(MISSING_RESOLVER))
    }

    /// The user lacks what a [`Guard`](crate::Guard) requires (403).
    #[must_use]
    pub fn denied(denied: Denied) -> Self {
        Self::of(Kind::Denied(Box::new(denied)))
    }

    /// What the user lacked, when a guard refused.
    #[must_use]
    pub fn denial(&self) -> Option<&Denied> {
        match &self.kind {
            Kind::Denied(denied) => Some(denied),
            _ => None,
        }
    }

    /// The resolution error, when the request's credential was refused.
    #[must_use]
    pub fn error(&self) -> Option<&ResolveError> {
        match &self.kind {
            Kind::Refused(error) => Some(error),
            Kind::MissingCredentials(_) | Kind::MissingResolver(_) | Kind::Denied(_) => None,
        }
    }

    /// Whether the request carried no credential at all.
    #[must_use]
    pub fn is_missing_credentials(&self) -> bool {
        matches!(self.kind, Kind::MissingCredentials(_))
    }

    /// Whether no resolver was configured for the request (a 500).
    #[must_use]
    pub fn is_missing_resolver(&self) -> bool {
        matches!(self.kind, Kind::MissingResolver(_))
    }

    /// The core's refusal; `None` for a missing resolver (a configuration error, not a
    /// refusal of the request's identity).
    #[must_use]
    pub fn refusal(&self) -> Option<Refusal> {
        let reason = match &self.kind {
            Kind::Refused(error) => Reason::Refused(error),
            Kind::MissingCredentials(scopes) if scopes.is_empty() => Reason::MissingCredentials,
            Kind::MissingCredentials(scopes) => Reason::MissingCredentialsFor(scopes),
            Kind::Denied(denied) => Reason::Denied(denied),
            Kind::MissingResolver(_) => return None,
        };
        let default = Challenges::default();
        Some(Refusal::new(
            reason,
            self.challenges.as_deref().unwrap_or(&default),
        ))
    }

    /// 431 for a credential over the size limit, 400 for another malformed request, 403 for a
    /// refused origin, an untrusted peer or a guard's refusal, 503 when a check cannot be
    /// answered, 500 when no resolver is configured, 401 otherwise.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.refusal()
            .map_or(StatusCode::INTERNAL_SERVER_ERROR, |refusal| {
                refusal.status()
            })
    }

    /// The reference's error object for the body.
    #[must_use]
    pub fn body(&self) -> AuthErrorPayload {
        match self.refusal() {
            Some(refusal) => refusal.body().clone(),
            None => AuthErrorPayload {
                code: crate::error::ErrorCode::UserAuthError,
                message: "Authentication failed",
                details: "no identity resolver is configured".to_owned(),
            },
        }
    }

    /// The `WWW-Authenticate` challenges (see [`Refusal`]).
    #[must_use]
    pub fn challenges(&self) -> Vec<HeaderValue> {
        self.refusal()
            .map(|refusal| {
                refusal
                    .headers()
                    .get_all(WWW_AUTHENTICATE)
                    .iter()
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl fmt::Display for UserInfoRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Refused(error) => error.fmt(f),
            Kind::MissingCredentials(_) => f.write_str("authentication required"),
            Kind::MissingResolver(fix) => f.write_str(fix),
            Kind::Denied(denied) => denied.fmt(f),
        }
    }
}

impl std::error::Error for UserInfoRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error().map(|e| e as _)
    }
}

impl UserInfoRejection {
    /// `guard`'s refusal: without a user, a 401 naming the guard's scopes.
    pub(crate) fn for_guard(error: AuthorizeError, guard: &crate::Guard) -> Self {
        match error {
            AuthorizeError::MissingCredential => {
                Self::missing_credentials_for(guard.required_scopes())
            }
            error => error.into(),
        }
    }
}

impl From<AuthorizeError> for UserInfoRejection {
    fn from(error: AuthorizeError) -> Self {
        match error {
            AuthorizeError::MissingCredential => Self::missing_credentials(),
            AuthorizeError::Denied(denied) => Self::of(Kind::Denied(denied)),
        }
    }
}

impl From<ResolveError> for UserInfoRejection {
    fn from(error: ResolveError) -> Self {
        Self::refused(error)
    }
}

impl IntoResponse for UserInfoRejection {
    fn into_response(self) -> Response {
        let Some(refusal) = self.refusal() else {
            return (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response();
        };
        let (status, headers, body) = refusal.into_parts();
        let mut response = (status, body).into_response();
        response.headers_mut().extend(headers);
        response
    }
}
