//! The RFC 9728 metadata document of a [`ProtectedResource`], as axum routes.

use axum::Router;
use axum::body::Bytes;
use axum::response::IntoResponse;
use axum::routing::get;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use tower_http::cors::{Any, CorsLayer};

use crate::authorize::{ProtectedResource, WELL_KNOWN_PATH};

/// How long clients and caches may keep the document.
const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=3600");

/// Routes that serve `resource`'s metadata document (`application/json`, cacheable for an
/// hour) at `/.well-known/oauth-protected-resource` and, for a resource URL with a path, at
/// the path-suffixed form of RFC 9728 §3.1 (the URL challenges point to). Merge them into the
/// app, outside the routes that need a credential.
///
/// They answer `GET`, `HEAD` and `OPTIONS` (a CORS preflight too) with
/// `Access-Control-Allow-Origin: *` (tower-http's `CorsLayer`): a browser client (the MCP
/// Inspector, a web app) reads the document from any origin, as the official MCP SDKs serve
/// it.
///
/// ```
/// use axum::Router;
/// use axum_userinfo::{authorize::ProtectedResource, layer::resource_metadata_routes};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let resource = ProtectedResource::new("https://api.example.com/mcp", ["https://sso.example.com"])?;
/// let app: Router = Router::new().merge(resource_metadata_routes(&resource));
/// let request = http::Request::get("/.well-known/oauth-protected-resource/mcp").body(axum::body::Body::empty())?;
/// let response = app.oneshot(request).await?;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// # Ok(())
/// # }
/// ```
pub fn resource_metadata_routes<S>(resource: &ProtectedResource) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let body = Bytes::from(resource.document().to_string());
    let serve = get(move || {
        let body = body.clone();
        async move {
            let json = HeaderValue::from_static("application/json");
            ([(CONTENT_TYPE, json), (CACHE_CONTROL, CACHE)], body).into_response()
        }
    });
    let allow = HeaderValue::from_static("GET, HEAD, OPTIONS");
    let serve = serve.options(move || async move { (StatusCode::NO_CONTENT, [(ALLOW, allow)]) });
    let mut router = Router::new().route(WELL_KNOWN_PATH, serve.clone());
    if resource.metadata_path() != WELL_KNOWN_PATH {
        router = router.route(resource.metadata_path(), serve);
    }
    let cors = CorsLayer::new().allow_origin(Any).allow_methods([
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
    ]);
    router.layer(cors)
}
