//! `UserInfo` and `Option<UserInfo>` as axum extractors.
//!
//! Behind a [`UserInfoLayer`](crate::UserInfoLayer) they reuse what the layer resolved. Without
//! one they resolve the request themselves, with the first resolver found in: the request's
//! extensions (`.layer(Extension(resolver))`), the router's state when it is a [`Resolver`],
//! or the default resolver (every credential kind accepted).
//!
//! `UserInfo` refuses an anonymous request with 401; `Option<UserInfo>` gives `None` for it.
//! Both refuse a bad credential.
//!
//! ```
//! use axum::{Router, routing::get};
//! use axum_userinfo::UserInfo;
//! use tower::ServiceExt;
//!
//! async fn whoami(user: Option<UserInfo>) -> String {
//!     user.map_or("anonymous".to_owned(), |user| user.user_id().to_string())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = Router::new().route("/", get(whoami)); // no layer: the extractor resolves
//! let request = http::Request::get("/").header("cookie", "nat-session=abc").body(axum::body::Body::empty()).unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(body, "152f5ceb-ed84-5d9b-9777-f31c9251b83d");
//! # }
//! ```

use std::any::Any;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::request::{resolve_parts, resolved_by_layer};
use crate::{Resolver, UserInfo, UserInfoRejection};

/// The resolver for a request that no layer resolved.
pub(crate) fn resolver_for<S: Any>(parts: &Parts, state: &S) -> Resolver {
    parts
        .extensions
        .get::<Resolver>()
        .or_else(|| (state as &dyn Any).downcast_ref::<Resolver>())
        .cloned()
        .unwrap_or_default()
}

async fn user_of<S: Any>(parts: &Parts, state: &S) -> Result<Option<UserInfo>, UserInfoRejection> {
    if let Some(user) = resolved_by_layer(&parts.extensions) {
        return Ok(user);
    }
    let resolver = resolver_for(parts, state);
    Ok(resolve_parts(&resolver, parts).await?)
}

impl<S> FromRequestParts<S> for UserInfo
where
    S: Send + Sync + 'static,
{
    type Rejection = UserInfoRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        user_of(parts, state)
            .await?
            .ok_or_else(UserInfoRejection::missing_credentials)
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
