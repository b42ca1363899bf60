//! `UserInfo` and `Option<UserInfo>` as axum extractors.
//!
//! Behind a [`UserInfoLayer`](crate::UserInfoLayer) they reuse what the layer resolved. Without
//! one they resolve the request themselves with the application's resolver, found in the
//! request's extensions (`.layer(Extension(resolver))`) or as the router's state when the
//! state *is* a [`Resolver`]. When there is none they **refuse the request with 500**, whose
//! body names the fix (and log it once): a request is never resolved with a default resolver,
//! which would decode JWTs without verifying them and accept every credential kind.
//!
//! An application that keeps its resolver in a state struct puts the layer on its router,
//! built from that resolver: `.layer(UserInfoLayer::new(state.resolver.clone()))` (or
//! `Extension(state.resolver.clone())`), so that the configured resolver is the one used.
//!
//! `UserInfo` refuses an anonymous request with 401; `Option<UserInfo>` gives `None` for it.
//! Both refuse a bad credential.
//!
//! ```
//! use axum::{Router, routing::get};
//! use axum_userinfo::{Resolver, UserInfo};
//! use tower::ServiceExt;
//!
//! async fn whoami(user: Option<UserInfo>) -> String {
//!     user.map_or("anonymous".to_owned(), |user| user.user_id().to_string())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = Router::new().route("/", get(whoami)).with_state(Resolver::new()); // the resolver is the state
//! let request = http::Request::get("/").header("cookie", "nat-session=abc").body(axum::body::Body::empty()).unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(body, "152f5ceb-ed84-5d9b-9777-f31c9251b83d");
//!
//! // No resolver anywhere: refused, never resolved with a default.
//! let app = Router::new().route("/", get(whoami));
//! let request = http::Request::get("/").header("cookie", "nat-session=abc").body(axum::body::Body::empty()).unwrap();
//! assert_eq!(app.oneshot(request).await.unwrap().status(), 500);
//! # }
//! ```

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::adapter::rejection::UserInfoRejection;
use crate::adapter::request::{layer_challenges, resolve_parts, resolved_by_layer};
use crate::identity::user_info::UserInfo;
use crate::resolve::Resolver;

/// Whether the missing resolver has been logged (once per process is enough to find it).
static MISSING_RESOLVER_LOGGED: AtomicBool = AtomicBool::new(false);

/// The application's resolver: an `Extension(resolver)`, or the router's state when it is a
/// [`Resolver`].
fn application_resolver<'a, S: Any>(parts: &'a Parts, state: &'a S) -> Option<&'a Resolver> {
    (parts.extensions.get::<Resolver>()).or_else(|| (state as &dyn Any).downcast_ref::<Resolver>())
}

/// The application's resolver for a request that no layer resolved. Never a default.
pub(crate) fn resolver_for<S: Any>(
    parts: &Parts,
    state: &S,
) -> Result<Resolver, UserInfoRejection> {
    match application_resolver(parts, state) {
        Some(resolver) => Ok(resolver.clone()),
        None => {
            if !MISSING_RESOLVER_LOGGED.swap(true, Ordering::Relaxed) {
                tracing::error!(
                    "axum_userinfo: an extractor found no Resolver; requests are refused with \
                     500 until the router has UserInfoLayer::new(resolver), \
                     Extension(resolver), or the resolver as its state"
                );
            }
            Err(UserInfoRejection::missing_resolver())
        }
    }
}

pub(crate) async fn user_of<S: Any>(
    parts: &Parts,
    state: &S,
) -> Result<Option<UserInfo>, UserInfoRejection> {
    if let Some(user) = resolved_by_layer(&parts.extensions) {
        return Ok(user);
    }
    let resolver = resolver_for(parts, state)?;
    let resolved = resolve_parts(&resolver, parts).await;
    resolved.map_err(|error| UserInfoRejection::refused(error).with_resolver(&resolver))
}

/// `rejection` with the challenges of the request's resolver: the layer's, or an
/// `Extension(resolver)` or the state when no layer ran.
pub(crate) fn with_resource<S: Any>(
    rejection: UserInfoRejection,
    parts: &Parts,
    state: &S,
) -> UserInfoRejection {
    if resolved_by_layer(&parts.extensions).is_some() {
        return rejection.with_challenges(layer_challenges(&parts.extensions));
    }
    match application_resolver(parts, state) {
        Some(resolver) => rejection.with_resolver(resolver),
        None => rejection,
    }
}

impl<S> FromRequestParts<S> for UserInfo
where
    S: Send + Sync + 'static,
{
    type Rejection = UserInfoRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        user_of(parts, state)
            .await?
            .ok_or_else(|| with_resource(UserInfoRejection::missing_credentials(), parts, state))
    }
}

impl<S> OptionalFromRequestParts<S> for UserInfo
where
    S: Send + Sync + 'static,
{
    type Rejection = UserInfoRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        user_of(parts, state).await
    }
}
