//! Helpers shared by the integration tests: a router whose handlers take each extractor, and a
//! request driven through it with `oneshot`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::routing::get;
use axum::{Extension, Router};
use axum_userinfo::UserInfo;
use http::{Request, StatusCode};
use tower::ServiceExt;

/// `UserInfo`: refuses anonymous requests.
pub(crate) async fn required(user: UserInfo) -> String {
    user.user_id().to_string()
}

/// `Option<UserInfo>`: `anonymous` when there is no user.
pub(crate) async fn optional(user: Option<UserInfo>) -> String {
    user.map_or("anonymous".to_owned(), |user| user.user_id().to_string())
}

/// `Extension<UserInfo>`: needs the layer.
pub(crate) async fn extension(Extension(user): Extension<UserInfo>) -> String {
    user.user_id().to_string()
}

/// `/required`, `/optional` and `/extension`.
pub(crate) fn routes() -> Router {
    Router::new()
        .route("/required", get(required))
        .route("/optional", get(optional))
        .route("/extension", get(extension))
}

/// A GET of `uri` with `headers`: the status and the body.
pub(crate) async fn call(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}
